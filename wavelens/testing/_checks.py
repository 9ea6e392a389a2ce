"""The common checks every wavelens estimator passes.

Use :func:`check_estimator` on your own estimator, or iterate
:func:`estimator_checks` to parametrise a pytest test (as ``tests/test_common.py``
does). Each check builds small realistic data from :func:`make_collection`,
sized by the estimator's tags, and asserts real behaviour.
"""

from __future__ import annotations

import pickle
from typing import Any, Callable, Iterator

import numpy as np
from sklearn.base import clone

from ..data import SignalSet
from ..exceptions import NotFittedError, ValidationError
from ._data import make_collection, plant_anomalies

__all__ = ["check_estimator", "estimator_checks"]

_OUTPUT_METHODS = ("transform", "decision_function", "predict", "embed")


def _tags(est: Any) -> dict[str, Any]:
    get = getattr(est, "get_tags", None)
    if get is None:
        from ..base import _DEFAULT_TAGS

        return dict(_DEFAULT_TAGS)
    return get()


def _data(est: Any, *, n_series: int = 8, ragged: bool = False, dtype: Any = np.float32, seed: int = 0) -> SignalSet:
    tags = _tags(est)
    n_times = max(256, int(tags.get("min_length", 1)))
    return make_collection(
        n_series=n_series,
        n_channels=2,
        n_times=n_times,
        fs=100.0,
        ragged=ragged,
        min_times=max(int(tags.get("min_length", 1)), n_times // 2),
        dtype=dtype,
        random_state=seed,
    )


def _output(est: Any, X: Any) -> Any:
    for name in _OUTPUT_METHODS:
        method = getattr(est, name, None)
        if method is not None:
            return method(X)
    raise AssertionError(f"{type(est).__name__} has none of {_OUTPUT_METHODS}")


def _assert_same(a: Any, b: Any, msg: str) -> None:
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), msg
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u, v, err_msg=msg)
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=msg)


def _fit(est: Any, X: Any) -> Any:
    if _tags(est).get("requires_y", False):
        # supervised estimators (tag requires_y): two classes, alternating over the series
        labels = getattr(X, "labels", None)
        return est.fit(X, labels if labels is not None else np.arange(len(X)) % 2)
    return est.fit(X)


def check_get_params_and_clone(est: Any) -> None:
    """``__init__`` stores its arguments unchanged; ``clone`` gives equal parameters."""
    params = est.get_params(deep=False)
    for name, value in params.items():
        assert getattr(est, name) is value, f"__init__ must store {name!r} unchanged"
    twin = clone(est)
    assert type(twin) is type(est)
    for name, value in twin.get_params(deep=False).items():
        other = params[name]
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other)
        elif hasattr(value, "get_params"):
            assert type(value) is type(other)
        elif isinstance(value, (list, tuple)) and any(hasattr(v, "get_params") for v in value):
            # a list of estimators (an ensemble's members): clone clones each member
            assert [type(v) for v in value] == [type(v) for v in other], f"clone changed parameter {name!r}"
        else:
            assert value == other, f"clone changed parameter {name!r}"


def check_fit_returns_self(est: Any) -> None:
    """``fit`` returns the estimator itself and sets fitted attributes ending in ``_``."""
    est = clone(est)
    X = _data(est)
    assert _fit(est, X) is est, "fit must return self"
    fitted = [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]
    assert fitted, "fit must set at least one attribute ending in '_'"


def check_not_fitted(est: Any) -> None:
    """Using an estimator before ``fit`` raises NotFittedError."""
    est = clone(est)
    X = _data(est)
    for name in _OUTPUT_METHODS:
        method = getattr(est, name, None)
        if method is None:
            continue
        try:
            method(X)
        except NotFittedError:
            continue
        raise AssertionError(f"{type(est).__name__}.{name} before fit must raise NotFittedError")


def check_deterministic(est: Any) -> None:
    """Two fits with the same ``random_state`` give the same output."""
    X = _data(est)
    params = est.get_params(deep=False)
    a, b = clone(est), clone(est)
    if "random_state" in params:
        a.set_params(random_state=0)
        b.set_params(random_state=0)
    _assert_same(_output(_fit(a, X), X), _output(_fit(b, X), X), "same seed must give the same output")


def check_pickle_roundtrip(est: Any) -> None:
    """A pickled and unpickled fitted estimator gives the same output."""
    est = clone(est)
    X = _data(est)
    _fit(est, X)
    again = pickle.loads(pickle.dumps(est))
    _assert_same(_output(est, X), _output(again, X), "pickle round trip changed the output")


def check_nan_rejected(est: Any) -> None:
    """NaN in a series is rejected with an error that names the series."""
    est = clone(est)
    X = _data(est)
    _fit(est, X)
    bad = X.to_numpy().copy()
    bad[3, 0, 5] = np.nan
    try:
        _output(est, SignalSet(bad, fs=X.fs, ids=X.ids))
    except ValidationError as err:
        assert "series 3" in str(err), f"the error must name the series: {err}"
        return
    raise AssertionError(f"{type(est).__name__} accepted NaN without raising ValidationError")


def check_ragged(est: Any) -> None:
    """Ragged input works (one output per series) or is refused with a clear message."""
    est = clone(est)
    X = _data(est, ragged=True)
    if _tags(est).get("capability:ragged", False):
        _fit(est, X)
        out = _output(est, X)
        assert len(out) == len(X), "one output per series"
        # a series' output must not depend on the others
        single = _output(est, X[[2]])
        _assert_close(out[2], single[0], "a series' output changed with its neighbours")
    else:
        try:
            _fit(est, X)
            _output(est, X)
        except ValidationError as err:
            assert "length" in str(err), f"the refusal must say the lengths differ: {err}"
            return
        raise AssertionError(f"{type(est).__name__} is tagged not ragged but accepted ragged input")


def _assert_close(a: Any, b: Any, msg: str) -> None:
    a, b = np.asarray(a), np.asarray(b)
    tol = 1e-4 if a.dtype == np.float32 else 1e-9
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=msg)


def check_dtype_kept(est: Any) -> None:
    """float32 in gives float32 out, float64 in gives float64 out (if tagged)."""
    if not _tags(est).get("preserves_dtype", True):
        return
    for dtype in (np.float32, np.float64):
        e = clone(est)
        X = _data(e, dtype=dtype)
        out = _output(_fit(e, X), X)
        arr = out[0] if isinstance(out, list) else out
        if _tags(e).get("output") == "scores":
            assert np.asarray(arr).dtype == np.float64, "scores are float64"
        else:
            assert np.asarray(arr).dtype == dtype, f"{np.dtype(dtype).name} in must give {np.dtype(dtype).name} out"


def check_constant_series(est: Any) -> None:
    """A constant or all-zero series gives finite output, never NaN."""
    est = clone(est)
    X = _data(est)
    _fit(est, X)
    arr = X.to_numpy().copy()
    arr[1] = 0.0
    arr[2] = 3.5
    out = _output(est, SignalSet(arr, fs=X.fs, ids=X.ids))
    rows = out if isinstance(out, list) else [out]
    for r in rows:
        assert np.isfinite(np.asarray(r, dtype=np.float64)).all(), "constant series must give finite output"


def check_signalset_equals_array(est: Any) -> None:
    """A SignalSet gives the same output as its array with ``fs=`` passed along."""
    est = clone(est)
    X = _data(est)
    a = _output(_fit(est, X), X)
    twin = clone(est)
    if "fs" in twin.get_params(deep=False):
        # estimators that need the rate take it as the fs= hyperparameter
        twin.set_params(fs=X.fs)
    b = _output(_fit(twin, X.to_numpy()), X.to_numpy())
    _assert_same(a, b, "SignalSet and bare array (+ fs=) must give the same output")


def check_planted_anomaly_ranked_first(est: Any) -> None:
    """A detector fitted on normal series ranks a planted anomaly first."""
    if _tags(est).get("output") != "scores":
        return
    est = clone(est)
    train = _data(est, n_series=30, seed=1)
    test = _data(est, n_series=12, seed=2)
    for kind in ("burst", "constant"):
        e = clone(est)
        _fit(e, train)
        bad, idx = plant_anomalies(test, kind=kind, indices=[5], random_state=0)
        scores = e.decision_function(bad)
        assert scores.dtype == np.float64 and scores.shape == (len(test),)
        assert int(np.argmax(scores)) == 5, f"planted {kind!r} anomaly not ranked first: {scores}"


_CHECKS: list[Callable[[Any], None]] = [
    check_get_params_and_clone,
    check_fit_returns_self,
    check_not_fitted,
    check_deterministic,
    check_pickle_roundtrip,
    check_nan_rejected,
    check_ragged,
    check_dtype_kept,
    check_constant_series,
    check_signalset_equals_array,
    check_planted_anomaly_ranked_first,
]


def estimator_checks(est: Any) -> Iterator[tuple[str, Callable[[], None]]]:
    """Yield ``(name, check)`` pairs for ``est``; each ``check()`` raises on failure."""
    for check in _CHECKS:
        yield check.__name__, (lambda c=check: c(est))


def check_estimator(est: Any) -> None:
    """Run every common check on ``est``; raise AssertionError on the first failure.

    Examples
    --------
    >>> from wavelens.testing import check_estimator
    >>> from wavelens.testing._checks import _CHECKS
    >>> len(_CHECKS) >= 10
    True
    """
    for name, run in estimator_checks(est):
        try:
            run()
        except AssertionError as err:
            raise AssertionError(f"{type(est).__name__} fails {name}: {err}") from err
