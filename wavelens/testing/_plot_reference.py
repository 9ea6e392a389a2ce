"""The slow, per-plot reference of :func:`wavelens.transforms.plot_image`.

This is the rasteriser of source study 4 (TESS asteroseismology) written the way the
study wrote it: one plot at a time, the minimum and maximum of the line in each x-bin
found with :func:`scipy.stats.binned_statistic`. It is the executable statement of the
contract that the fast, batched :func:`~wavelens.transforms.plot_image` must meet value
for value; the tests and ``benchmarks/bench_plotimage.py`` both compare against it, so
it lives here, in the shipped test kit, rather than in one of them.

It checks nothing: it expects what :func:`~wavelens.transforms.plot_image` has already
validated (``x`` strictly increasing, at least two points, everything finite, limits
with ``min < max``), all in plotted units (apply ``log10`` before calling).
:func:`make_power_spectra` makes the realistic inputs (TESS-like solar-like
oscillators) that the tests and the benchmark draw.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binned_statistic

from ..datasets._spectra import make_power_spectra

__all__ = ["reference_plot_to_array", "edge_values", "make_power_spectra"]


def edge_values(x: np.ndarray, y: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The line through ``(x, y)`` linearly interpolated at ``e`` (each within ``[x[0], x[-1]]``).

    ``j`` is the last index with ``x[j] <= e`` (clipped to ``n - 2``), ``w = (e - x[j]) /
    (x[j+1] - x[j])`` and the value is ``(1 - w) * y[j] + w * y[j+1]``: exactly ``y[j]``
    where ``e == x[j]``, and this exact sequence of float64 operations is part of the
    contract (the fast kernel performs the same ones, so both agree to the last bit).
    """
    n = x.shape[0]
    j = np.clip(np.searchsorted(x, e, side="right") - 1, 0, n - 2)
    w = (e - x[j]) / (x[j + 1] - x[j])
    return (1.0 - w) * y[j] + w * y[j + 1]


def reference_plot_to_array(
    x: np.ndarray,
    y: np.ndarray,
    nbins: int,
    supersample: int,
    minx: float,
    maxx: float,
    miny: float,
    maxy: float,
) -> np.ndarray:
    """Rasterise one line plot, slowly and plainly; the specification of ``plot_image``.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Strictly increasing abscissae in plotted units, ``n >= 2``.
    y : ndarray of shape (n,)
        Ordinates in plotted units.
    nbins : int
        Side of the image in pixels, ``>= 2``.
    supersample : int
        ``s >= 1``: draw at ``nbins * s`` and average ``s x s`` blocks.
    minx, maxx, miny, maxy : float
        Axis limits in plotted units, ``minx < maxx``, ``miny < maxy``.

    Returns
    -------
    ndarray of float32, shape (nbins, nbins)
        Row 0 is the top of the plot. 1 where the line never passes, 0 where it
        covers the whole pixel, ``k / s**2`` in between.

    Notes
    -----
    With ``R = nbins * s`` columns and rows:

    1. Column edges ``e = numpy.linspace(minx, maxx, R + 1)``; column ``k`` holds the
       points with ``e[k] <= x < e[k+1]``, the last column also ``x == maxx``. Points
       with ``x`` outside ``[minx, maxx]`` are in no column.
    2. At every edge with ``x[0] <= e[k] <= x[-1]`` the line's value is interpolated
       (:func:`edge_values`) and joins the column on the edge's right and, if the line
       reaches into it (``x[0] < e[k]``), the column on its left: a column that the line
       crosses without a point in it still gets the crossing, and the drawn line is
       continuous. Columns beyond the data's x-range stay untouched.
    3. In each column, ``lo`` and ``hi`` (the minimum and maximum of those values) map to
       pixel coordinates ``p = (v - miny) / (maxy - miny) * R``; pixel row ``r`` (0 at
       the bottom) covers ``r <= p < r + 1``, the top row also ``p == R``.
    4. The column is drawn when ``[lo, hi]`` meets ``[miny, maxy]`` (``p_hi >= 0`` and
       ``p_lo <= R``): rows ``clip(floor(p_lo), 0, R-1)`` through
       ``clip(floor(p_hi), 0, R-1)`` inclusive become 0. A line that leaves the axes is
       drawn up to the border; a column whose line is wholly above or below is empty
       (what a plot with fixed limits shows, and never a false line along the border).
    5. Rows are flipped so that up is up, then ``s x s`` blocks are averaged (float64;
       nothing to average at ``s == 1``) and the result cast to float32.

    Examples
    --------
    A line rising across a 4 x 4 image, leaving it through the top:

    >>> import numpy as np
    >>> reference_plot_to_array(np.array([0.0, 4.0]), np.array([0.5, 5.0]), 4, 1,
    ...                         0.0, 4.0, 0.0, 4.0).astype(int)
    array([[1, 1, 0, 0],
           [1, 0, 0, 1],
           [0, 0, 1, 1],
           [0, 1, 1, 1]])
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    s = int(supersample)
    R = int(nbins) * s
    edges = np.linspace(minx, maxx, R + 1)

    # points of the line inside the x-limits (scipy rounds values near the last edge
    # into the last bin, so points beyond maxx are removed here rather than left to it)
    inside = (x >= minx) & (x <= maxx)
    on_line = np.flatnonzero((edges >= x[0]) & (edges <= x[-1]))
    ev = edge_values(x, y, edges[on_line])
    xs = np.concatenate([x[inside], edges[on_line]])
    ys = np.concatenate([y[inside], ev])

    img = np.ones((R, R), dtype=np.float64)
    if xs.size:
        lo = binned_statistic(xs, ys, statistic="min", bins=edges).statistic
        hi = binned_statistic(xs, ys, statistic="max", bins=edges).statistic
        # binned_statistic put each edge value in the column on the edge's right (the
        # last edge in the last column); it belongs to the column on its left too when
        # the line reaches into that column (x[0] < edge; a line that starts exactly on
        # an edge starts in the column on the right, like a point there)
        left = on_line - 1
        keep = (left >= 0) & (edges[on_line] > x[0])
        lo[left[keep]] = np.fmin(lo[left[keep]], ev[keep])
        hi[left[keep]] = np.fmax(hi[left[keep]], ev[keep])

        with np.errstate(over="ignore", invalid="ignore"):
            p_lo = (lo - miny) / (maxy - miny) * R
            p_hi = (hi - miny) / (maxy - miny) * R
        drawn = ~np.isnan(lo) & (p_hi >= 0) & (p_lo <= R)
        r0 = np.clip(np.floor(p_lo[drawn]), 0, R - 1).astype(np.int64)
        r1 = np.clip(np.floor(p_hi[drawn]), 0, R - 1).astype(np.int64)
        for col, a, b in zip(np.flatnonzero(drawn), r0, r1):
            img[a : b + 1, col] = 0.0
    img = img[::-1]
    if s > 1:
        img = img.reshape(nbins, s, nbins, s).mean(axis=(1, 3))
    return img.astype(np.float32)


