"""The tuned default detector of ``wavelens detect`` (and of Python users who want one).

What it is
----------
For series of at least 256 samples (one spectral segment)::

    FeatureDetector("statistics + spectral_summary + band_power(8 equal bands to fs/2, log)",
                    scaler="standard", detector=Mahalanobis())

Below 256 samples — less than one spectral segment, where the spectral summary and
band powers cannot resolve frequencies and the samples are aligned shapes (UCR-style
sets) — the 1-nearest-neighbour distance on the per-series standardised samples, the
classic strong baseline for short aligned series (a constant series standardises to
zeros and lands far from every normal one). The shape distance is *not* mixed into
longer series: on stochastic signals (vibration, noise-driven records) raw samples
have random phases and a sample-by-sample distance is noise — on the shipped demo
(2-second vibration records) an ensemble of the two scored ROC AUC 0.42 where the
features alone score 0.98.

The choice was made by measurement (``benchmarks/bench_detect.py`` and the experiments recorded in its docstring):

* helicopter simulator (``make_vibration``; train with ``mains=0.4``, test without,
  300 train / 400 test rows, 10 % anomalies of 6 kinds), ROC AUC:
  statistics + spectral summary + 8 coarse log bands + Mahalanobis **0.940**;
  the same without bands 0.878 (Mahalanobis), 0.853 (KNN-5), 0.853 (LOF-20),
  0.752 (IsolationForest); with *fine* 8 Hz log bands + KNN 0.47 — fine bands isolate
  the 50/100 Hz mains lines that the training campaign has and the test campaign
  lacks, so every normal test row looks abnormal; coarse (fs/16 wide) bands dilute
  those lines among the rotor harmonics and stay robust to the shift. Raw rows with
  PCA(10, whiten) + LOF(5) (the study's best): 0.437 — random phases make raw samples
  meaningless for long records. Constant rows (a dead sensor) score far above every
  normal row (per-kind AUC 1.0).
* one-class protocol on GunPoint / ItalyPowerDemand (series of 150 / 24 samples):
  the feature detector alone beats the best PyOD baseline on GunPoint but not on
  ItalyPowerDemand, where aligned shape carries the information. Measured mean AUCs
  (GunPoint / ItalyPowerDemand): features + 1-NN rank ensemble 0.853 / 0.874; 1-NN on
  standardised samples alone 0.846 / 0.887; DTW 1-NN (band 0.1) 0.910 / 0.832; best
  PyOD baseline 0.707 (IForest) / 0.879 (OCSVM). Both sets are shorter than one spectral
  segment (150 and 24 samples), where the spectral features are noise: the default
  there is the 1-NN alone.
"""

from __future__ import annotations

from typing import Any

__all__ = ["default_detector", "default_representation", "MIN_SPECTRAL"]

MIN_SPECTRAL = 256


def default_representation(fs: float | None, n_times: int) -> str:
    """The default feature spec for series of ``n_times`` samples at ``fs`` (None: cycles/sample).

    Statistics, a spectral summary, and log band power in 8 equal bands up to the
    Nyquist frequency (coarse bands stay robust to narrow lines that differ between
    campaigns, such as mains hum).
    """
    nyquist = 0.5 if fs is None else float(fs) / 2.0
    edges = tuple(round(nyquist * i / 8, 6) for i in range(9))
    nperseg = int(min(MIN_SPECTRAL, n_times))
    return (f"statistics + spectral_summary(nperseg={nperseg}) + "
            f"band_power(edges={edges!r}, nperseg={nperseg}, log=True)")


def default_detector(*, fs: float | None = None, n_times: int) -> Any:
    """The tuned default detector for series of ``n_times`` samples at ``fs`` Hz.

    Parameters
    ----------
    fs : float, optional
        Sampling rate in Hz; None means frequencies in cycles per sample.
    n_times : int
        Length of the series to be scored.

    Returns
    -------
    BaseDetector
        Unfitted; see the module docstring for what it is and why.

    Examples
    --------
    >>> from wavelens.detect import default_detector
    >>> type(default_detector(fs=1024.0, n_times=61440)).__name__
    'FeatureDetector'
    >>> type(default_detector(n_times=24)).__name__
    'FeatureDetector'
    """
    from ._classic import KNN, Mahalanobis
    from ._feature import FeatureDetector

    if n_times < MIN_SPECTRAL:
        return FeatureDetector("standardize", scaler=None, detector=KNN(n_neighbors=1))
    # without a sampling rate, frequencies are in cycles per sample (fs = 1)
    return FeatureDetector(default_representation(fs, n_times), scaler="standard", detector=Mahalanobis(),
                           fs=1.0 if fs is None else float(fs))
