"""The shipped demo data and the vibration simulator."""

import numpy as np
import pytest

from wavelens import ValidationError
from wavelens.datasets import VIBRATION_ANOMALY_KINDS, load_demo, make_demo, make_vibration
from wavelens.io import load


def test_shipped_demo_matches_its_generator():
    shipped, again = load_demo(), make_demo()
    np.testing.assert_array_equal(shipped.to_numpy(), again.to_numpy())
    assert shipped.ids.tolist() == again.ids.tolist()
    assert shipped.labels.tolist() == again.labels.tolist()
    assert shipped.metadata["anomaly"].tolist() == again.metadata["anomaly"].tolist()


def test_demo_contents():
    s = load_demo()
    assert s.to_numpy().shape == (40, 1, 2048) and s.fs == 1024.0
    assert (s.metadata["split"] == "train").sum() == 24
    assert s.labels[s.metadata["split"] == "train"].sum() == 0
    assert s.labels.sum() == 8


def test_demo_file_loads_through_io():
    from wavelens.datasets import demo_path

    s = load(demo_path())
    assert len(s) == 40 and s.fs == 1024.0


def test_vibration_seeded_and_chunk_invariant():
    a = make_vibration(5, n_times=1024, anomaly_fraction=0.4, random_state=3)
    b = make_vibration(5, n_times=1024, anomaly_fraction=0.4, random_state=3)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
    c = make_vibration(5, n_times=1024, anomaly_fraction=0.4, random_state=4)
    assert not np.array_equal(a.to_numpy(), c.to_numpy())


def test_vibration_physics():
    freqs = np.fft.rfftfreq(8192, 1 / 1024)

    def mean_spectrum(s):
        return np.abs(np.fft.rfft(s.to_numpy()[:, 0].astype(np.float64), axis=1)).mean(axis=0)

    spec = mean_spectrum(make_vibration(4, n_times=8192, random_state=0))

    def band(f):
        return spec[np.abs(freqs - f) < 1.0].sum()

    # the rotor's shaft line and its harmonics stand far above the gaps between them
    for k in (1, 2, 3):
        assert band(21.5 * k) > 4 * band(21.5 * k + 10.75)
    at50 = np.argmin(np.abs(freqs - 50.0))
    near50 = (np.abs(freqs - 50.0) > 1) & (np.abs(freqs - 50.0) < 5)
    assert spec[at50] < 3 * np.median(spec[near50])  # no mains line in the test campaign
    spec = mean_spectrum(make_vibration(4, n_times=8192, mains=0.5, random_state=0))
    assert spec[at50] > 10 * np.median(spec[near50])  # the training campaign's mains line


@pytest.mark.parametrize("kind", VIBRATION_ANOMALY_KINDS)
def test_each_anomaly_kind(kind):
    s = make_vibration(3, n_times=4096, anomaly_fraction=1.0, kinds=[kind], random_state=1)
    assert s.labels.tolist() == [1, 1, 1]
    assert set(s.metadata["anomaly"]) == {kind}
    x = s.to_numpy()
    assert np.isfinite(x).all()
    if kind == "constant":
        assert (np.ptp(x, axis=2) == 0).all()


def test_bad_arguments():
    with pytest.raises(ValidationError, match="kinds must be"):
        make_vibration(2, n_times=128, kinds=["meteor"])
    with pytest.raises(ValidationError, match="anomaly_fraction"):
        make_vibration(2, n_times=128, anomaly_fraction=2.0)
