"""Faithful line-plot images: rasterise series (e.g. power spectra) straight into arrays.

Source study 4 (TESS asteroseismology) classified stars with a CNN looking at log-log
plots of their power spectra. Drawing each plot with matplotlib, saving a PNG and
reading it back was slow and lossy; the study's replacement drew the line directly into
an ``nbins x nbins`` array, one plot at a time. :func:`plot_image` does the same for a
whole collection at once and gives exactly (value for value) the images of that
per-plot rasteriser, whose plain ``scipy.stats.binned_statistic`` version ships as
``wavelens.testing._plot_reference.reference_plot_to_array``: the executable
specification that the tests hold this module to.

How it is fast (the kernels are in ``_plotkernels``): the columns' point ranges and the edges' segments are found once per
x (shared by all series), then numba kernels make one pass over each series for its
columns' extremes and fill each image row by row in cache; no per-plot Python, no
full-resolution image at ``supersample > 1`` (a difference array over the blocks),
chunks of series sized to stay in cache, optional threads over chunks (``n_jobs``;
the kernels release the GIL). Threads rather than numba's ``parallel=True``: a
parallel region costs a thread hand-off per call, which on small or busy machines
costs more than small batches take to draw.
"""

from __future__ import annotations

import numbers
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ..base import BaseTransform, check_is_fitted
from ..data import check_collection, describe_series
from ..exceptions import ValidationError
from ._plotkernels import _NON_FINITE, _SLACK, _x_columns, _column_extremes, _draw_columns

__all__ = ["plot_image", "PlotImage"]


# -- validation ---------------------------------------------------------------------
def _check_int(value: Any, name: str, low: int, caller: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < low:
        raise ValidationError(
            f"{caller}: {name} must be an integer >= {low}, found {value!r}. "
            f"Pass {name}={max(low, 2) if name == 'nbins' else low} or more."
        )
    return int(value)


def _check_limits(lim: Any, name: str, log: bool, caller: str) -> tuple[float, float] | None:
    """``(min, max)`` as floats in data units, checked; None stays None."""
    if lim is None:
        return None
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError) as err:
        raise ValidationError(
            f"{caller}: {name} must be a pair (min, max) of numbers, found {lim!r}."
        ) from err
    if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < hi:
        raise ValidationError(
            f"{caller}: {name} must be (min, max) with finite min < max, found {lim!r}. "
            f"Give the lower limit first and make the range non-empty."
        )
    if log and lo <= 0:
        raise ValidationError(
            f"{caller}: {name}={lim!r} with log=True needs positive limits (log10 is "
            f"applied to them), found min={lo!r}. Give limits in data units, > 0."
        )
    with np.errstate(over="ignore"):
        wide = np.isfinite(hi - lo)
    if not wide:
        raise ValidationError(
            f"{caller}: {name}={lim!r} spans more than the largest float64 "
            f"(max - min overflows). Narrow the limits."
        )
    return lo, hi


def _check_n_jobs(n_jobs: Any, caller: str) -> int:
    """Threads to use: None -> 1, -1 -> every CPU this process may use."""
    if n_jobs is None:
        return 1
    if (
        isinstance(n_jobs, (bool, np.bool_))
        or not isinstance(n_jobs, numbers.Integral)
        or n_jobs == 0
        or n_jobs < -1
    ):
        raise ValidationError(
            f"{caller}: n_jobs must be None, -1 (all CPUs) or a positive integer, "
            f"found {n_jobs!r}."
        )
    if n_jobs == -1:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return max(1, os.cpu_count() or 1)
    return int(n_jobs)


def _data_limits(lo: float, hi: float, log: bool) -> tuple[float, float]:
    """Limits (data units) spanning ``[lo, hi]``; a single value is widened around itself."""
    lo, hi = float(lo), float(hi)
    if lo < hi:
        return lo, hi
    if log:
        return lo / 10.0, hi * 10.0  # one decade each side
    d = max(0.05 * abs(lo), 0.5)
    return lo - d, hi + d


def _check_x(x: Any, n_series: int, n_times: int, ids: Any, log: bool, caller: str) -> np.ndarray:
    """x as float64 ``(1, n_times)`` (shared) or ``(n_series, n_times)``, checked, data units."""
    if x is None:
        if log:
            raise ValidationError(
                f"{caller}: log=True needs x > 0, but x=None means the sample index "
                f"0..{n_times - 1}, which starts at 0. Pass x (e.g. the frequencies)."
            )
        return np.arange(n_times, dtype=np.float64)[np.newaxis, :]
    xa = np.asarray(x)
    if xa.dtype.kind not in "biuf":
        raise ValidationError(f"{caller}: x must be numeric, found dtype {xa.dtype!r}.")
    xa = np.ascontiguousarray(xa, dtype=np.float64)
    if xa.shape == (n_times,):
        xa = xa[np.newaxis, :]
    elif xa.shape != (n_series, n_times):
        raise ValidationError(
            f"{caller}: x has shape {xa.shape!r} but the series have shape "
            f"({n_series}, n_channels, {n_times}); expected x of shape ({n_times},) "
            f"(shared) or ({n_series}, {n_times}) (one per series)."
        )
    shared = xa.shape[0] == 1

    def name(i: int) -> str:
        return "x" if shared else f"x of {describe_series(i, ids)}"

    finite = np.isfinite(xa).all(axis=1)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        raise ValidationError(f"{caller}: {name(i)} contains NaN or inf; x must be finite.")
    if log:
        pos = (xa > 0).all(axis=1)
        if not pos.all():
            i = int(np.flatnonzero(~pos)[0])
            raise ValidationError(
                f"{caller}: log=True needs x > 0, but {name(i)} has min "
                f"{float(xa[i].min())!r}. Drop non-positive x (e.g. the 0 Hz bin) first."
            )
    return xa


def _check_increasing(xp: np.ndarray, ids: Any, log: bool, caller: str) -> None:
    """Plotted x must be strictly increasing, with a finite span."""
    shared = xp.shape[0] == 1
    bad = ~(np.diff(xp, axis=1) > 0)
    rows = np.flatnonzero(bad.any(axis=1))
    if rows.size:
        i = int(rows[0])
        j = int(np.flatnonzero(bad[i])[0])
        what = "x" if shared else f"x of {describe_series(i, ids)}"
        unit = "log10(x)" if log else "x"
        raise ValidationError(
            f"{caller}: {what} must be strictly increasing, but {unit}[{j}]={float(xp[i, j])!r} "
            f">= {unit}[{j + 1}]={float(xp[i, j + 1])!r}. Sort the points by x and drop repeats."
        )
    with np.errstate(over="ignore"):
        span_ok = np.isfinite(xp[:, -1] - xp[:, 0])
    if not span_ok.all():
        raise ValidationError(
            f"{caller}: x spans more than the largest float64 (x[-1] - x[0] overflows). "
            "Rescale x."
        )


def _raise_non_finite(i: int, ids: Any, caller: str) -> None:
    raise ValidationError(
        f"{caller}: {describe_series(i, ids)} contains NaN or inf. Remove or "
        "interpolate missing values before this step (wavelens inspect lists them)."
    )


def _raise_non_positive(i: int, found: float, ids: Any, caller: str) -> None:
    raise ValidationError(
        f"{caller}: log=True needs values > 0, but {describe_series(i, ids)} has min "
        f"{found!r}. Use log=False, or clip or drop non-positive values."
    )


# -- the function -------------------------------------------------------------------
def _prepare(
    X: Any,
    *,
    x: Any,
    nbins: Any,
    supersample: Any,
    xlim: Any,
    ylim: Any,
    log: Any,
    caller: str,
    n_times: int | None = None,
) -> dict[str, Any]:
    """Validate everything and resolve the limits; the arrays the kernels need."""
    nbins = _check_int(nbins, "nbins", 2, caller)
    s = _check_int(supersample, "supersample", 1, caller)
    if not isinstance(log, (bool, np.bool_)):
        raise ValidationError(f"{caller}: log must be True or False, found {log!r}.")
    log = bool(log)
    xlim = _check_limits(xlim, "xlim", log, caller)
    ylim = _check_limits(ylim, "ylim", log, caller)

    # NaN/inf are rejected by the kernel's one pass over the data (same message as
    # check_collection's), not by a second pass here
    data, meta = check_collection(X, allow_ragged=False, allow_nan=True, min_length=2, caller=caller)
    n_series, n_channels, length = data.shape
    if n_times is not None and length != n_times:
        raise ValidationError(
            f"{caller}: fitted on series of length {n_times}, but X has shape "
            f"{data.shape!r} (n_times={length}). Pass series of the same length."
        )
    # name series the way check_collection does: with their ids where a SignalSet gave them
    ids = meta.ids if meta.signal_set is not None else None
    xa = _check_x(x, n_series, length, ids, log, caller)
    # float32 stays float32 (no copy): the kernel widens each value to float64 exactly
    rows = np.ascontiguousarray(data.reshape(n_series * n_channels, length))
    if xlim is None:
        xlim = _check_limits(_data_limits(xa.min(), xa.max(), log), "xlim (from x)", log, caller)
    if ylim is None:
        row_min = rows.min(axis=1).astype(np.float64)
        row_max = rows.max(axis=1).astype(np.float64)
        finite = np.isfinite(row_min) & np.isfinite(row_max)
        if not finite.all():
            _raise_non_finite(int(np.flatnonzero(~finite)[0]) // n_channels, ids, caller)
        if log and not (row_min > 0).all():
            r = int(np.flatnonzero(~(row_min > 0))[0])
            _raise_non_positive(r // n_channels, float(data[r // n_channels].min()), ids, caller)
        ylim = _data_limits(row_min.min(), row_max.max(), log)
        ylim = _check_limits(ylim, "ylim (from the data)", log, caller)

    if log:
        xp = np.log10(xa)
        lim_x = (float(np.log10(xlim[0])), float(np.log10(xlim[1])))
        lim_y = (float(np.log10(ylim[0])), float(np.log10(ylim[1])))
        if not (lim_x[0] < lim_x[1] and lim_y[0] < lim_y[1]):
            raise ValidationError(
                f"{caller}: xlim={xlim!r} or ylim={ylim!r} collapses to an empty range "
                "after log10. Widen the limits."
            )
    else:
        xp = xa
        lim_x, lim_y = xlim, ylim
    _check_increasing(xp, ids, log, caller)

    R = nbins * s
    edges = np.linspace(lim_x[0], lim_x[1], R + 1)
    if not (np.diff(edges) > 0).all():
        raise ValidationError(
            f"{caller}: xlim={xlim!r} is too narrow to split into nbins * supersample = {R} "
            "distinct columns in float64. Widen xlim or lower nbins."
        )
    return {
        "rows": rows,  # (n_series * n_channels, n_times) float32/64, data units
        "xp": np.ascontiguousarray(xp, dtype=np.float64),  # (1 or n_series, n_times), plotted
        "edges": edges,
        "nbins": nbins,
        "s": s,
        "log": log,
        "lim_y": (float(lim_y[0]), float(lim_y[1])),
        "shape": (n_series, n_channels),
        "ids": ids,
        "caller": caller,
        "xlim": xlim,
        "ylim": ylim,
    }


def _draw(prep: dict[str, Any], n_jobs: int = 1) -> np.ndarray:
    """Run the kernels on prepared arrays: images ``(n_series, n_channels, nbins, nbins)``.

    Rows go in chunks small enough that a chunk's work array stays in cache; with
    ``n_jobs > 1`` the chunks run in threads (the kernels and NumPy release the GIL).
    """
    rows, XP, edges, log = prep["rows"], prep["xp"], prep["edges"], prep["log"]
    n_series, n_channels = prep["shape"]
    nbins, s = int(prep["nbins"]), int(prep["s"])
    miny, maxy = prep["lim_y"]
    m = rows.shape[0]
    nx = XP.shape[0]
    R = edges.shape[0] - 1
    # a per-series x serves every channel of its series; a shared x serves every row
    xrow = np.arange(m, dtype=np.int64) // n_channels if nx > 1 else np.zeros(m, dtype=np.int64)

    starts = np.empty((nx, R), dtype=np.int64)
    ends = np.empty((nx, R), dtype=np.int64)
    J = np.empty((nx, R + 1), dtype=np.int64)
    valid = np.empty((nx, R + 1), dtype=np.bool_)
    left_ok = np.empty((nx, R + 1), dtype=np.bool_)
    _x_columns(XP, edges, starts, ends, J, valid, left_ok)
    with np.errstate(over="ignore", invalid="ignore"):
        # interpolation weight of every edge on its segment, as in the reference
        xa = np.take_along_axis(XP, J, axis=1)
        W = np.ascontiguousarray((edges - xa) / (np.take_along_axis(XP, J + 1, axis=1) - xa))
    out = np.empty((m, nbins, nbins), dtype=np.float32)

    def run(lo_row: int, hi_row: int) -> None:
        Y, xr, img = rows[lo_row:hi_row], xrow[lo_row:hi_row], out[lo_row:hi_row]
        k = hi_row - lo_row
        V = np.empty((k, 4 * R + 2), dtype=np.float64)
        has = np.empty((k, R), dtype=np.bool_)
        flags = np.empty(k, dtype=np.int64)
        redraw = np.empty(k, dtype=np.bool_)
        _column_extremes(Y, xr, starts, ends, J, log, V, has, flags)
        bad = np.flatnonzero(flags)
        if bad.size:
            i = (lo_row + int(bad[0])) // n_channels
            if flags[bad[0]] & _NON_FINITE:
                _raise_non_finite(i, prep["ids"], prep["caller"])
            found = float(rows[i * n_channels : (i + 1) * n_channels].min())
            _raise_non_positive(i, found, prep["ids"], prep["caller"])
        if log:
            np.log10(V, out=V)
        _draw_columns(
            V, has, W, xr, valid, left_ok, nbins, s, miny, maxy,
            _SLACK if log else 0.0, img, redraw,
        )
        again = np.flatnonzero(redraw)
        if again.size:
            # an extent within a hair of a pixel boundary: redraw from log10 of every
            # point, exactly as the reference does
            Vt = np.empty((again.size, 4 * R + 2), dtype=np.float64)
            has_t = np.empty((again.size, R), dtype=np.bool_)
            _column_extremes(
                np.log10(Y[again], dtype=np.float64), xr[again], starts, ends, J, False, Vt, has_t,
                np.empty(again.size, dtype=np.int64),
            )
            img_t = np.empty((again.size, nbins, nbins), dtype=np.float32)
            _draw_columns(
                Vt, has_t, W, xr[again], valid, left_ok, nbins, s, miny, maxy,
                0.0, img_t, np.empty(again.size, dtype=np.bool_),
            )
            img[again] = img_t

    # chunks of about 1 MB of work array (it stays in cache between the kernels and
    # log10) and, with threads, at least 4 chunks per thread to share the work
    chunk = max(1, 2**20 // (8 * (4 * R + 2)))
    if n_jobs > 1:
        chunk = max(1, min(chunk, -(-m // (4 * n_jobs))))
    bounds = [(a, min(a + chunk, m)) for a in range(0, m, chunk)]
    if n_jobs > 1 and len(bounds) > 1:
        with ThreadPoolExecutor(max_workers=min(n_jobs, len(bounds))) as pool:
            # in order, so that an error names the first bad series
            for f in [pool.submit(run, a, b) for a, b in bounds]:
                f.result()
    else:
        for a, b in bounds:
            run(a, b)
    return out.reshape(n_series, n_channels, nbins, nbins)


def plot_image(
    y: Any,
    *,
    x: Any = None,
    nbins: int = 128,
    supersample: int = 1,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    log: bool = False,
    n_jobs: int | None = -1,
) -> np.ndarray:
    """Rasterise each series as a line plot into an ``nbins x nbins`` image.

    The faithful, batched rasteriser of source study 4 (TESS power spectra for a CNN):
    every series is drawn as the piecewise-linear line through ``(x, y)``, black (0) on
    white (1), with fixed axis limits, and no disk round trip or anti-aliasing.

    Parameters
    ----------
    y : ndarray, list of ndarray or SignalSet
        The values to plot, time (or frequency) on the last axis: ``(n_times,)``,
        ``(n_series, n_times)``, ``(n_series, n_channels, n_times)``, an equal-length
        list of ``(n_channels, n_times)`` arrays or a :class:`~wavelens.data.SignalSet`.
        At least 2 points per series; NaN/inf rejected with the series named; every
        channel of every series is drawn as its own image.
    x : array-like of shape (n_times,) or (n_series, n_times), optional
        Abscissae, strictly increasing: one grid for all series, or one per series
        (used for every channel of that series). Default: the sample index
        ``0, 1, ..., n_times - 1``.
    nbins : int, default=128
        Side of the image in pixels, ``>= 2``.
    supersample : int, default=1
        ``s >= 1``. Draw at ``nbins * s`` pixels a side and average each ``s x s``
        block into one grey level ``k / s**2``; 1 gives a pure black-and-white image.
    xlim, ylim : (float, float), optional
        Axis limits ``(min, max)``, ``min < max``, in data units (with ``log=True``,
        ``log10`` is applied to them too, so give e.g. ``xlim=(3, 283)``). Default: the
        range of ``x`` and the range of all of ``y`` (every series and channel) —
        which makes an image depend on the rest of the batch; pass fixed limits (as
        the study did) to make images comparable. A learnt range that is a single
        value is widened to ``v ± max(0.05 |v|, 0.5)`` (``log=True``: ``v/10 .. 10 v``).
    log : bool, default=False
        Draw a log-log plot: ``log10`` is applied to ``x``, ``y``, ``xlim`` and
        ``ylim`` (all then must be > 0; ``x`` must be given), and the rules below apply
        to those plotted values.
    n_jobs : int or None, default=-1
        Threads drawing batches of series: -1 every CPU (as the FFT-based transforms
        use), None or 1 one thread. The output does not depend on it.

    Returns
    -------
    images : ndarray of float32
        Shape ``y.shape[:-1] + (nbins, nbins)`` for an array ``y`` (``(nbins, nbins)``
        for one series, ``(n_series, nbins, nbins)`` for 2-D, ``(n_series, n_channels,
        nbins, nbins)`` for 3-D), and ``(n_series, n_channels, nbins, nbins)`` for a
        list or a SignalSet. Row 0 is the top of the plot, column 0 the left. Values in
        ``[0, 1]``: 1 where the line never passes, 0 where it covers the pixel, ``k /
        s**2`` in between. float32 whatever the input dtype (the values are exact
        multiples of ``1 / s**2``, and float32 is what a CNN consumes); the computation
        itself is float64.

    Raises
    ------
    ValidationError
        ``nbins < 2``, ``supersample < 1``, limits not ``min < max`` (or too narrow for
        ``nbins * supersample`` distinct columns), ``x`` of the wrong shape, not
        strictly increasing or not finite, NaN/inf in ``y``, fewer than 2 points, ragged
        series, or with ``log=True`` non-positive ``x``, ``y`` or limits.

    Notes
    -----
    With ``R = nbins * supersample`` and everything in plotted units (with ``log=True``:
    ``numpy.log10`` of ``x``, ``y`` and the limits), image ``i`` (channel ``c``) is
    exactly, value for value, what the per-plot reference
    ``wavelens.testing._plot_reference.reference_plot_to_array(x_i, y[i, c], nbins, s,
    *xlim, *ylim)`` returns, ``x_i`` being ``x`` or ``x[i]``:

    - Columns: ``R`` equal-width bins over ``[xmin, xmax]``, edges
      ``numpy.linspace(xmin, xmax, R + 1)``. A point on an inner edge belongs to the
      column on its right; a point at ``xmax`` to the last column; points outside
      ``[xmin, xmax]`` to none.
    - Continuity: at every edge ``e`` inside ``[x[0], x[-1]]`` the line's value ``(1 - w)
      y[j] + w y[j+1]`` (``x[j] <= e < x[j+1]``, ``w = (e - x[j]) / (x[j+1] - x[j])``)
      counts in the column on the edge's right and, when the line reaches into it
      (``x[0] < e``), in the column on its left; so a line crossing a column with no
      point in it, or leaving through ``xmin``/``xmax``, is still drawn. Columns
      outside the data's x-range are left white.
    - Rows: a value ``v`` is at pixel coordinate ``p = (v - ymin) / (ymax - ymin) R``;
      pixel row ``q`` (from the bottom) covers ``q <= p < q + 1``, the top row also
      ``p == R``. In each column, rows ``floor(p_lo)`` through ``floor(p_hi)``
      (inclusive) of the column's minimum and maximum are set to 0: a flat line exactly
      on a pixel boundary is drawn in the row above the boundary.
    - Out of range in y: the part of a column's span inside ``[ymin, ymax]`` is drawn
      (a line leaving the axes reaches the border); a column whose line lies wholly
      above or below is left white, as in a plot with fixed limits (no false line
      along the border).
    - Rows are flipped so that up is up; then ``s x s`` blocks are averaged: a pixel
      with ``c`` black sub-pixels is ``(s**2 - c) / s**2`` (float64, then float32).

    The work is one pass over the points per series (numba), in chunks of series that
    stay in cache. With ``log=True`` only each column's extremes and the points around
    each edge are logged (log10 keeps order); a series where that could differ from
    logging every point, an extent within about 1e-8 pixel of a pixel boundary, is
    redrawn from the log10 of every point, so the result is always exact.

    Examples
    --------
    A TESS-like log-log power spectrum on the study's axes:

    >>> import numpy as np
    >>> from wavelens.transforms import plot_image
    >>> f = np.geomspace(3.0, 283.0, 2000)                  # µHz
    >>> power = 1e5 * (f / 3.0) ** -2 + 10.0                # ppm² / µHz
    >>> img = plot_image(power[np.newaxis], x=f, nbins=128, xlim=(3, 283),
    ...                  ylim=(3, 3e7), log=True)
    >>> img.shape, img.dtype
    ((1, 128, 128), dtype('float32'))
    >>> bool(img.min() == 0.0 and img.max() == 1.0)
    True

    Grey levels with supersampling; one image per channel of a 3-D collection:

    >>> X = np.sin(np.linspace(0, 6, 256)).reshape(1, 1, 256).repeat(2, axis=1)
    >>> plot_image(X, nbins=32, supersample=4).shape
    (1, 2, 32, 32)
    """
    caller = "plot_image"
    threads = _check_n_jobs(n_jobs, caller)
    prep = _prepare(
        y, x=x, nbins=nbins, supersample=supersample, xlim=xlim, ylim=ylim, log=log,
        caller=caller,
    )
    images = _draw(prep, threads)
    if isinstance(y, np.ndarray) and y.dtype != object and y.ndim in (1, 2):
        return images.reshape(y.shape[:-1] + images.shape[-2:])
    return images


# -- the estimator ------------------------------------------------------------------
class PlotImage(BaseTransform):
    """Rasterise series into faithful line-plot images, with axis limits fixed by ``fit``.

    The scikit-learn face of :func:`plot_image`: ``fit`` fixes the axis limits (the given
    ones, or the range of the training data, so that training and test images share
    their axes), ``transform`` draws one image per series and channel.

    Parameters
    ----------
    x : array-like of shape (n_times,), optional
        Strictly increasing abscissae shared by all series (e.g. the frequencies of a
        power spectrum). Default: the sample index.
    nbins : int, default=128
        Side of the image in pixels, ``>= 2``.
    supersample : int, default=1
        Draw at ``nbins * supersample`` and average blocks into grey levels.
    xlim, ylim : (float, float), optional
        Axis limits in data units. Default: learnt in ``fit`` from ``x`` and from the
        training series (all of them), as in :func:`plot_image`.
    log : bool, default=False
        Log-log plot: ``log10`` of ``x``, the values and the limits.
    n_jobs : int or None, default=-1
        Threads for ``transform``: -1 every CPU, None or 1 one thread.

    Attributes
    ----------
    xlim_, ylim_ : (float, float)
        The axis limits used by ``transform``, in data units.
    n_times_ : int
        Length of the training series; ``transform`` needs the same.

    See Also
    --------
    plot_image : the function, with the exact rasterisation rules.

    Examples
    --------
    >>> import numpy as np
    >>> from wavelens.transforms import PlotImage
    >>> rng = np.random.default_rng(0)
    >>> f = np.geomspace(3.0, 283.0, 500)
    >>> P = 1e4 * (f / 3.0) ** -1.5 * rng.exponential(size=(10, 1, 500))
    >>> pi = PlotImage(x=f, nbins=64, supersample=2, xlim=(3, 283), ylim=(3, 3e7), log=True)
    >>> pi.fit_transform(P).shape                 # (n_series, n_channels, nbins, nbins)
    (10, 1, 64, 64)
    """

    _tags = {
        "output": "image",
        "capability:ragged": False,
        # images are float32 grey levels whatever the input dtype (see plot_image)
        "preserves_dtype": False,
        "min_length": 2,
    }

    def __init__(
        self,
        x: Any = None,
        nbins: int = 128,
        supersample: int = 1,
        xlim: tuple[float, float] | None = None,
        ylim: tuple[float, float] | None = None,
        log: bool = False,
        n_jobs: int | None = -1,
    ) -> None:
        self.x = x
        self.nbins = nbins
        self.supersample = supersample
        self.xlim = xlim
        self.ylim = ylim
        self.log = log
        self.n_jobs = n_jobs

    def _caller(self) -> str:
        return f"PlotImage(nbins={self.nbins!r}, supersample={self.supersample!r}, log={self.log!r})"

    def fit(self, X: Any, y: Any = None) -> "PlotImage":
        """Check the parameters and fix the axis limits.

        Parameters
        ----------
        X : SignalSet, ndarray or list of ndarray
            Training series, equal length, at least 2 points each.
        y : ignored

        Returns
        -------
        self : PlotImage
        """
        caller = self._caller()
        x = self.x
        if x is not None and np.ndim(x) != 1:
            raise ValidationError(
                f"{caller}: x must be 1-D (n_times,), shared by all series, found shape "
                f"{np.shape(x)!r}. For one x per series call plot_image(..., x=x)."
            )
        _check_n_jobs(self.n_jobs, caller)
        prep = _prepare(
            X, x=x, nbins=self.nbins, supersample=self.supersample, xlim=self.xlim,
            ylim=self.ylim, log=self.log, caller=caller,
        )
        self.xlim_ = prep["xlim"]
        self.ylim_ = prep["ylim"]
        self.n_times_ = int(prep["rows"].shape[1])
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Draw each series and channel.

        Parameters
        ----------
        X : SignalSet, ndarray or list of ndarray
            Series of ``n_times_`` points.

        Returns
        -------
        images : ndarray of float32, shape (n_series, n_channels, nbins, nbins)
            Values in ``[0, 1]``, row 0 at the top (see :func:`plot_image`).
        """
        check_is_fitted(self, ["xlim_", "ylim_", "n_times_"])
        prep = _prepare(
            X, x=self.x, nbins=self.nbins, supersample=self.supersample, xlim=self.xlim_,
            ylim=self.ylim_, log=self.log, caller=self._caller(), n_times=self.n_times_,
        )
        return _draw(prep, _check_n_jobs(self.n_jobs, self._caller()))

    @classmethod
    def _get_test_params(cls) -> list[dict[str, Any]]:
        return [
            {"nbins": 16},
            {"nbins": 32, "supersample": 2, "xlim": (0.0, 255.0), "ylim": (-3.0, 3.0)},
            {"x": np.geomspace(1.0, 100.0, 256), "nbins": 24, "supersample": 3, "n_jobs": 2},
        ]
