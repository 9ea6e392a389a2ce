"""The shell shared by the series-to-series transforms of :mod:`._preprocess` (detrend,
standardise), :mod:`._filters` (Butterworth filters, resampling) and
:mod:`._derivatives` (spline and Savitzky–Golay derivatives): their argument checks,
the sampling rate of every series, and the estimator base ``_SeriesTransform``.

Every transform there maps series to series and is a plain function plus a thin
scikit-learn transformer that calls it; the functions run their kernels over blocks of
series with :func:`._blockmap._map_series`.

Containers and dtypes
---------------------
A 3-D array ``(n_series, n_channels, n_times)`` in gives a 3-D array out (a 2-D
``(n_series, n_times)`` or 1-D array is one channel, and gives a 3-D array); a list of
``(n_channels, n_times_i)`` arrays in gives a list out, each series keeping its length
(after :func:`resample`, its new length). A :class:`~wavelens.data.SignalSet`
in gives its data's container (array or list), not a SignalSet: outputs are plain
arrays, as everywhere in wavelens, in the order of the input, so the set's ``ids`` and
``labels`` still apply position by position. The rate is not carried along: in a
``Pipeline``, give ``fs=`` to the steps after the first that need it (after
``Resample``, the new rate, ``Resample.fs_out_``). float32 in gives float32 out, float64
gives float64; the arithmetic is float64 (except resampling, which filters in the
input's dtype, as :func:`scipy.signal.resample_poly` does).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..base import BaseTransform, check_is_fitted
from ..data import CollectionMeta, check_collection
from ..exceptions import ValidationError
from ._blockmap import _same_kind

__all__: list[str] = []


# --------------------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------------------
def _check_choice(caller: str, name: str, value: Any, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(
            f"{caller}: {name} must be one of {tuple(choices)!r}, found {value!r}."
        )
    return value


def _check_int(caller: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValidationError(
            f"{caller}: {name} must be an integer >= {minimum}, found {value!r}."
        )
    if value < minimum:
        raise ValidationError(f"{caller}: {name} must be >= {minimum}, found {value!r}.")
    return int(value)


def _fs_rows(fs: float | np.ndarray | None, n_series: int) -> np.ndarray | None:
    """The sampling rate of every series, float64 ``(n_series,)``, or None."""
    if fs is None:
        return None
    return np.broadcast_to(np.asarray(fs, dtype=np.float64), (n_series,))


# --------------------------------------------------------------------------------------
# estimators: the shell every series-to-series transformer shares
# --------------------------------------------------------------------------------------
def _caller(est: Any) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in est.get_params(deep=False).items() if k != "fs")
    return f"{type(est).__name__}({params})"


def _transform_fs(est: Any, meta: CollectionMeta) -> float | np.ndarray | None:
    """The rate at transform: ``fs=``/the SignalSet's, else the one seen in ``fit``."""
    if meta.fs is not None:
        return meta.fs
    fitted = est.fs_
    if fitted is None or np.ndim(fitted) == 0 or np.shape(fitted) == (meta.n_series,):
        return fitted
    raise ValidationError(
        f"{_caller(est)}: fs is missing and the per-series rates seen in fit do not match "
        f"{meta.n_series} series. Pass fs= (in Hz) or a SignalSet that has it."
    )


class _SeriesTransform(BaseTransform):
    """Shared shell: validate in ``fit``, remember channels and rate, transform series."""

    _tags = {"capability:ragged": True, "output": "series", "preserves_dtype": True}

    def _validate(self, caller: str) -> None:
        """Check hyperparameters (raises ValidationError)."""

    def fit(self, X: Any, y: Any = None) -> "_SeriesTransform":
        """Check the hyperparameters and the data; remember ``n_channels_`` and ``fs_``.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray
        y : ignored

        Returns
        -------
        self
        """
        caller = _caller(self)
        self._validate(caller)
        data, meta = check_collection(X, fs=getattr(self, "fs", None), caller=caller)
        self._check_fit_data(data, meta, caller)
        self.n_channels_ = meta.n_channels
        self.fs_ = meta.fs
        return self

    def _check_fit_data(self, data: Any, meta: CollectionMeta, caller: str) -> None:
        """Extra checks on the fit data (e.g. the rate against the cutoffs)."""

    def transform(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """Transform every series.

        Parameters
        ----------
        X : SignalSet, ndarray of shape (n_series, n_channels, n_times) or list of ndarray

        Returns
        -------
        ndarray of shape (n_series, n_channels_out, n_times_out) or list of ndarray
            Same container kind and dtype as ``X`` (see the class docstring).
        """
        check_is_fitted(self, "n_channels_")
        caller = _caller(self)
        data, meta = check_collection(X, fs=getattr(self, "fs", None), caller=caller)
        return _same_kind(X, self._apply(data, meta, caller))

    def _apply(self, data: Any, meta: CollectionMeta, caller: str) -> Any:
        raise NotImplementedError
