"""Shared data for the detector tests: the common checks' shapes (2 channels × 256 samples at 100 Hz)."""

import numpy as np
import pytest

from wavelens.testing import make_collection


@pytest.fixture(scope="session")
def train():
    """30 normal series, as the common planted-anomaly check uses."""
    return make_collection(n_series=30, n_channels=2, n_times=256, fs=100.0, random_state=1)


@pytest.fixture(scope="session")
def test_set():
    """12 other normal series of the same kind."""
    return make_collection(n_series=12, n_channels=2, n_times=256, fs=100.0, random_state=2)


@pytest.fixture(scope="session")
def blob():
    """Normal feature rows: 80 draws of a 4-D standard Gaussian."""
    return np.random.default_rng(0).standard_normal((80, 4))
