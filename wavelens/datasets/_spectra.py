"""Simulated power spectra of solar-like oscillators (TESS asteroseismology, source study 4)."""

from __future__ import annotations

import numpy as np

__all__ = ["make_power_spectra"]


def make_power_spectra(
    n_spectra: int = 1000,
    n_freqs: int = 5000,
    *,
    fmin: float = 3.0,
    fmax: float = 283.0,
    random_state: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Power spectra of TESS-like solar-like oscillators, the inputs of source study 4.

    Each spectrum is a granulation background (a Harvey profile plus white noise), a
    Gaussian excess of oscillation power at ``numax`` shaped into a comb of modes
    spaced by the large separation ``dnu``, times chi-squared (2 d.o.f.) noise, as
    for a periodogram. ``numax`` is log-uniform over 10–250 µHz and the heights follow
    the usual scaling with ``numax``, so values run over about 1e-2–1e7 ppm²/µHz and
    some fall outside the study's y-axis (3–3e7).

    Parameters
    ----------
    n_spectra : int, default=1000
    n_freqs : int, default=5000
        Points per spectrum, log-spaced in frequency.
    fmin, fmax : float, default=3.0, 283.0
        Frequency range in µHz.
    random_state : int, optional
        Seed; the same seed gives the same spectra.

    Returns
    -------
    f : ndarray of float64, shape (n_freqs,)
        Frequencies in µHz, strictly increasing.
    power : ndarray of float64, shape (n_spectra, n_freqs)
        Power density in ppm²/µHz, all > 0.

    Examples
    --------
    >>> from wavelens.datasets import make_power_spectra
    >>> f, power = make_power_spectra(3, 1000, random_state=0)
    >>> f.shape, power.shape, bool((power > 0).all())
    ((1000,), (3, 1000), True)
    """
    rng = np.random.default_rng(random_state)
    f = np.geomspace(fmin, fmax, n_freqs)
    numax = 10.0 ** rng.uniform(1.0, np.log10(250.0), size=(n_spectra, 1))
    dnu = 0.263 * numax**0.772
    eps = rng.uniform(0.0, 1.0, size=(n_spectra, 1))
    knee = 0.317 * numax**0.97
    height = 2e6 * (numax / 10.0) ** -2.0 * 10.0 ** rng.normal(0.0, 0.15, size=(n_spectra, 1))
    white = 10.0 ** rng.uniform(0.5, 2.0, size=(n_spectra, 1))
    background = height / (1.0 + (f / knee) ** 4) + white
    width = 0.66 * numax**0.88 / 2.355
    envelope = 0.4 * height / (1.0 + (numax / knee) ** 4) * np.exp(-0.5 * ((f - numax) / width) ** 2)
    comb = 0.1 + 3.0 * np.cos(np.pi * (f / dnu - eps)) ** 20
    power = (background + envelope * comb) * rng.exponential(1.0, size=(n_spectra, n_freqs))
    return f, power
