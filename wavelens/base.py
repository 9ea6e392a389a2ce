"""Base classes of wavelens estimators: scikit-learn's contract plus capability tags.

The contract (scikit-learn's, see ``sklearn/base.py``): ``__init__`` only stores its
arguments under the same names; validation happens in ``fit``; fitted attributes end
in ``_``; ``fit`` returns ``self``; ``get_params``/``set_params``/``clone`` work.

Capability tags tell the common checks in :mod:`wavelens.testing` (and users) what
an estimator accepts and returns:

``capability:ragged`` (bool)
    Accepts series of unequal length. Estimators whose output has a time axis
    refuse ragged input with a clear message instead.
``requires_fs`` (bool)
    Needs the sampling rate (``fs=`` or a SignalSet that has it).
``output`` (str)
    ``"features"`` ``(n_series, n_features)``, ``"timefreq"``
    ``(n_series, n_channels, n_freqs, n_frames)``, ``"series"``
    ``(n_series, n_channels, n_times)`` or a ragged list, ``"image"``
    ``(n_series, n_channels, nbins, nbins)``, ``"scores"`` ``(n_series,)``.
``preserves_dtype`` (bool)
    float32 in gives float32 out.
``stochastic`` (bool)
    Takes ``random_state``; same seed, same result.
``min_length`` (int)
    Shortest series the estimator's test parameters can handle.
"""

from __future__ import annotations

from typing import Any

from sklearn.base import BaseEstimator, TransformerMixin

from .exceptions import NotFittedError

__all__ = ["WavelensEstimator", "BaseTransform", "check_is_fitted"]

_DEFAULT_TAGS: dict[str, Any] = {
    "capability:ragged": False,
    "requires_fs": False,
    "output": "features",
    "preserves_dtype": True,
    "stochastic": False,
    "min_length": 1,
}


class WavelensEstimator(BaseEstimator):
    """Base of every wavelens estimator: tags and test parameters on top of scikit-learn's."""

    _tags: dict[str, Any] = {}

    @classmethod
    def get_class_tags(cls) -> dict[str, Any]:
        """Tags merged along the class hierarchy (subclasses override parents)."""
        tags = dict(_DEFAULT_TAGS)
        for klass in reversed(cls.__mro__):
            tags.update(klass.__dict__.get("_tags", {}))
        return tags

    def get_tags(self) -> dict[str, Any]:
        """Tags of this instance (by default, those of its class)."""
        return self.get_class_tags()

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        """Small parameter sets the common checks run with (override per estimator)."""
        return [{}]


class BaseTransform(TransformerMixin, WavelensEstimator):
    """Base of wavelens transformers (``fit`` / ``transform``, usable in a Pipeline)."""

    _tags = {"output": "features"}


def check_is_fitted(estimator: BaseEstimator, attributes: str | list[str] | None = None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has been fitted.

    Parameters
    ----------
    estimator : estimator instance
    attributes : str or list of str, optional
        Fitted attributes to look for; by default any attribute ending in ``_``
        that does not start with ``_``.
    """
    if attributes is None:
        fitted = [k for k in vars(estimator) if k.endswith("_") and not k.startswith("_")]
    else:
        names = [attributes] if isinstance(attributes, str) else list(attributes)
        fitted = [a for a in names if hasattr(estimator, a)]
        if len(fitted) != len(names):
            fitted = []
    if not fitted:
        name = type(estimator).__name__
        raise NotFittedError(
            f"This {name} instance is not fitted yet. Call {name}.fit(X) before using it."
        )
