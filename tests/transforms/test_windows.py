"""Tests of wavelens.transforms._windows: cutting, the window map, aggregation, spreading back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wavelens.data import SignalSet
from wavelens.exceptions import ValidationError
from wavelens.transforms import WindowMap, aggregate, make_windows, reassemble, spread

TAILS = ["drop", "pad", "keep_last", "error"]


def series_list(lengths, n_channels=2, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n_channels, n)).astype(dtype) for n in lengths]


# ------------------------------------------------------------------------------ make_windows
def test_windows_of_an_equal_length_collection():
    X = np.arange(2 * 3 * 10, dtype=np.float32).reshape(2, 3, 10)
    W, wmap = make_windows(X, size=4, step=3)
    assert W.shape == (6, 3, 4) and W.dtype == np.float32
    assert wmap.series.tolist() == [0, 0, 0, 1, 1, 1]
    assert wmap.start.tolist() == [0, 3, 6, 0, 3, 6]
    assert wmap.offsets.tolist() == [0, 3, 6] and wmap.lengths.tolist() == [10, 10]
    for w, (i, s) in enumerate(zip(wmap.series, wmap.start)):
        np.testing.assert_array_equal(W[w], X[i, :, s : s + 4])


def test_tail_policies():
    x = [np.arange(11.0)[None]]
    W, m = make_windows(x, size=4, tail="drop")
    assert m.start.tolist() == [0, 4] and not m.end_aligned.any()
    W, m = make_windows(x, size=4, tail="keep_last")
    assert m.start.tolist() == [0, 4, 7] and m.end_aligned.tolist() == [True]
    np.testing.assert_array_equal(W[-1, 0], [7, 8, 9, 10])
    W, m = make_windows(x, size=4, tail="pad", fill_value=-1.0)
    assert m.start.tolist() == [0, 4, 8] and m.n_valid.tolist() == [4, 4, 3]
    np.testing.assert_array_equal(W[-1, 0], [8, 9, 10, -1])
    with pytest.raises(ValidationError, match=r"series 0 \(id='0'\) \(n_times=11\): 3 samples are left over"):
        make_windows(x, size=4, tail="error")
    W, m = make_windows([np.arange(12.0)[None]], size=4, tail="error")
    assert m.start.tolist() == [0, 4, 8]
    # keep_last adds nothing when the grid already ends at the end
    assert make_windows([np.arange(12.0)[None]], size=4, tail="keep_last")[1].start.tolist() == [0, 4, 8]


def test_short_series_per_policy():
    X = SignalSet(series_list([20, 5, 30]), ids=["a", "b", "c"])
    for tail in ("drop", "keep_last", "error"):
        with pytest.raises(ValidationError, match=r"series 1 \(id='b'\) has n_times=5, shorter than the window size=8"):
            make_windows(X, size=8, tail=tail)
    W, m = make_windows(X, size=8, tail="pad")
    short = m.windows_of(1)
    assert m.start[short].tolist() == [0] and m.n_valid[short].tolist() == [5]
    np.testing.assert_array_equal(W[short][0, :, :5], X[1])
    np.testing.assert_array_equal(W[short][0, :, 5:], 0.0)


def test_bad_arguments():
    X = np.zeros((2, 1, 50))
    with pytest.raises(ValidationError, match=r"size must be >= 1, found 0"):
        make_windows(X, size=0)
    with pytest.raises(ValidationError, match=r"step must be an integer >= 1, found 2\.5"):
        make_windows(X, size=4, step=2.5)
    with pytest.raises(ValidationError, match=r"tail must be one of"):
        make_windows(X, size=4, tail="truncate")
    bad = X.copy()
    bad[1, 0, 3] = np.nan
    with pytest.raises(ValidationError, match=r"series 1 contains NaN or inf"):
        make_windows(bad, size=4)


@pytest.mark.parametrize("step", [4, 2, 7])
def test_reassemble_round_trip(step):
    X = series_list([40, 28, 57, 12], dtype=np.float32)
    W, wmap = make_windows(X, size=4, step=step, tail="pad")
    Y = reassemble(W, wmap)
    assert isinstance(Y, list)
    for x, y in zip(X, Y):
        covered = np.zeros(x.shape[1], bool)
        for s in range(0, x.shape[1], step):
            covered[s : s + 4] = True
        assert y.dtype == np.float32
        np.testing.assert_allclose(y[:, covered], x[:, covered], rtol=1e-6)
        np.testing.assert_array_equal(y[:, ~covered], 0.0)  # the gaps of step > size


def test_windows_with_step_equal_size_reassemble_to_the_series():
    X = np.random.default_rng(1).standard_normal((3, 2, 48))
    W, wmap = make_windows(X, size=8, tail="error")
    np.testing.assert_array_equal(reassemble(W, wmap), X)
    for i in range(3):
        np.testing.assert_array_equal(W[wmap.windows_of(i)].transpose(1, 0, 2).reshape(2, -1), X[i])


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 60), min_size=1, max_size=5),
    size=st.integers(1, 16),
    step=st.integers(1, 20),
    tail=st.sampled_from(["drop", "pad", "keep_last"]),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_window_map_properties(lengths, size, step, tail, dtype):
    if tail != "pad":
        lengths = [max(n, size) for n in lengths]
    X = series_list(lengths, n_channels=2, dtype=dtype, seed=len(lengths))
    W, m = make_windows(X, size=size, step=step, tail=tail)
    assert W.dtype == dtype and W.shape == (m.n_windows, 2, size)
    assert m.offsets[0] == 0 and m.offsets[-1] == m.n_windows and np.all(m.counts >= 1)
    assert np.array_equal(m.series, np.repeat(np.arange(len(lengths)), m.counts))
    for i, (x, n) in enumerate(zip(X, lengths)):
        rows = m.windows_of(i)
        starts, valid = m.start[rows], m.n_valid[rows]
        assert np.all(starts >= 0) and np.all(starts < n) and np.all(np.diff(starts) > 0)
        assert np.all(starts + valid <= n) and np.all(valid == np.minimum(size, n - starts))
        covered = np.zeros(n, bool)
        for w, s, v in zip(W[rows], starts, valid):
            np.testing.assert_array_equal(w[:, :v], x[:, s : s + v])
            np.testing.assert_array_equal(w[:, v:], 0.0)
            covered[s : s + v] = True
        grid = np.zeros(n, bool)
        for s in range(0, n, step):
            grid[s : s + size] = True
        if tail == "drop":
            # whole windows on the grid; at most step - 1 + size - 1 samples left at the end
            assert np.all(valid == size)
            last_end = starts[-1] + size
            assert np.array_equal(covered[:last_end], grid[:last_end]) and not covered[last_end:].any()
            assert n - last_end < step
        elif tail == "pad":
            assert np.array_equal(covered, grid)  # every sample unless step > size leaves gaps
        else:
            assert np.all(valid == size) and covered[-1]
            assert np.array_equal(covered[: starts[-1]], grid[: starts[-1]])
            if step <= size:
                assert covered.all()


# ------------------------------------------------------------------------------ aggregate
def reference(values, wmap, fn):
    return np.stack([fn(values[wmap.windows_of(i)]) for i in range(wmap.n_series)])


@pytest.mark.parametrize("ndim", [1, 2])
def test_aggregate_matches_per_series_numpy(ndim):
    X = series_list([50, 9, 33, 100, 16])
    _, wmap = make_windows(X, size=8, step=4, tail="pad")
    rng = np.random.default_rng(3)
    v = rng.standard_normal((wmap.n_windows, 3) if ndim == 2 else wmap.n_windows)
    cases = {
        "max": lambda a: a.max(axis=0),
        "mean": lambda a: a.mean(axis=0),
        "median": lambda a: np.median(a, axis=0),
        "quantile": lambda a: np.quantile(a, 0.8, axis=0),
        "topk_mean": lambda a: np.sort(a, axis=0)[-3:].mean(axis=0),
    }
    for how, fn in cases.items():
        got = aggregate(v, wmap, how=how, q=0.8)
        assert got.shape == ((5, 3) if ndim == 2 else (5,)) and got.dtype == np.float64
        np.testing.assert_allclose(got, reference(v, wmap, fn), rtol=1e-12, atol=1e-12)
    # a series with fewer than k windows: the mean of all of them
    assert wmap.counts[1] == 2
    np.testing.assert_allclose(aggregate(v, wmap, how="topk_mean", k=5)[1], v[wmap.windows_of(1)].mean(axis=0))


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(8, 80), min_size=1, max_size=6),
    value=st.floats(-1e6, 1e6, allow_nan=False),
    how=st.sampled_from(["max", "mean", "median", "topk_mean", "quantile"]),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_aggregate_of_constant_window_values_is_that_constant(lengths, value, how, dtype):
    _, wmap = make_windows(series_list(lengths, n_channels=1), size=8, step=3, tail="keep_last")
    v = np.full(wmap.n_windows, value, dtype=dtype)
    out = aggregate(v, wmap, how=how, k=3, q=0.37)
    assert out.dtype == dtype and out.shape == (len(lengths),)
    np.testing.assert_allclose(out, dtype(value), rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_windows_then_aggregate_round_trip_on_scores():
    X = np.random.default_rng(0).standard_normal((4, 1, 64))
    X[2, 0, 40:44] += 25.0  # a burst in series 2
    W, wmap = make_windows(X, size=16, step=8)
    scores = np.abs(W).max(axis=(1, 2))
    per_series = aggregate(scores, wmap, how="max")
    assert int(np.argmax(per_series)) == 2
    np.testing.assert_allclose(per_series, np.abs(X).max(axis=(1, 2)))


def test_aggregate_errors():
    _, wmap = make_windows(SignalSet(np.zeros((3, 1, 20)), ids=["x", "y", "z"]), size=5)
    v = np.zeros(wmap.n_windows)
    v[6] = np.nan
    with pytest.raises(ValidationError, match=r"window 6 \(of series 1 \(id='y'\), start 10\) has a NaN"):
        aggregate(v, wmap)
    with pytest.raises(ValidationError, match=r"window_values must have shape \(12,\) or \(12, n_features\)"):
        aggregate(np.zeros(11), wmap)
    with pytest.raises(ValidationError, match=r"how must be one of"):
        aggregate(np.zeros(12), wmap, how="sum")
    with pytest.raises(ValidationError, match=r"q must be a number in \[0, 1\]"):
        aggregate(np.zeros(12), wmap, how="quantile", q=1.5)
    with pytest.raises(ValidationError, match=r"k must be >= 1"):
        aggregate(np.zeros(12), wmap, how="topk_mean", k=0)
    with pytest.raises(ValidationError, match=r"window_map must be the WindowMap"):
        aggregate(np.zeros(12), {"series": wmap.series})


# ------------------------------------------------------------------------------ spread
def spread_reference(v, wmap, how):
    """Brute force: every sample looks at every window of its series."""
    out = []
    for i in range(wmap.n_series):
        rows = np.arange(*wmap.windows_of(i).indices(wmap.n_windows))
        n = int(wmap.lengths[i])
        res = np.empty((n,) + v.shape[1:])
        for t in range(n):
            inside = [w for w in rows if wmap.start[w] <= t < wmap.start[w] + wmap.size]
            if inside:
                vals = v[inside]
                res[t] = vals.mean(axis=0) if how == "mean" else vals.max(axis=0)
            else:
                dist = [
                    max(wmap.start[w] - t, t - (wmap.start[w] + wmap.size - 1)) for w in rows
                ]
                res[t] = v[rows[int(np.argmin(dist))]]
        out.append(res.T if v.ndim == 2 else res)
    return out


@settings(max_examples=50, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 40), min_size=1, max_size=4),
    size=st.integers(1, 9),
    step=st.integers(1, 12),
    tail=st.sampled_from(["drop", "pad", "keep_last"]),
    how=st.sampled_from(["mean", "max"]),
    n_features=st.sampled_from([0, 2]),
)
def test_spread_matches_brute_force(lengths, size, step, tail, how, n_features):
    if tail != "pad":
        lengths = [max(n, size) for n in lengths]
    _, wmap = make_windows(series_list(lengths, n_channels=1), size=size, step=step, tail=tail)
    rng = np.random.default_rng(len(lengths) + size)
    v = rng.standard_normal((wmap.n_windows, n_features) if n_features else wmap.n_windows)
    got = spread(v, wmap, how=how)
    for g, r in zip(got, spread_reference(v, wmap, how)):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12)


def test_spread_output_container_and_constant_values():
    _, wmap = make_windows(np.zeros((3, 2, 50), np.float32), size=10, step=4)
    out = spread(np.full(wmap.n_windows, 2.5, np.float32), wmap)
    assert isinstance(out, np.ndarray) and out.shape == (3, 50) and out.dtype == np.float32
    np.testing.assert_array_equal(out, 2.5)
    out2 = spread(np.ones((wmap.n_windows, 4)), wmap, how="max")
    assert out2.shape == (3, 4, 50)
    _, wmap = make_windows(series_list([30, 20]), size=10)
    out3 = spread(np.arange(5.0), wmap)
    assert isinstance(out3, list) and [o.shape for o in out3] == [(30,), (20,)]
    np.testing.assert_array_equal(out3[1], np.repeat([3.0, 4.0], 10))


def test_window_map_repr_and_reassemble_errors():
    W, wmap = make_windows(np.zeros((2, 1, 20)), size=5)
    assert repr(wmap) == "WindowMap(n_series=2, n_windows=8, size=5, step=5, tail='drop')"
    assert isinstance(wmap, WindowMap)
    with pytest.raises(ValidationError, match=r"windows must have shape \(8, n_channels, 5\)"):
        reassemble(W[:, :, :4], wmap)
