"""plot_image / PlotImage: the batched numba rasteriser against the per-plot reference.

The reference (``wavelens.testing._plot_reference.reference_plot_to_array``) is the
study's rasteriser written plainly with ``scipy.stats.binned_statistic``; the first
tests pin it to hand-drawn images so that it states the documented rules, the
property and sweep tests then demand that the fast path gives the very same values.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from wavelens.data import SignalSet
from wavelens.exceptions import NotFittedError, ValidationError
from wavelens.testing._plot_reference import (
    edge_values,
    make_power_spectra,
    reference_plot_to_array,
)
from wavelens.transforms import PlotImage, plot_image


def _reference(x, Y, nbins, s, xlim, ylim):
    """Per-plot reference over a batch; x shared (n,) or per series (n_series, n)."""
    X = np.broadcast_to(x, Y.shape) if np.ndim(x) == 1 else x
    return np.stack(
        [reference_plot_to_array(X[i], Y[i], nbins, s, *xlim, *ylim) for i in range(len(Y))]
    )


def _assert_identical(x, Y, nbins, s, xlim, ylim):
    fast = plot_image(Y, x=x, nbins=nbins, supersample=s, xlim=xlim, ylim=ylim)
    ref = _reference(x, Y, nbins, s, xlim, ylim)
    assert fast.dtype == np.float32 and fast.shape == ref.shape
    bad = np.flatnonzero((fast != ref).reshape(len(Y), -1).any(axis=1))
    assert bad.size == 0, (
        f"{bad.size} of {len(Y)} images differ from the reference (nbins={nbins}, s={s}, "
        f"xlim={xlim}, ylim={ylim}); first: series {bad[0] if bad.size else None}"
    )


def _assert_identical_log(x, Y, nbins, s, xlim, ylim):
    """log=True equals the reference fed numpy.log10 of x, Y and the limits."""
    fast = plot_image(Y, x=x, nbins=nbins, supersample=s, xlim=xlim, ylim=ylim, log=True)
    ref = _reference(np.log10(x), np.log10(Y), nbins, s, np.log10(xlim), np.log10(ylim))
    np.testing.assert_array_equal(fast, ref)


def _draw(x, y, nbins=4, s=1, xlim=(0.0, 4.0), ylim=(0.0, 4.0)):
    """The reference and the fast path on one line; they must agree; return the image."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ref = reference_plot_to_array(x, y, nbins, s, *xlim, *ylim)
    fast = plot_image(y, x=x, nbins=nbins, supersample=s, xlim=xlim, ylim=ylim)
    np.testing.assert_array_equal(fast, ref)
    return ref


def _image(black, nbins=4):
    """A white nbins x nbins image with the given (row-from-top, column) pixels black."""
    img = np.ones((nbins, nbins), dtype=np.float32)
    for r, c in black:
        img[r, c] = 0.0
    return img


# -- the rules, drawn by hand (4 x 4 image on [0, 4] x [0, 4]: one unit per pixel) ---
def test_flat_line_inside_a_pixel_row():
    # y = 1.5 is in pixel row 1 from the bottom, image row 2
    img = _draw([0.0, 4.0], [1.5, 1.5])
    np.testing.assert_array_equal(img, _image([(2, c) for c in range(4)]))


def test_flat_line_on_a_pixel_boundary_is_drawn_in_the_row_above():
    img = _draw([0.0, 4.0], [2.0, 2.0])
    np.testing.assert_array_equal(img, _image([(1, c) for c in range(4)]))


def test_lines_on_the_axis_limits_are_drawn_in_the_border_rows():
    np.testing.assert_array_equal(_draw([0.0, 4.0], [4.0, 4.0]), _image([(0, c) for c in range(4)]))
    np.testing.assert_array_equal(_draw([0.0, 4.0], [0.0, 0.0]), _image([(3, c) for c in range(4)]))


@pytest.mark.parametrize("level", [4.0001, 5.0, 1e300, -1e-9, -7.0, -1e300])
def test_a_line_wholly_outside_the_y_range_is_not_drawn(level):
    np.testing.assert_array_equal(_draw([0.0, 4.0], [level, level]), np.ones((4, 4), np.float32))


def test_a_line_leaving_the_y_range_is_drawn_up_to_the_border():
    # y = 3x - 4: -4, -1, 2, 5, 8 at the column edges
    img = _draw([0.0, 4.0], [-4.0, 8.0])
    np.testing.assert_array_equal(img, _image([(3, 1), (2, 1), (1, 1), (1, 2), (0, 2)]))


def test_columns_outside_the_data_are_white_and_edges_keep_the_line_continuous():
    # data only on [1.5, 2.5]: columns 0 and 3 white; column 1 gets the point at 1.5
    # and the line at x=2; column 2 the line at x=2 and the point at 2.5
    img = _draw([1.5, 2.5], [0.5, 2.5])
    np.testing.assert_array_equal(img, _image([(3, 1), (2, 1), (2, 2), (1, 2)]))


def test_a_line_starting_on_an_edge_starts_in_the_column_on_the_right():
    img = _draw([1.0, 4.0], [1.5, 1.5])
    np.testing.assert_array_equal(img, _image([(2, 1), (2, 2), (2, 3)]))
    # ... and one ending on an edge touches the column on the right at one point
    img = _draw([0.0, 2.0], [1.5, 3.5])
    np.testing.assert_array_equal(img, _image([(2, 0), (1, 0), (1, 1), (0, 1), (0, 2)]))


def test_points_beyond_the_x_limits_only_enter_through_the_border_edges():
    # the spike at x=5 is outside [0, 4]; column 3 sees the line at x=3 and x=4 only
    img = _draw([0.0, 4.0, 5.0, 6.0], [0.5, 0.5, 100.0, 0.5])
    np.testing.assert_array_equal(img, _image([(3, c) for c in range(4)]))


def test_a_line_wholly_outside_the_x_limits_is_not_drawn():
    np.testing.assert_array_equal(_draw([4.5, 9.0], [1.0, 2.0]), np.ones((4, 4), np.float32))
    np.testing.assert_array_equal(_draw([-9.0, -0.5], [1.0, 2.0]), np.ones((4, 4), np.float32))
    # ... but one passing over them is, from its values at x = 0 and x = 4
    img = _draw([-4.0, 8.0], [0.5, 0.5])
    np.testing.assert_array_equal(img, _image([(3, c) for c in range(4)]))


def test_a_point_at_xmax_belongs_to_the_last_column():
    img = _draw([3.5, 4.0], [0.5, 3.5])
    np.testing.assert_array_equal(img, _image([(3, 3), (2, 3), (1, 3), (0, 3)]))


def test_supersampling_averages_blocks_into_grey_levels():
    # drawn at 4 x 4: image row 2 black; blocks of 2 x 2 -> bottom half 0.5
    img = _draw([0.0, 4.0], [1.5, 1.5], nbins=2, s=2)
    np.testing.assert_array_equal(img, np.array([[1.0, 1.0], [0.5, 0.5]], np.float32))
    # s = 3 gives levels k/9, exactly as the float64 block mean rounded to float32
    img = _draw([0.0, 6.0], [0.0, 6.0], nbins=2, s=3, xlim=(0.0, 6.0), ylim=(0.0, 6.0))
    assert set(np.unique(img).tolist()) <= {np.float32(k / 9) for k in range(10)}


def test_reference_interpolation_agrees_with_numpy_interp():
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0, 10, 200))
    y = rng.normal(size=200)
    e = rng.uniform(x[0], x[-1], 500)
    np.testing.assert_allclose(edge_values(x, y, e), np.interp(e, x, y), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(edge_values(x, y, x), y)  # exact at the vertices


# -- the fast path equals the reference: properties and a seeded sweep -------------------
@st.composite
def _cases(draw):
    nbins = draw(st.integers(2, 24))
    s = draw(st.sampled_from([1, 2, 3, 4]))
    R = nbins * s
    aligned = draw(st.booleans())
    if aligned:
        # integer data on an integer grid: points exactly on column edges and values
        # exactly on pixel boundaries
        xlim = ylim = (0.0, float(R))
        coord = st.integers(-3, R + 3).map(float)
        ys = st.integers(-3, R + 3).map(float)
    else:
        a = draw(st.floats(-100, 100))
        w = draw(st.floats(0.01, 100))
        b = draw(st.floats(-100, 100))
        h = draw(st.floats(0.01, 100))
        xlim, ylim = (a, a + w), (b, b + h)
        coord = st.floats(a - w, a + 2 * w, allow_nan=False)
        ys = st.one_of(
            st.floats(b - h, b + 2 * h, allow_nan=False),
            st.sampled_from([b, b + h, b + h / 2, -1e300, 1e300]),
        )
    n_series = draw(st.integers(1, 4))
    n = draw(st.integers(2, 40))
    shared = draw(st.booleans())
    xrow = st.lists(coord, min_size=n, max_size=n, unique=True).map(sorted)
    if shared:
        x = np.array(draw(xrow))
    else:
        x = np.array([draw(xrow) for _ in range(n_series)])
    Y = np.array([draw(st.lists(ys, min_size=n, max_size=n)) for _ in range(n_series)])
    return x, Y, nbins, s, xlim, ylim


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases())
def test_fast_equals_reference_property(case):
    x, Y, nbins, s, xlim, ylim = case
    _assert_identical(x, Y, nbins, s, xlim, ylim)


@st.composite
def _log_cases(draw):
    nbins = draw(st.integers(2, 24))
    s = draw(st.sampled_from([1, 2, 3, 4]))
    a = draw(st.integers(-3, 3))
    ylim = (10.0**a, 10.0 ** (a + draw(st.integers(1, 8))))
    b = draw(st.integers(-2, 2))
    xlim = (10.0**b, 10.0 ** (b + draw(st.integers(1, 3))))
    n_series = draw(st.integers(1, 3))
    n = draw(st.integers(2, 30))
    # powers of ten: on column edges and pixel boundaries, or a hair from them
    pos = st.one_of(
        st.integers(-40, 120).map(lambda k: 10.0 ** (k / 10)),
        st.floats(1e-4, 1e12, allow_nan=False),
    )
    coord = st.one_of(st.integers(-30, 60).map(lambda k: 10.0 ** (k / 10)), st.floats(1e-3, 1e6))
    x = np.array(draw(st.lists(coord, min_size=n, max_size=n, unique=True).map(sorted)))
    assume(np.all(np.diff(np.log10(x)) > 0))  # distinct x can share a log10
    Y = np.array([draw(st.lists(pos, min_size=n, max_size=n)) for _ in range(n_series)])
    return x, Y, nbins, s, xlim, ylim


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_log_cases())
def test_fast_equals_reference_log_property(case):
    x, Y, nbins, s, xlim, ylim = case
    _assert_identical_log(x, Y, nbins, s, xlim, ylim)


def _family(kind, rng, n_series, n, R, xlim, ylim):
    """Adversarial batches on [xlim] x [ylim] (n_series, n); x shared or per series."""
    x0, x1 = xlim
    y0, y1 = ylim
    h = y1 - y0
    shared = rng.random() < 0.5
    nx = 1 if shared else n_series
    if kind == "sparse":  # fewer points than columns: empty and single-point columns
        n = int(rng.integers(2, max(3, R // 3)))
    if kind == "on_edges":  # points exactly on column edges
        edges = np.linspace(x0, x1, R + 1)
        n = min(n, R + 1)
        x = np.sort(np.stack([rng.choice(edges, size=n, replace=False) for _ in range(nx)]), axis=1)
    elif kind == "partial":  # data covering only part of the x-range, or overhanging it
        a = rng.uniform(x0 - 0.3 * (x1 - x0), x0 + 0.5 * (x1 - x0), size=(nx, 1))
        b = a + rng.uniform(0.1, 1.5, size=(nx, 1)) * (x1 - x0)
        x = np.sort(rng.uniform(a, b, size=(nx, n)), axis=1)
    else:
        pad = 0.1 * (x1 - x0)
        x = np.sort(rng.uniform(x0 - pad, x1 + pad, size=(nx, n)), axis=1)
    t = np.linspace(0.0, 1.0, n)
    if kind == "flat":
        levels = [y0, y1, y0 + h / 2, y0 - h, y1 + h, y0 + h * 3 / R]
        levels = rng.choice(levels, size=(n_series, 1))
        Y = np.broadcast_to(levels, (n_series, n)).copy()
    elif kind == "spiky":
        Y = y0 + h * (0.2 + 0.1 * rng.random((n_series, n)))
        spikes = rng.random((n_series, n)) < 0.05
        Y[spikes] += h * rng.uniform(0.5, 3.0, size=spikes.sum())
    elif kind == "above":
        Y = y1 + h * rng.uniform(0.0, 2.0, size=(n_series, n))
    elif kind == "below":
        Y = y0 - h * rng.uniform(0.0, 2.0, size=(n_series, n))
    elif kind == "steps":
        steps = rng.integers(-1, 3, size=(n_series, 1 + n // 8)).repeat(8, axis=1)[:, :n]
        Y = y0 + h * steps / 2.0
    elif kind == "reenter":  # in, out above, in, out below
        f = rng.uniform(1, 6, size=(n_series, 1))
        amp = h * rng.uniform(0.6, 1.5, size=(n_series, 1))
        Y = y0 + h / 2 + amp * np.sin(2 * np.pi * f * t)
    elif kind == "boundaries":  # values exactly on pixel boundaries
        Y = y0 + h * rng.integers(-2, R + 3, size=(n_series, n)) / R
    else:  # "noise", "sparse", "on_edges", "partial"
        Y = y0 + h * rng.uniform(-0.3, 1.3, size=(n_series, n))
    # (uniform draws practically never repeat; if they do, fall back to a grid)
    if np.any(np.diff(x, axis=1) <= 0):
        x = np.broadcast_to(np.linspace(x0, x1, n), (nx, n))
    return (x[0] if shared else x), Y


_KINDS = [
    "flat", "spiky", "above", "below", "steps", "reenter", "boundaries",
    "noise", "sparse", "on_edges", "partial",
]


@pytest.mark.parametrize("nbins", [16, 32, 64, 128])
@pytest.mark.parametrize("s", [1, 2, 4])
def test_fast_equals_reference_seeded_sweep(nbins, s):
    rng = np.random.default_rng(1000 * nbins + s)
    R = nbins * s
    # 4,510 spectra over the 12 cases; fewer where the reference's R x R image is big
    per_kind = {16: 96, 32: 64, 64: 40, 128: 24}[nbins] // (1 if s == 1 else s // 2 + 1)
    for kind in _KINDS:
        a, b = rng.uniform(-5, 5, size=2)
        xlim = (float(a), float(a + rng.uniform(0.5, 50)))
        ylim = (float(b), float(b + rng.uniform(0.5, 50)))
        x, Y = _family(kind, rng, per_kind, int(rng.integers(2, 400)), R, xlim, ylim)
        _assert_identical(x, Y, nbins, s, xlim, ylim)


def test_fast_equals_reference_on_tess_spectra_log_log():
    f, P = make_power_spectra(60, 1500, random_state=7)
    for nbins, s in [(128, 1), (64, 2), (32, 4)]:
        _assert_identical_log(f, P, nbins, s, (3.0, 283.0), (3.0, 3e7))
    img = plot_image(P, x=f, nbins=128, xlim=(3, 283), ylim=(3, 3e7), log=True)
    # every spectrum leaves ink and blank
    assert (img.min(axis=(1, 2)) == 0.0).all() and (img.max(axis=(1, 2)) == 1.0).all()


@pytest.mark.parametrize("nbins, s", [(16, 1), (16, 4), (32, 2), (64, 1)])
def test_fast_equals_reference_log_log_on_pixel_boundaries(nbins, s):
    # ylim = (1, 10**D): log10 of 10**(q * D / R) lands on (or a hair from) the pixel
    # boundary q, where log10's own rounding decides the pixel; the fast path then
    # redraws those rows from log10 of every point and must still match exactly
    rng = np.random.default_rng(nbins * 10 + s)
    R = nbins * s
    D = 8
    ylim = (1.0, 10.0**D)
    xlim = (10.0, 1e4)
    edges = np.linspace(1.0, 4.0, R + 1)
    n = 3 * R
    on_edges = 10.0 ** rng.choice(edges, R // 2, replace=False)
    x = np.unique(np.concatenate([on_edges, 10.0 ** rng.uniform(0.8, 4.2, n)]))
    shape = (40, x.size)
    on_boundaries = 10.0 ** (rng.integers(-2, R + 3, size=shape) * D / R)
    Y = np.where(rng.random(shape) < 0.7, on_boundaries, 10.0 ** rng.uniform(-0.5, D + 0.5, shape))
    _assert_identical_log(x, Y, nbins, s, xlim, ylim)


def test_fast_equals_reference_log_log_with_one_x_per_series():
    rng = np.random.default_rng(11)
    X = np.sort(10.0 ** rng.uniform(0.3, 2.6, size=(30, 400)), axis=1)
    Y = np.where(rng.random((30, 400)) < 0.3, 10.0 ** rng.integers(0, 8, (30, 400)),
                 10.0 ** rng.uniform(-1, 9, (30, 400)))
    for nbins, s in [(32, 1), (16, 3)]:
        _assert_identical_log(X, Y, nbins, s, (3.0, 283.0), (1.0, 1e8))


def test_rows_with_an_extent_on_a_pixel_boundary_are_redrawn_from_all_logs(monkeypatch):
    from wavelens.transforms import _plotimage

    calls = []
    draw = _plotimage._draw_columns

    def spy(V, *args):
        calls.append(V.shape[0])
        return draw(V, *args)

    monkeypatch.setattr(_plotimage, "_draw_columns", spy)
    x = np.array([1.0, 10.0, 100.0])
    # 10**2 is exactly on the boundary between pixel rows 1 and 2 of [1, 1e4] / 4 rows
    on = np.array([[100.0, 100.0, 100.0], [30.0, 30.0, 30.0]])
    img = plot_image(on, x=x, nbins=4, xlim=(1, 100), ylim=(1, 1e4), log=True, n_jobs=1)
    assert calls == [2, 1]  # both rows drawn, then the one on the boundary redrawn
    np.testing.assert_array_equal(img[0], _image([(1, c) for c in range(4)]))
    np.testing.assert_array_equal(img[1], _image([(2, c) for c in range(4)]))
    calls.clear()
    plot_image(on[1:], x=x, nbins=4, xlim=(1, 100), ylim=(1, 1e4), log=True, n_jobs=1)
    assert calls == [1]


def test_supersampled_image_is_the_block_mean_of_the_large_one():
    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(0, 10, 300))
    Y = rng.normal(size=(6, 300))
    big = plot_image(Y, x=x, nbins=64, xlim=(0, 10), ylim=(-2, 2))
    for s in (2, 4):
        small = plot_image(Y, x=x, nbins=64 // s, supersample=s, xlim=(0, 10), ylim=(-2, 2))
        mean = big.reshape(6, 64 // s, s, 64 // s, s).astype(np.float64).mean(axis=(2, 4))
        np.testing.assert_array_equal(small, mean.astype(np.float32))


# -- shapes, dtypes, defaults --------------------------------------------------------------
def test_output_shapes_follow_the_input():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 2, 50))
    assert plot_image(X[0, 0], nbins=8).shape == (8, 8)
    assert plot_image(X[:, 0], nbins=8).shape == (3, 8, 8)
    assert plot_image(X, nbins=8).shape == (3, 2, 8, 8)
    assert plot_image(SignalSet(X[:, :1]), nbins=8).shape == (3, 1, 8, 8)
    assert plot_image(list(X), nbins=8).shape == (3, 2, 8, 8)


def test_each_channel_is_its_own_image_and_per_series_x_serves_all_channels():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 2, 40))
    x = np.sort(rng.uniform(0, 1, size=(3, 40)), axis=1)
    kw = dict(nbins=16, supersample=2, xlim=(0.0, 1.0), ylim=(-2.0, 2.0))
    imgs = plot_image(X, x=x, **kw)
    for c in range(2):
        np.testing.assert_array_equal(imgs[:, c], plot_image(X[:, c], x=x, **kw))
    shared = plot_image(X, x=x[1], **kw)
    np.testing.assert_array_equal(shared[1], imgs[1])


def test_float32_output_for_any_input_dtype_and_float64_computation():
    rng = np.random.default_rng(2)
    Y32 = rng.normal(size=(4, 100)).astype(np.float32)
    kw = dict(nbins=32, xlim=(0, 99), ylim=(-2, 2))
    a = plot_image(Y32, **kw)
    b = plot_image(Y32.astype(np.float64), **kw)
    c = plot_image(np.round(Y32 * 10).astype(np.int32), nbins=32, xlim=(0, 99), ylim=(-20, 20))
    assert a.dtype == b.dtype == c.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    # float32 is read as it is (no float64 copy) and widened exactly, the log path and
    # its exact redraw (100.0 lies on a pixel boundary here) included
    f, P = make_power_spectra(20, 400, random_state=3)
    P32 = P.astype(np.float32)
    P32[:5, ::7] = 100.0
    kw = dict(x=f, nbins=16, supersample=2, xlim=(3, 283), ylim=(1, 1e4), log=True)
    np.testing.assert_array_equal(plot_image(P32, **kw), plot_image(P32.astype(np.float64), **kw))


def test_default_limits_span_the_data_and_a_constant_batch_is_finite():
    rng = np.random.default_rng(4)
    Y = rng.normal(size=(5, 80))
    np.testing.assert_array_equal(
        plot_image(Y, nbins=16), plot_image(Y, nbins=16, xlim=(0, 79), ylim=(Y.min(), Y.max()))
    )
    for level in (0.0, 3.5, -1e6):
        img = plot_image(np.full((2, 80), level), nbins=16)
        assert np.isfinite(img).all()
        # the range is widened around the level: one full black row, mid-image
        for one in img:
            rows = np.flatnonzero((one == 0).any(axis=1))
            assert rows.tolist() == [7] and (one[7] == 0).all()


def test_log_applies_log10_to_x_y_and_limits():
    f, P = make_power_spectra(5, 400, random_state=1)
    a = plot_image(P, x=f, nbins=32, xlim=(3, 283), ylim=(3, 3e7), log=True)
    lx, ly = tuple(np.log10([3, 283])), tuple(np.log10([3, 3e7]))
    b = plot_image(np.log10(P), x=np.log10(f), nbins=32, xlim=lx, ylim=ly)
    np.testing.assert_array_equal(a, b)


# -- errors -------------------------------------------------------------------------------
def test_x_not_sorted_is_rejected():
    with pytest.raises(ValidationError, match=r"x must be strictly increasing, but x\[2\]=5\.0 >= x\[3\]=4\.0"):
        plot_image(np.zeros((2, 5)), x=[1.0, 2.0, 5.0, 4.0, 6.0])
    with pytest.raises(ValidationError, match=r"x of series 1 \(id='b'\) must be strictly increasing"):
        plot_image(SignalSet(np.zeros((2, 1, 3)), ids=["a", "b"]), x=[[1.0, 2.0, 3.0], [1.0, 1.0, 3.0]])


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValidationError, match=r"x has shape \(7,\) but the series have shape \(2, n_channels, 5\)"):
        plot_image(np.zeros((2, 5)), x=np.arange(7.0))
    with pytest.raises(ValidationError, match=r"x has shape \(3, 5\).*expected x of shape \(5,\) \(shared\) or \(2, 5\)"):
        plot_image(np.zeros((2, 5)), x=np.ones((3, 5)).cumsum(axis=1))


@pytest.mark.parametrize("nbins", [1, 0, -3, 2.5, "64", True])
def test_bad_nbins(nbins):
    with pytest.raises(ValidationError, match=r"nbins must be an integer >= 2, found"):
        plot_image(np.zeros((2, 5)), nbins=nbins)


@pytest.mark.parametrize("s", [0, -1, 1.5])
def test_bad_supersample(s):
    with pytest.raises(ValidationError, match=r"supersample must be an integer >= 1, found"):
        plot_image(np.zeros((2, 5)), supersample=s)


@pytest.mark.parametrize("name", ["xlim", "ylim"])
@pytest.mark.parametrize("lim", [(1.0, 1.0), (2.0, 1.0), (0.0, np.inf), (np.nan, 1.0)])
def test_limits_need_min_below_max(name, lim):
    with pytest.raises(ValidationError, match=rf"{name} must be \(min, max\) with finite min < max, found"):
        plot_image(np.zeros((2, 5)), **{name: lim})


def test_limits_must_be_a_pair():
    with pytest.raises(ValidationError, match=r"xlim must be a pair \(min, max\) of numbers, found 3"):
        plot_image(np.zeros((2, 5)), xlim=3)


def test_limits_too_narrow_for_the_columns():
    with pytest.raises(ValidationError, match=r"too narrow to split into nbins \* supersample = 512"):
        plot_image(np.zeros((2, 5)), nbins=128, supersample=4, xlim=(1.0, 1.0 + 1e-14))


def test_log_with_non_positive_values_names_the_series():
    P = np.ones((3, 2, 6))
    P[2, 1, 4] = 0.0
    with pytest.raises(ValidationError, match=r"log=True needs values > 0, but series 2 has min 0\.0"):
        plot_image(P, x=np.arange(1.0, 7.0), log=True)
    with pytest.raises(ValidationError, match=r"but series 2 \(id='c'\) has min 0\.0"):
        plot_image(SignalSet(P, ids=["a", "b", "c"]), x=np.arange(1.0, 7.0), log=True)
    with pytest.raises(ValidationError, match=r"log=True needs x > 0, but x has min 0\.0"):
        plot_image(np.ones((3, 6)), x=np.arange(6.0), log=True)
    with pytest.raises(ValidationError, match=r"log=True needs x > 0, but x=None means the sample index"):
        plot_image(np.ones((3, 6)), log=True)
    with pytest.raises(ValidationError, match=r"ylim=\(0, 10\) with log=True needs positive limits"):
        plot_image(np.ones((3, 6)), x=np.arange(1.0, 7.0), ylim=(0, 10), log=True)


def test_nan_is_rejected_with_the_series_named():
    Y = np.zeros((4, 10))
    Y[3, 2] = np.nan
    with pytest.raises(ValidationError, match=r"plot_image: series 3 contains NaN or inf"):
        plot_image(Y)
    with pytest.raises(ValidationError, match=r"x contains NaN or inf"):
        plot_image(np.zeros((4, 3)), x=[0.0, np.nan, 2.0])


@pytest.mark.parametrize("ylim", [(-1.0, 1.0), None])
@pytest.mark.parametrize("where, value", [(3, np.inf), (0, np.nan), (19, -np.inf), (10, np.nan)])
def test_nan_and_inf_anywhere_are_rejected_with_the_series_named(where, value, ylim):
    # index 0 and 19 lie outside xlim=(1, 18): never drawn, still rejected
    Y = np.zeros((5, 20))
    Y[2, where] = value
    X = SignalSet(Y, ids=[f"s{i}" for i in range(5)])
    with pytest.raises(ValidationError, match=r"plot_image: series 2 \(id='s2'\) contains NaN or inf"):
        plot_image(X, nbins=8, xlim=(1.0, 18.0), ylim=ylim)


def test_log_rejects_non_positive_values_outside_the_x_limits_too():
    P = np.ones((3, 20))
    P[1, 19] = -2.0  # beyond xlim: never drawn, but log10 cannot take it
    with pytest.raises(ValidationError, match=r"log=True needs values > 0, but series 1 has min -2\.0"):
        plot_image(P, x=np.arange(1.0, 21.0), xlim=(1, 10), ylim=(0.1, 10), log=True)


def test_n_jobs_gives_the_same_images():
    f, P = make_power_spectra(600, 300, random_state=9)
    kw = dict(x=f, nbins=16, supersample=2, xlim=(3, 283), ylim=(3, 3e7), log=True)
    one = plot_image(P, **kw)
    np.testing.assert_array_equal(plot_image(P, n_jobs=2, **kw), one)
    np.testing.assert_array_equal(plot_image(P, n_jobs=-1, **kw), one)
    with pytest.raises(ValidationError, match=r"n_jobs must be None, -1 \(all CPUs\) or a positive integer, found 0"):
        plot_image(P, n_jobs=0, **kw)


def test_too_short_and_ragged_series_are_refused():
    with pytest.raises(ValidationError, match=r"at least 2 samples, but series 0 has n_times=1"):
        plot_image(np.zeros((2, 1)))
    with pytest.raises(ValidationError, match=r"needs series of equal length"):
        plot_image([np.zeros((1, 5)), np.zeros((1, 7))])


# -- the estimator ------------------------------------------------------------------------
def test_estimator_learns_limits_in_fit_and_reuses_them():
    rng = np.random.default_rng(6)
    train = rng.normal(size=(10, 1, 64))
    test = 3.0 * rng.normal(size=(4, 1, 64))
    est = PlotImage(nbins=16, supersample=2)
    assert est.fit(train) is est
    assert est.xlim_ == (0.0, 63.0)
    assert est.ylim_ == (train.min(), train.max())
    assert est.n_times_ == 64
    np.testing.assert_array_equal(
        est.transform(test),
        plot_image(test, nbins=16, supersample=2, xlim=est.xlim_, ylim=est.ylim_),
    )
    fixed = PlotImage(nbins=16, xlim=(0, 63), ylim=(-1, 1)).fit(train)
    assert fixed.ylim_ == (-1.0, 1.0)


def test_estimator_log_log_on_tess_spectra():
    f, P = make_power_spectra(8, 600, random_state=2)
    est = PlotImage(x=f, nbins=64, supersample=2, xlim=(3, 283), ylim=(3, 3e7), log=True)
    out = est.fit_transform(P[:, np.newaxis, :])
    assert out.shape == (8, 1, 64, 64) and out.dtype == np.float32
    again = plot_image(P, x=f, nbins=64, supersample=2, xlim=(3, 283), ylim=(3, 3e7), log=True)
    np.testing.assert_array_equal(out[:, 0], again)
    assert est.get_params()["x"] is f
    np.testing.assert_array_equal(clone(est).fit_transform(P[:, np.newaxis, :]), out)


def test_estimator_errors():
    X = np.zeros((3, 1, 20))
    with pytest.raises(NotFittedError, match=r"This PlotImage instance is not fitted yet"):
        PlotImage().transform(X)
    est = PlotImage(nbins=8).fit(X)
    with pytest.raises(ValidationError, match=r"fitted on series of length 20, but X has shape \(3, 1, 30\)"):
        est.transform(np.zeros((3, 1, 30)))
    with pytest.raises(ValidationError, match=r"PlotImage\(nbins=1, .*nbins must be an integer >= 2"):
        PlotImage(nbins=1).fit(X)
    with pytest.raises(ValidationError, match=r"x must be 1-D \(n_times,\), shared by all series, found shape \(3, 20\)"):
        PlotImage(x=np.ones((3, 20)).cumsum(axis=1)).fit(X)
    with pytest.raises(ValidationError, match=r"x has shape \(19,\) but the series have shape \(3, n_channels, 20\)"):
        PlotImage(x=np.arange(19.0)).fit(X)
