"""Seismic reader through ObsPy: miniSEED, SAC, GSE2 and ObsPy's other waveform formats.

A seismic file holds *traces*, one channel each (``BW.RJOB..EHZ``), possibly in
several pieces where the recording has gaps. wavelens wants *series*, several
channels each. So traces are grouped by station (network, station, location), by
band and instrument code (the channel code less its last letter) and by sampling
rate; within a group, the channels' spans are intersected and each stretch where
every channel has data becomes one series, its channels ordered by component
(Z, N, E, R, T, 1, 2, 3, U, V, W, then others alphabetically, or as
``channels=`` says) and each trimmed to that common span.

Gaps within a channel are either filled (``gaps="fill"``: ObsPy's merge; the
stretch becomes one series) or cut (``gaps="split"``: each contiguous stretch is
its own series).

ObsPy is optional (``pip install 'wavelens[seismic]'``) and imported only when a
file is read or sniffed.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from importlib import metadata as _metadata
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from .._optional import import_optional
from ..data import SignalSet
from ..exceptions import DataFormatError, MissingDependencyError, ValidationError
from ._registry import Format, register

__all__ = ["read_seismic"]

_PURPOSE = "Reading seismic files (miniSEED, SAC, ...)"

# ObsPy format names to try, by file extension.
_BY_EXTENSION: dict[str, tuple[str, ...]] = {
    ".mseed": ("MSEED",),
    ".miniseed": ("MSEED",),
    ".msd": ("MSEED",),
    ".ms": ("MSEED",),
    ".seed": ("MSEED",),  # full SEED volumes: the data records are miniSEED
    ".sac": ("SAC", "SACXY"),
    ".gse2": ("GSE2",),
    ".gse": ("GSE2", "GSE1"),
}
# Formats asked about a file with no known extension: those whose ObsPy check looks
# for a signature. Left out: WAV (wavelens reads WAV itself), PICKLE (unpickling a
# file runs code), SACXY/CSS/NNSA_KB_CORE (text or index files whose checks read
# much of the file or could match a table of numbers), and the exploration formats
# (SEG-Y, SU, SEG2, RG16), whose traces carry no station to group by.
_SNIFF_FORMATS = (
    "MSEED", "SAC", "GSE2", "GSE1", "SEISAN", "Q", "SH_ASC", "SLIST", "TSPAIR", "Y",
    "WIN", "AH", "KINEMETRICS_EVT", "GCF", "REFTEK130", "KNET",
)
# Signatures of formats that other readers own: never ask ObsPy about these.
_OTHER_MAGIC = (b"\x93NUMPY", b"PK\x03\x04", b"RIFF", b"RIFX", b"\x89HDF", b"PAR1", b"\x1f\x8b", b"ARROW1")

_COMPONENT_ORDER = "ZNERT123UVW"
_GAPS = ("fill", "split")
_FILL_WORDS = ("interpolate", "latest")


@functools.lru_cache(maxsize=None)
def _format_check(name: str) -> Callable[[str], Any] | None:
    """ObsPy's own test for a waveform format (its ``isFormat`` plugin entry point)."""
    for ep in _metadata.entry_points(group=f"obspy.plugin.waveform.{name}"):
        if ep.name == "isFormat":
            return ep.load()
    return None


def _is_format(name: str, path: Path) -> bool:
    check = _format_check(name)
    if check is None:
        return False
    try:
        return bool(check(str(path)))
    except Exception:  # ObsPy's checks may raise on foreign files; that means "no"
        return False


def _obspy_format(path: Path, obspy_format: str | None, where: str) -> str:
    if obspy_format is not None:
        return obspy_format.upper()
    candidates = _BY_EXTENSION.get(path.suffix.lower(), _SNIFF_FORMATS)
    for name in candidates:
        if _is_format(name, path):
            return name
    raise DataFormatError(
        f"{where}: ObsPy does not recognise it as {' or '.join(candidates)}. If it is another "
        "format ObsPy reads, pass obspy_format= (e.g. 'SEGY')."
    )


def sniff(path: Path) -> bool:
    """True for a file ObsPy recognises as a seismic waveform format (see ``_SNIFF_FORMATS``).

    Cheap: it reads the first bytes to rule out formats other readers own, then
    runs ObsPy's signature checks, which read a header each. False without ObsPy.
    """
    if not path.is_file() or path.stat().st_size < 32:
        return False
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(_OTHER_MAGIC):
        return False
    try:
        import_optional("obspy", purpose=_PURPOSE)
    except MissingDependencyError:
        return False
    return any(_is_format(name, path) for name in _SNIFF_FORMATS)


def _check_options(gaps: str, fill_value: Any, channels: Sequence[str] | None, where: str) -> None:
    if gaps not in _GAPS:
        raise ValidationError(f"{where}: gaps={gaps!r} is not one of {list(_GAPS)!r}.")
    numeric = isinstance(fill_value, (int, float, np.integer, np.floating))
    numeric = numeric and not isinstance(fill_value, bool)
    if not (numeric or fill_value in _FILL_WORDS):
        raise ValidationError(
            f"{where}: fill_value={fill_value!r} should be 'interpolate', 'latest' or a number."
        )
    if channels is not None:
        if isinstance(channels, str) or len(channels) == 0:
            raise ValidationError(
                f"{where}: channels={channels!r} should be a non-empty list of component codes, "
                "e.g. ['Z', 'N', 'E']."
            )
        if len(set(channels)) != len(channels):
            raise ValidationError(f"{where}: channels={channels!r} names a component twice.")


def _component_key(c: str) -> tuple[int, str]:
    return (_COMPONENT_ORDER.index(c) if c and c in _COMPONENT_ORDER else len(_COMPONENT_ORDER), c)


def _stamp(t: Any) -> str:
    """``2009-08-24T00:20:03`` (with ``.5`` etc. when the time has a fraction of a second)."""
    frac = f".{t.microsecond:06d}".rstrip("0") if t.microsecond else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac


@dataclass
class _Series:
    network: str
    station: str
    location: str
    band: str
    fs: float
    start: Any  # UTCDateTime of the first sample
    data: np.ndarray  # (n_channels, n_times) float64
    components: list[str]
    codes: list[str]
    gaps_filled: int


def _spans(segments: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Stretches ``[a, b)`` covered by every channel, each channel a sorted list of segments."""
    spans = segments[0]
    for segs in segments[1:]:
        out, i, j = [], 0, 0
        while i < len(spans) and j < len(segs):
            a, b = max(spans[i][0], segs[j][0]), min(spans[i][1], segs[j][1])
            if b > a:
                out.append((a, b))
            if spans[i][1] < segs[j][1]:
                i += 1
            else:
                j += 1
        spans = out
    return spans


def _group_series(
    traces: list[Any], key: tuple[str, str, str, str, float], gaps: str, fill_value: Any, where: str
) -> list[_Series]:
    """The series of one group (station, band, fs): merge, then cut at common spans."""
    import obspy

    net, sta, loc, band, fs = key
    st = obspy.Stream(traces)
    gap_list = [g for g in st.get_gaps() if g[6] > 0]
    try:
        if gaps == "fill":
            st.merge(method=1, fill_value=fill_value)
        else:
            st.merge(method=1, fill_value=None)
            st = st.split()
    except Exception as err:  # ObsPy raises a bare Exception for unmergeable traces
        raise DataFormatError(
            f"{where}: cannot merge the traces of {net}.{sta}.{loc}.{band}? (channels "
            f"{sorted({tr.stats.channel for tr in traces})!r}): {err}."
        ) from err
    by_comp: dict[str, list[Any]] = {}
    for tr in st:
        by_comp.setdefault(tr.stats.channel[-1:], []).append(tr)
    comps = sorted(by_comp, key=_component_key)
    ref = min(tr.stats.starttime for tr in st)
    segs = []
    for c in comps:
        trs = sorted(by_comp[c], key=lambda tr: tr.stats.starttime)
        by_comp[c] = trs
        # each piece as [start, end) in seconds from the group's first sample
        segs.append([(tr.stats.starttime - ref, tr.stats.starttime - ref + tr.stats.npts / fs) for tr in trs])
    spans = _spans(segs)
    if not spans:
        warnings.warn(
            f"{where}: the channels {[by_comp[c][0].stats.channel for c in comps]!r} of "
            f"{net}.{sta}.{loc} never all have data at the same time; skipped.",
            UserWarning,
            stacklevel=4,
        )
    out = []
    for a, b in spans:
        pieces, n = [], int(round((b - a) * fs))
        for c, seg_list in zip(comps, segs):
            k = next(i for i, (s, e) in enumerate(seg_list) if s <= a + 0.5 / fs and e >= b - 0.5 / fs)
            tr = by_comp[c][k]
            i0 = max(int(round((a - seg_list[k][0]) * fs)), 0)
            pieces.append((tr, i0))
            n = min(n, tr.stats.npts - i0)
        if n < 1:
            continue
        data = np.stack([np.asarray(tr.data[i0 : i0 + n], dtype=np.float64) for tr, i0 in pieces])
        tr0, i00 = pieces[0]
        start = tr0.stats.starttime + i00 / fs
        end = start + (n - 1) / fs
        filled = sum(1 for g in gap_list if g[4] >= start and g[5] <= end) if gaps == "fill" else 0
        out.append(
            _Series(
                network=net, station=sta, location=loc, band=band, fs=fs, start=start, data=data,
                components=comps, codes=[tr.stats.channel for tr, _ in pieces], gaps_filled=filled,
            )
        )
    return out


def _series_ids(series: list[_Series]) -> list[str]:
    """``NET.STA.LOC.START``; with the band code where that is ambiguous, then a counter."""
    base = [f"{s.network}.{s.station}.{s.location}.{_stamp(s.start)}" for s in series]
    counts = pd.Series(base).value_counts()
    ids = [
        f"{s.network}.{s.station}.{s.location}.{s.band}.{_stamp(s.start)}" if counts[b] > 1 else b
        for s, b in zip(series, base)
    ]
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
        out.append(i if seen[i] == 1 else f"{i}~{seen[i] - 1}")
    return out


def _stream_to_set(
    stream: Any,
    *,
    where: str = "stream",
    gaps: str = "fill",
    fill_value: Any = "interpolate",
    channels: Sequence[str] | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
) -> SignalSet:
    """Group the traces of an ObsPy Stream into multichannel series.

    Parameters are those of :func:`read_seismic`; ``where`` names the source in
    messages. The traces' samples are converted to float64 in place.
    """
    _check_options(gaps, fill_value, channels, where)
    traces = [tr for tr in stream if tr.stats.npts > 0]
    if channels is not None:
        found = sorted({tr.stats.channel[-1:] for tr in traces})
        traces = [tr for tr in traces if tr.stats.channel[-1:] in channels]
        if not traces:
            raise DataFormatError(
                f"{where}: no trace has a component in channels={list(channels)!r}; components "
                f"found: {found!r}."
            )
    if not traces:
        raise DataFormatError(f"{where}: the file holds no trace with samples.")
    groups: dict[tuple[str, str, str, str, float], list[Any]] = {}
    for tr in traces:
        s = tr.stats
        key = (s.network, s.station, s.location, s.channel[:-1], float(s.sampling_rate))
        tr.data = np.asarray(tr.data, dtype=np.float64)  # merge needs one dtype per channel
        groups.setdefault(key, []).append(tr)
    series = [s for key in sorted(groups) for s in _group_series(groups[key], key, gaps, fill_value, where)]
    if not series:
        raise DataFormatError(
            f"{where}: no stretch of time where all channels of a station have data."
        )
    series.sort(key=lambda s: (s.network, s.station, s.location, s.band, s.start.ns))

    comps = list(channels) if channels is not None else series[0].components
    for s in series:
        if set(s.components) != set(comps):
            station = f"{s.network}.{s.station}.{s.location}"
            if channels is not None:
                raise DataFormatError(
                    f"{where}: {station} has components {s.components!r}, lacking "
                    f"{sorted(set(comps) - set(s.components))!r} of channels={comps!r}."
                )
            first = f"{series[0].network}.{series[0].station}.{series[0].location}"
            raise DataFormatError(
                f"{where}: the stations have different components: {first} has "
                f"{series[0].components!r}, {station} has {s.components!r}. Pass channels= (e.g. "
                f"channels={sorted(set(comps) & set(s.components), key=_component_key)!r}) to read "
                "the same components from each."
            )
        order = [s.components.index(c) for c in comps]
        s.data, s.codes, s.components = s.data[order], [s.codes[i] for i in order], comps

    out_dt = np.dtype(dtype) if dtype is not None else np.dtype(np.float64)
    arrays = [s.data.astype(out_dt, copy=False) for s in series]
    lengths = {a.shape[1] for a in arrays}
    data: Any = np.stack(arrays) if len(lengths) == 1 else arrays
    metadata = pd.DataFrame(
        {
            "network": [s.network for s in series],
            "station": [s.station for s in series],
            "location": [s.location for s in series],
            "channel": [",".join(s.codes) for s in series],
            "starttime": [pd.Timestamp(s.start.ns, unit="ns", tz="UTC") for s in series],
            "endtime": [
                pd.Timestamp((s.start + (a.shape[1] - 1) / s.fs).ns, unit="ns", tz="UTC")
                for s, a in zip(series, arrays)
            ],
            "gaps_filled": [s.gaps_filled for s in series],
        }
    )
    rates = np.array([s.fs for s in series])
    if fs is not None and not np.allclose(rates, float(fs), rtol=1e-6, atol=0):
        raise ValidationError(
            f"{where}: fs={fs!r} was given, but the traces are sampled at "
            f"{sorted(set(rates.tolist()))!r} Hz. Drop fs= (seismic files carry their rate) or "
            "resample the series after loading."
        )
    return SignalSet(
        data,
        fs=rates,
        ids=_series_ids(series),
        channels=comps,
        metadata=metadata,
    )


def read_seismic(
    path: Path | Sequence[Path],
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    gaps: str = "fill",
    fill_value: Any = "interpolate",
    channels: Sequence[str] | None = None,
    obspy_format: str | None = None,
) -> SignalSet:
    """Read a seismic file with ObsPy, its traces grouped into multichannel series.

    Parameters
    ----------
    path : pathlib.Path or sequence of them
        Several files are read together, so that traces of one station stored one
        component per file (as SAC usually is) join into one multichannel series.
        A miniSEED (``.mseed``, ``.miniseed``, ``.msd``, ``.ms``, ``.seed``), SAC
        (``.sac``), GSE2 (``.gse2``, ``.gse``) file, or any file whose content ObsPy
        recognises (see :func:`sniff`).
    fs : float, optional
        Sampling rate in Hz. The traces carry their own rate; a different ``fs``
        (relative difference above 1e-6) is a :class:`ValidationError`.
    dtype : str or numpy dtype, default="float32"
        Float type of the samples.
    gaps : {"fill", "split"}, default="fill"
        What to do where a channel's recording has a gap. ``"fill"``: merge the
        pieces (ObsPy's ``Stream.merge(method=1)``), filling the gap with
        ``fill_value``; ``"split"``: each contiguous stretch where every channel of
        the station has data is a separate series.
    fill_value : {"interpolate", "latest"} or float, default="interpolate"
        With ``gaps="fill"``: ``"interpolate"`` draws a straight line from the last
        sample before the gap to the first one after it (no artificial step);
        ``"latest"`` repeats the last sample; a number (0.0, or NaN to keep the
        gap visible) fills with that value. ``metadata["gaps_filled"]`` counts the
        gaps filled in each series.
    channels : sequence of str, optional
        Components to read and their order, e.g. ``["Z", "N", "E"]``; others are
        dropped, and a station lacking one is an error. Default: every component,
        ordered Z, N, E, R, T, 1, 2, 3, U, V, W, then the others alphabetically;
        every station must then have the same components.
    obspy_format : str, optional
        ObsPy's name for the format (``"MSEED"``, ``"SAC"``, ``"SEGY"``, ...), for a
        file that its extension or content does not identify.

    Returns
    -------
    SignalSet
        One series per station (network.station.location, band and instrument
        code, sampling rate) and stretch of time, sorted by station then start
        time; channels are the component codes (``"Z"``, ``"N"``, ``"E"``), each
        channel trimmed to the span they share (channels are aligned to the nearest
        sample; sub-sample offsets between channels are not interpolated). Ids are
        ``"NET.STA.LOC.2009-08-24T00:20:03"`` (the start of the series; the band
        code is added where two series would share an id). ``fs`` comes from the
        traces, per series. ``metadata`` has ``network``, ``station``,
        ``location``, ``channel`` (the full codes, e.g. ``"EHZ,EHN,EHE"``),
        ``starttime``, ``endtime`` (UTC) and ``gaps_filled``.

    Raises
    ------
    DataFormatError
        ObsPy cannot identify or read the file; no trace has data (or a component
        in ``channels``); stations with different components; traces of a channel
        that cannot be merged.
    ValidationError
        A bad ``gaps``, ``fill_value`` or ``channels``, or an ``fs`` that disagrees
        with the traces.
    MissingDependencyError
        ObsPy is not installed (``pip install 'wavelens[seismic]'``).

    Examples
    --------
    >>> import obspy, tempfile, os
    >>> from wavelens.io import load
    >>> p = os.path.join(tempfile.mkdtemp(), "rjob.mseed")
    >>> obspy.read().write(p, format="MSEED")  # ObsPy's example: 3 channels, 100 Hz
    >>> s = load(p)
    >>> s.ids.tolist(), s.channels, s.to_numpy().shape, s.fs
    (['BW.RJOB..2009-08-24T00:20:03'], ['Z', 'N', 'E'], (1, 3, 3000), 100.0)
    """
    obspy = import_optional("obspy", purpose=_PURPOSE)
    paths = [path] if isinstance(path, (str, Path)) else list(path)
    where = repr(str(paths[0])) if len(paths) == 1 else f"{len(paths)} files ({str(paths[0])!r}, ...)"
    _check_options(gaps, fill_value, channels, where)
    stream = obspy.Stream()
    for p in paths:
        fmt = _obspy_format(p, obspy_format, repr(str(p)))
        try:
            stream += obspy.read(str(p), format=fmt)
        except Exception as err:  # ObsPy's readers raise anything from TypeError to bare Exception
            raise DataFormatError(
                f"{str(p)!r}: ObsPy could not read it as {fmt} ({type(err).__name__}: {err})."
            ) from err
    return _stream_to_set(
        stream, where=where, gaps=gaps, fill_value=fill_value, channels=channels, fs=fs, dtype=dtype
    )


register(
    Format(
        name="seismic",
        extensions=tuple(_BY_EXTENSION),
        read=read_seismic,
        description="seismic waveforms through ObsPy (miniSEED, SAC, GSE2, ...), grouped by station",
        sniff=sniff,
        reads_many=True,
        options=("gaps", "fill_value", "channels", "obspy_format"),
    )
)
