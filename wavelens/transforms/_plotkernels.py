"""The numba kernels of :func:`~wavelens.transforms.plot_image`.

Serial functions that release the GIL (``plot_image`` runs chunks of series in
threads): the columns' point ranges and edge segments of one x grid, each series'
column extremes in one pass, and the rows of each image filled in cache.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__: list[str] = []


# -- the kernels --------------------------------------------------------------------
# Every log10 is numpy.log10, the reference's (numba's log10 is the C library's, which
# differs from NumPy's SIMD one in the last bit on many values), and it is taken of few
# values: a column's extent in log space is log10 of its extent in data space. That is
# exact unless log10 reorders nearly equal values, which moves an extent by at most a
# few ulp; so a row where moving any extent by _SLACK would change a pixel (an extent
# within ~1e-8 pixel of a pixel boundary) is redrawn from log10 of all its points.
_NON_FINITE = 1
_NON_POSITIVE = 2
# In log10 units: far above the error of any log10 (4e-13 is 8 ulp of log10(1e308)).
_SLACK = 1e-9


@njit(cache=True, nogil=True)
def _x_columns(XP, edges, starts, ends, J, valid, left_ok):
    """Where each column's points are and how each edge meets the line, per row of ``XP``.

    Column ``k`` holds the points ``starts[i, k] <= p < ends[i, k]`` (``edges[k] <= x <
    edges[k+1]``; the last column also ``x == edges[-1]``). Edge ``k``: ``J`` is the last
    index with ``x[J] <= edge`` clipped to ``[0, n-2]`` (the segment to interpolate on),
    ``valid`` says it lies within the line's x-range, ``left_ok`` that the line reaches
    left of it (so its value also belongs to the column on its left).
    """
    nx, n = XP.shape
    R = edges.shape[0] - 1
    for i in range(nx):
        x = XP[i]
        a = 0  # number of points < edge  (searchsorted side="left")
        b = 0  # number of points <= edge (searchsorted side="right")
        for k in range(R + 1):
            e = edges[k]
            while a < n and x[a] < e:
                a += 1
            if b < a:
                b = a
            while b < n and x[b] <= e:
                b += 1
            if k < R:
                starts[i, k] = a
            if k > 0:
                ends[i, k - 1] = a
            J[i, k] = min(max(b - 1, 0), n - 2)
            valid[i, k] = x[0] <= e and e <= x[n - 1]
            left_ok[i, k] = x[0] < e
        ends[i, R - 1] = b


@njit(cache=True, nogil=True)
def _column_extremes(Y, xrow, starts, ends, J, check_positive, V, has, flags):
    """Per row of ``Y``: its columns' extremes and the points around each edge, into ``V``.

    Row ``r`` uses x-row ``xrow[r]``. ``V[r]`` holds, for the ``R`` columns and ``R + 1``
    edges, ``[lo (R) | hi (R) | y[J] (R+1) | y[J+1] (R+1)]``: the minimum and maximum of
    the column's points (1 where it has none, ``has[r, k]`` False) and the two points of
    the segment each edge falls on. ``flags[r]`` gets ``_NON_FINITE`` if any point of
    the row is NaN or inf and, with ``check_positive``, ``_NON_POSITIVE`` if any is <= 0.
    This is the one pass over the data, so the checks ride along with it.
    """
    m, n = Y.shape
    R = starts.shape[1]
    for r in range(m):
        y = Y[r]
        v_r = V[r]
        xi = xrow[r]
        flag = 0
        # points outside the x-limits are never drawn, but they are checked
        for p in range(starts[xi, 0]):
            v = y[p]
            if v - v != 0.0:
                flag |= _NON_FINITE
            elif check_positive and v <= 0.0:
                flag |= _NON_POSITIVE
        for p in range(ends[xi, R - 1], n):
            v = y[p]
            if v - v != 0.0:
                flag |= _NON_FINITE
            elif check_positive and v <= 0.0:
                flag |= _NON_POSITIVE
        nan = False
        for k in range(R):
            a = starts[xi, k]
            b = ends[xi, k]
            if a >= b:
                has[r, k] = False
                v_r[k] = 1.0
                v_r[R + k] = 1.0
                continue
            has[r, k] = True
            # four accumulators each, so that the dependency chains do not bind; an inf
            # shows in the extremes, a NaN only in v != v
            mn = y[a]
            mx = mn
            mn1 = mn
            mx1 = mn
            mn2 = mn
            mx2 = mn
            mn3 = mn
            mx3 = mn
            nan |= mn != mn
            p = a + 1
            while p + 3 < b:
                v0 = y[p]
                v1 = y[p + 1]
                v2 = y[p + 2]
                v3 = y[p + 3]
                mn = min(mn, v0)
                mx = max(mx, v0)
                mn1 = min(mn1, v1)
                mx1 = max(mx1, v1)
                mn2 = min(mn2, v2)
                mx2 = max(mx2, v2)
                mn3 = min(mn3, v3)
                mx3 = max(mx3, v3)
                nan |= (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3)
                p += 4
            while p < b:
                v0 = y[p]
                mn = min(mn, v0)
                mx = max(mx, v0)
                nan |= v0 != v0
                p += 1
            mn = min(min(mn, mn1), min(mn2, mn3))
            mx = max(max(mx, mx1), max(mx2, mx3))
            v_r[k] = mn
            v_r[R + k] = mx
            if mn == -np.inf or mx == np.inf:
                flag |= _NON_FINITE
            elif check_positive and mn <= 0.0:
                flag |= _NON_POSITIVE
        if nan:
            flag |= _NON_FINITE
        for k in range(R + 1):
            j = J[xi, k]
            v_r[2 * R + k] = y[j]
            v_r[3 * R + 1 + k] = y[j + 1]
        flags[r] = flag


@njit(cache=True, nogil=True)
def _draw_columns(V, has, W, xrow, valid, left_ok, nbins, s, miny, maxy, slack, out, redraw):
    """Draw row ``r`` of ``V`` (plotted units, laid out as by ``_column_extremes``) into ``out[r]``.

    A column spans its points' ``[lo, hi]`` widened by the line's value at its left
    edge (if on the line) and at its right edge (if on the line and the line reaches
    into the column); the value at edge ``k`` is ``(1 - w) * y[J] + w * y[J+1]`` with
    ``w = W[xrow[r], k]``. Its pixel rows are black; an output pixel covering ``c`` black
    sub-pixels of its ``s x s`` block gets ``(s*s - c) / (s*s)``. ``out[r]`` (float32
    ``(nbins, nbins)``) is overwritten. With ``slack > 0``, ``redraw[r]`` is set where
    widening a column's extent by ``slack`` would change its pixel rows.
    """
    m = V.shape[0]
    R = has.shape[1]
    span = maxy - miny
    # pixel rows r0..r1 (0 at the bottom, inclusive) of each column; empty: r0 > r1
    row0 = np.empty(R, dtype=np.int32)
    row1 = np.empty(R, dtype=np.int32)
    slack_px = slack / span * R
    s2 = s * s
    diff = np.zeros((nbins + 1, nbins), dtype=np.int32)
    cum = np.empty(nbins, dtype=np.int32)
    for r in range(m):
        v_r = V[r]
        xi = xrow[r]
        redraw[r] = False
        # the line at the current column's left edge, carried from the column before
        w = W[xi, 0]
        e_val = (1.0 - w) * v_r[2 * R] + w * v_r[3 * R + 1]
        for k in range(R):
            row0[k] = R
            row1[k] = -1
            touched = has[r, k]
            a = v_r[k] if touched else np.inf
            b = v_r[R + k] if touched else -np.inf
            if valid[xi, k]:
                a = min(a, e_val)
                b = max(b, e_val)
                touched = True
            # the same float64 operations as the reference's edge_values
            w = W[xi, k + 1]
            e_val = (1.0 - w) * v_r[2 * R + k + 1] + w * v_r[3 * R + 2 + k]
            if valid[xi, k + 1] and left_ok[xi, k + 1]:
                a = min(a, e_val)
                b = max(b, e_val)
                touched = True
            if not touched:
                continue
            # ... and as its pixel mapping, in the same order
            p_lo = (a - miny) / span * R
            p_hi = (b - miny) / span * R
            drawn = p_hi >= 0.0 and p_lo <= R
            if drawn:
                row0[k] = 0 if p_lo < 0.0 else min(int(np.floor(p_lo)), R - 1)
                row1[k] = R - 1 if p_hi >= R else int(np.floor(p_hi))
            if slack_px > 0.0:
                # the extent widened by the slack (in pixels; a shift this size dwarfs
                # any rounding in how it is applied, so the test stays conservative)
                q_lo = p_lo - slack_px
                q_hi = p_hi + slack_px
                if drawn != (q_hi >= 0.0 and q_lo <= R):
                    redraw[r] = True
                elif drawn and (
                    row0[k] != (0 if q_lo < 0.0 else min(int(np.floor(q_lo)), R - 1))
                    or row1[k] != (R - 1 if q_hi >= R else int(np.floor(q_hi)))
                ):
                    redraw[r] = True
        img = out[r]
        if s == 1:
            # row by row (contiguous, vectorisable); image row i is pixel row R - 1 - i
            for i in range(R):
                q = R - 1 - i
                for k in range(R):
                    img[i, k] = 0.0 if (row0[k] <= q) & (q <= row1[k]) else 1.0
            continue
        # s > 1: black sub-pixels per block (block row b from the bottom, block column
        # k // s) as a difference array along b, O(1) per column whatever its height
        # (diff is all zeros here: the sum below clears what it reads)
        for k in range(R):
            r0 = row0[k]
            r1 = row1[k]
            if r0 > r1:
                continue
            col = k // s
            b0 = r0 // s
            b1 = r1 // s
            if b0 == b1:
                diff[b0, col] += r1 - r0 + 1
                diff[b0 + 1, col] -= r1 - r0 + 1
            else:
                first = (b0 + 1) * s - r0
                last = r1 - b1 * s + 1
                diff[b0, col] += first
                diff[b0 + 1, col] += s - first
                diff[b1, col] += last - s
                diff[b1 + 1, col] -= last
        cum[:] = 0
        for b in range(nbins):
            i = nbins - 1 - b
            for j in range(nbins):
                cum[j] += diff[b, j]
                diff[b, j] = 0
                # (s2 - c) / s2 rounded to float32: the reference's block mean
                img[i, j] = (s2 - cum[j]) / s2
        diff[nbins, :] = 0
