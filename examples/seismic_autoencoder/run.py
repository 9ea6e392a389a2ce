"""Source study 3: a Conv1d + LSTM autoencoder on real 3-channel seismograms of different lengths.

The data are the real three-component (vertical, north–south, east–west) event
recordings that ObsPy ships inside its wheel, so nothing is downloaded:

=============================================  =========================  ================
file (ObsPy)                                   station / channels         rate, length
=============================================  =========================  ================
``obspy.read()`` (no argument)                 BW.RJOB EHZ/EHN/EHE        100 Hz, 30 s
io/kinemetrics/tests/data/STNA...evt.gz         STN accelerometer 0/1/2    250 Hz, 33 s
io/kinemetrics/tests/data/BI008_MEMA-04823.evt  MEMA accelerometer 0/1/2   250 Hz, 23 s
io/seisan/tests/data/2005-07-23-1452-04S.CER..  CER BHZ/BHN/BHE            150 Hz, 71 s
io/seisan/tests/data/90010319.1320J90           JMI S Z/S N/S E            50 Hz, 95 s
io/seisan/tests/data/9701-30-1048-54S.MVO_21_1  MBGA SBZ/SBN/SBE           75.19 Hz, 49 s
=============================================  =========================  ================

Each event is demeaned and resampled to 50 Hz with ObsPy (one rate for one network), so
the events have *different lengths* (1,150–4,740 samples). Six events are too few to
train on, so the training set is windows of different lengths (8–40 s, a seeded random
draw, several per event) cut from these real traces; the whole events are then embedded
with the trained model (``ConvLSTMAutoencoder``: three Conv1d layers, a two-layer LSTM whose
final hidden states are the embedding; ragged batches are masked, so an event's
embedding does not depend on its batch). Writes one embedding per event and per window
(``embeddings.parquet``), the model, the loss per epoch, and a figure: the windows' and the
events' embeddings in their first two principal components (coloured by event) beside
one event and its reconstruction (``seismic_embeddings.png``).

The events' amplitudes differ by orders of magnitude (tens to over ten thousand counts),
so, as seismologists do with every trace, each window is normalised on its own
(``standardize="series"``: every channel centred and divided by its own standard
deviation): the network learns waveform shapes instead of spending itself on the loudest
events, the embeddings are amplitude-free, and reconstructions come back in counts.
``--standardize global`` trains on one mean/std per channel instead, for comparison.

Run:  python examples/seismic_autoencoder/run.py [--small] [--epochs N] [--standardize series|global|none] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import warnings
from pathlib import Path

import numpy as np

from wavelens import SignalSet
from wavelens.io import atomic_path, write_table
from wavelens.models import AutoencoderEmbedder
from wavelens.viz import save_figure
from wavelens.viz._style import PALETTE, new_figure

FS = 50.0  # Hz, the common rate
# (file relative to the obspy package, or None for obspy.read()'s example; how many leading traces)
EVENTS = [
    (None, 3),
    ("io/kinemetrics/tests/data/STNA.20020722.044649.evt.gz", 3),
    ("io/kinemetrics/tests/data/BI008_MEMA-04823.evt", 3),
    ("io/seisan/tests/data/2005-07-23-1452-04S.CER___030", 3),
    ("io/seisan/tests/data/90010319.1320J90", 3),
    ("io/seisan/tests/data/9701-30-1048-54S.MVO_21_1", 3),
]


def read_events() -> SignalSet:
    """The six real 3-component events, demeaned and resampled to 50 Hz (ObsPy)."""
    import obspy

    root = os.path.dirname(obspy.__file__)
    data, ids, meta = [], [], []
    for rel, n in EVENTS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the test files carry header quirks ObsPy warns about
            st = obspy.read() if rel is None else obspy.read(os.path.join(root, rel))
        st = st[:n]
        st.detrend("demean")
        rate = st[0].stats.sampling_rate
        st.resample(FS)
        n_times = min(tr.stats.npts for tr in st)
        data.append(np.stack([tr.data[:n_times] for tr in st]).astype(np.float32))
        tr = st[0]
        ids.append(f"{tr.stats.network}.{tr.stats.station}".strip(".") or os.path.basename(rel))
        meta.append({"file": "obspy.read()" if rel is None else rel, "original_fs": rate,
                     "start": str(tr.stats.starttime), "channels": "/".join(t.stats.channel for t in st)})
    import pandas as pd

    return SignalSet(data, fs=FS, ids=ids, channels=["c0", "c1", "c2"], metadata=pd.DataFrame(meta))


def cut_windows(events: SignalSet, per_event: int, seed: int) -> tuple[SignalSet, np.ndarray]:
    """``per_event`` windows of random lengths (8–40 s, capped at the event) from every event."""
    rng = np.random.default_rng(seed)
    data, ids, source = [], [], []
    for e in range(len(events)):
        x = events[e]
        for k in range(per_event):
            length = int(min(rng.uniform(8, 40) * FS, x.shape[1]))
            start = int(rng.integers(0, x.shape[1] - length + 1))
            data.append(x[:, start:start + length])
            ids.append(f"{events.ids[e]}#{k}@{start / FS:.1f}s+{length / FS:.1f}s")
            source.append(e)
    return SignalSet(data, fs=FS, ids=ids, channels=list(events.channels)), np.asarray(source)


def _stds(s: SignalSet) -> list[float]:
    """Each series' standard deviation (all channels), to show the spread of amplitudes."""
    return [float(np.std(s[i])) for i in range(len(s))]


def main(argv: list[str] | None = None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("seismic-ae-run"))
    ap.add_argument("--small", action="store_true", help="4 windows per event, a smaller network, 2 epochs (for CI)")
    ap.add_argument("--epochs", type=int, default=None, help="training epochs (default 40, or 2 with --small)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--standardize", choices=["series", "global", "none"], default="series",
                    help="scale each window by its own std (default), by one std per channel, or not at all")
    ap.add_argument("--threads", type=int, default=None, help="PyTorch CPU threads (default: PyTorch's; 1 with --small)")
    args = ap.parse_args(argv)
    epochs = args.epochs or (2 if args.small else 40)

    events = read_events()
    windows, source = cut_windows(events, per_event=4 if args.small else 24, seed=args.seed)
    print(f"{len(events)} events ({', '.join(map(str, events.ids))}), lengths {events.lengths.tolist()} at {FS:g} Hz; "
          f"{len(windows)} training windows of {windows.lengths.min()}–{windows.lengths.max()} samples; "
          f"window amplitudes (std) {min(_stds(windows)):.3g}–{max(_stds(windows)):.3g}")

    params = (dict(conv_channels=(8, 16, 16), hidden_size=16, num_layers=2) if args.small
              else dict(conv_channels=(32, 64, 64), kernel_size=7, hidden_size=64, num_layers=2))
    ae = AutoencoderEmbedder(model="convlstm-ae", model_params=params, epochs=epochs, batch_size=16,
                             lr=2e-3, standardize=args.standardize, random_state=args.seed, verbose=not args.small,
                             num_threads=args.threads or (1 if args.small else None)).fit(windows)
    hist = ae.history_
    Z_events = ae.transform(events)      # (6, num_layers × hidden_size): one embedding per event
    Z_windows = ae.transform(windows)
    err_events = ae.reconstruction_error(events)
    print(f"trained {len(hist)} epochs, {np.mean([h['seconds'] for h in hist]):.2f} s/epoch; final loss "
          f"{hist[-1]['train_loss']:.4g}; embeddings of {Z_events.shape[1]} dimensions")

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    ae.save(out / "model")
    ids = [str(i) for i in events.ids] + [str(i) for i in windows.ids]
    write_table(out / "embeddings.parquet", np.vstack([Z_events, Z_windows]), ids=ids, prefix="z",
                extra={"kind": ["event"] * len(events) + ["window"] * len(windows),
                       "event": [str(i) for i in events.ids] + [str(events.ids[e]) for e in source],
                       "n_times": np.concatenate([events.lengths, windows.lengths])})
    # How well the embedding keeps events apart: is a window's nearest other window from the same event?
    d = ((Z_windows[:, None, :] - Z_windows[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    same_event = float((source[d.argmin(axis=1)] == source).mean())
    metrics = {"standardize": args.standardize, "n_events": len(events), "event_lengths": events.lengths.tolist(), "n_windows": len(windows),
               "n_latent": int(Z_events.shape[1]), "epochs": len(hist),
               "seconds_per_epoch": float(np.mean([h["seconds"] for h in hist])),
               "final_train_loss": float(hist[-1]["train_loss"]),
               "event_reconstruction_error": dict(zip(map(str, events.ids), np.round(err_events, 5).tolist())),
               "window_1nn_same_event": same_event, "chance_same_event": 1.0 / len(events)}
    with atomic_path(out / "metrics.json") as tmp:
        tmp.write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"a window's nearest window (embedding distance) comes from the same event for {same_event:.0%} "
          f"(chance {1 / len(events):.0%})")

    # Figure: embeddings in 2-D (PCA) beside an event and its reconstruction.
    Zc = np.vstack([Z_windows, Z_events])
    Zc = Zc - Zc.mean(axis=0)
    _, _, vt = np.linalg.svd(Zc, full_matrices=False)
    P = Zc @ vt[:2].T
    Pw, Pe = P[: len(windows)], P[len(windows):]
    fig, axes = new_figure(1, 2, figsize=(12.0, 4.6))
    ax = axes[0, 0]
    for e in range(len(events)):
        colour = PALETTE[e % len(PALETTE)]
        ax.scatter(Pw[source == e, 0], Pw[source == e, 1], s=14, alpha=0.5, color=colour)
        ax.scatter(Pe[e, 0], Pe[e, 1], s=120, marker="*", color=colour, edgecolor="k", label=str(events.ids[e]))
    ax.set_xlabel("PC 1 of the embeddings")
    ax.set_ylabel("PC 2")
    ax.set_title("events (stars) and windows cut from them (dots)")
    ax.legend(fontsize=8)
    e = int(np.argmax(events.lengths))
    recon = ae.reconstruct(events[e:e + 1])
    recon = np.asarray(recon[0] if isinstance(recon, list) else recon[0])
    x = events[e]
    t = np.arange(x.shape[1]) / FS
    ax = axes[0, 1]
    offset = 4 * float(np.abs(x).max())
    for c in range(3):
        ax.plot(t, x[c] - c * offset, lw=0.6, color="0.35", label="input" if c == 0 else None)
        ax.plot(t, recon[c] - c * offset, lw=0.6, color=PALETTE[3], alpha=0.8, label="reconstruction" if c == 0 else None)
    ax.set_yticks([-c * offset for c in range(3)], events.metadata["channels"][e].split("/"))
    ax.set_xlabel("time (s)")
    ax.set_title(f"{events.ids[e]}: {x.shape[1]} samples, reconstruction MSE {err_events[e]:.3g}")
    ax.legend(fontsize=8, loc="upper right")
    save_figure(fig, out / "seismic_embeddings.png")
    print(f"wrote {out / 'embeddings.parquet'}, {out / 'seismic_embeddings.png'}, {out / 'metrics.json'} "
          f"and the model in {out / 'model'}")
    return out


if __name__ == "__main__":
    main()
