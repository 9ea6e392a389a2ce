"""Text readers: one series per row (``text-rows``) or one series down the lines
(``text-columns``).

Formats
-------
``text``
    The format that detection picks for ``.csv .txt .tsv .dat .out .asc`` (by
    extension) and for files of other names that hold numbers (by content). Its
    ``layout="auto"`` option chooses between the two layouts below from the first
    data line: *columns* when it holds one field, or at most 8 fields in a file of
    at least ``max(16, 10 * fields)`` lines (a long recording with a few channels,
    such as the ECG files ``value,label``); *rows* otherwise (the helicopter files:
    61,440 values a line). Options that exist in one layout only decide it:
    ``id_column`` or ``ragged=True`` mean rows, ``time_column`` means columns.
``text-rows``, ``text-columns``
    The two layouts by name, to skip the guess. They are registered after ``text``
    with the same extensions, so detection always lands on ``text``.

A *rows* file gives a collection ``(n_series, 1, n_times)`` (or a ragged list with
``ragged=True``), with optional id and label columns. A *columns* file gives one
series, one channel per numeric column; an optional label column becomes
``point_labels`` (one int per sample) and an optional time column gives ``fs``.

Common rules: fields are separated by runs of blanks, or by one ``,`` ``\\t`` ``;``
(detected from the first data lines, or ``sep=``); blanks around fields, a UTF-8
byte-order mark, CRLF line ends, blank lines and ``#`` comments are allowed, as in
``numpy.loadtxt``; a first line with a field that is not a number (among its first
1,000 and its last) is a header.
Values are parsed to the correctly rounded float64 and then cast, so a file loads
to exactly ``numpy.loadtxt(path).astype(dtype)``; ``nan``, ``inf`` and
``infinity`` (any case, signed) are read as such and
:func:`~wavelens.data.check_collection` rejects them later. Text files carry no
sampling rate: ``fs`` comes from the ``fs=`` argument (or the time column).

Memory: the file is read in blocks (:mod:`wavelens.io._textengine`); the text is
never held whole. Rows of equal length go into one array reserved for an upper
bound on the number of lines (address space, not memory) and shrunk in place at
the end, so peak memory is the result plus two 32 MiB buffers; ragged rows are views
into one buffer per block.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator

from ..data import SignalSet
from ._registry import Format, default_chunk_size, register
from ._textread import _load_columns, _Rows
from ._textsniff import _check_chunk_size, _choose_layout, sniff_text

__all__ = ["read_text", "read_text_rows", "read_text_columns", "iter_text", "iter_text_rows", "sniff_text"]

EXTENSIONS = (".csv", ".txt", ".tsv", ".dat", ".out", ".asc")


# -- layout -----------------------------------------------------------------------
def _open(
    path: Path, layout: Any, o: dict[str, Any], *, fs: Any, dtype: Any, n_jobs: Any
) -> SignalSet | _Rows:
    """A columns file read whole, or a rows file ready to read."""
    chosen, plan = _choose_layout(path, layout, o)
    if chosen == "columns":
        return _load_columns(
            path, fs=fs, dtype=dtype, label_column=o["label_column"], time_column=o["time_column"],
            n_jobs=n_jobs, sep=o["sep"], header=o["header"], comments=o["comments"], plan=plan,
        )  # fmt: skip
    return _Rows(
        path, fs=fs, dtype=dtype, id_column=o["id_column"], label_column=o["label_column"],
        ragged=o["ragged"], n_jobs=n_jobs, sep=o["sep"], header=o["header"], comments=o["comments"],
        plan=plan,
    )  # fmt: skip


# -- public readers ---------------------------------------------------------------
_I = "\n        "  # the indent of a parameter's description in a docstring
_DOCS = {
    "path": f"path : str or path{_I}The file.",
    "fs": f"fs : float, optional{_I}Sampling rate in Hz (text files carry none).",
    "dtype": (
        f'dtype : {{"float32", "float64"}}, default="float32"{_I}Sample type; values equal '
        "``numpy.loadtxt(path).astype(dtype)``."
    ),
    "sep": (
        f'sep : str, optional{_I}One separator character (``","``, ``"\\t"``, ``";"``, ...; also '
        f'``"tab"``,{_I}``"comma"``, ``"semicolon"``), or ``" "`` (``"whitespace"``) for runs of{_I}blanks. '
        "By default detected from the first data lines."
    ),
    "header": (
        f"header : bool, optional{_I}Whether the first line with data is a header. By default it is"
        f"{_I}one when a field (outside the id, label and time columns) is not a{_I}number."
    ),
    "comments": f'comments : str or None, default="#"{_I}The rest of a line after it is ignored.',
    "id_column": (
        f"id_column : int or str, optional{_I}Column of series ids (text, unique): an index (negative "
        f"counts{_I}from the end of the line) or a header name. By default the ids are{_I}the row "
        'numbers ``"0", "1", ...``.'
    ),
    "ragged": (
        f"ragged : bool, default=False{_I}Allow rows of unequal length: the data are then a list of"
        f"{_I}``(1, n_i)`` arrays. Otherwise unequal rows are an error naming the line."
    ),
    "time_column": (
        f"time_column : int or str, optional{_I}Column of sample times: not a channel; its first value "
        f'is{_I}``metadata["t0"]`` and its step gives ``fs`` when ``fs`` is None (if{_I}the steps are '
        "equal within 0.1 %)."
    ),
    "n_jobs": f"n_jobs : int, optional{_I}Parsing threads; by default one per available CPU.",
    "chunk_size": (
        f"chunk_size : int, optional{_I}Lines per chunk (blank and comment lines count, so a chunk may "
        f"hold{_I}fewer series); by default about 256 MiB of samples."
    ),
    "raises": (
        f"DataFormatError{_I}An empty file; a field that is not a number; an empty field; a line of"
        f"{_I}another length. The message names the file, line and column."
    ),
}


def _doc(func: Callable[..., Any]) -> Callable[..., Any]:
    """Fill ``{name}`` fields of a docstring with the shared parameter texts."""
    func.__doc__ = (func.__doc__ or "").format(**_DOCS)
    return func


@_doc
def read_text_rows(
    path: str | os.PathLike[str],
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    id_column: int | str | None = None,
    label_column: int | str | None = None,
    ragged: bool = False,
    n_jobs: int | None = None,
) -> SignalSet:
    """Read a text file that holds one series per line.

    Parameters
    ----------
    {path}
    {fs}
    {dtype}
    {sep}
    {header}
    {comments}
    {id_column}
    label_column : int or str, optional
        Column of per-series labels: ints if all are, else floats if all are, else str.
    {ragged}
    {n_jobs}

    Returns
    -------
    SignalSet
        ``data`` of shape ``(n_series, 1, n_times)`` and dtype ``dtype`` (a list of
        ``(1, n_i)`` arrays with ``ragged=True``); ``metadata["line"]`` is the file
        line of each series.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import os, tempfile
    >>> from wavelens.io import load
    >>> path = os.path.join(tempfile.mkdtemp(), "rows.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("id,a,b,c\\nx,1,2,3\\ny,4,5,6.5\\n")
    >>> s = load(path, format="text-rows", id_column=0)
    >>> s.data.shape, s.ids.tolist(), s.data[1, 0].tolist()
    ((2, 1, 3), ['x', 'y'], [4.0, 5.0, 6.5])
    """
    rows = _Rows(
        Path(path), fs=fs, dtype=dtype, sep=sep, header=header, comments=comments, id_column=id_column,
        label_column=label_column, ragged=ragged, n_jobs=n_jobs,
    )  # fmt: skip
    with rows.reader:
        return rows.load()


@_doc
def iter_text_rows(
    path: str | os.PathLike[str],
    *,
    chunk_size: int | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    id_column: int | str | None = None,
    label_column: int | str | None = None,
    ragged: bool = False,
    n_jobs: int | None = None,
) -> Iterator[SignalSet]:
    """Yield the rows of a text file as SignalSets of at most ``chunk_size`` series.

    The file is read a block at a time and one chunk of values is in memory. Ids
    continue across chunks (the file's row numbers ``"0" .. "N-1"``, or the id
    column). Options as for :func:`read_text_rows`.

    Parameters
    ----------
    {chunk_size}

    Yields
    ------
    SignalSet
        Consecutive chunks; together, the series :func:`read_text_rows` returns.
    """
    chunk = _check_chunk_size(chunk_size)
    rows = _Rows(
        Path(path), fs=fs, dtype=dtype, sep=sep, header=header, comments=comments, id_column=id_column,
        label_column=label_column, ragged=ragged, n_jobs=n_jobs,
    )  # fmt: skip
    yield from _iter_rows(rows, chunk)


def _iter_rows(rows: _Rows, chunk: int | None) -> Iterator[SignalSet]:
    if chunk is None:
        chunk = default_chunk_size(max(rows.n_data, 1), 1, rows.dtype.itemsize)
    with rows.reader:
        yield from rows.iter(chunk)


@_doc
def read_text_columns(
    path: str | os.PathLike[str],
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    label_column: int | str | None = None,
    time_column: int | str | None = None,
    n_jobs: int | None = None,
) -> SignalSet:
    """Read a text file that holds one series down its lines, one channel per column.

    Parameters
    ----------
    {path}
    fs : float, optional
        Sampling rate in Hz; by default from ``time_column``, else unset.
    {dtype}
    {sep}
    {header}
        Header names become channel names.
    {comments}
    label_column : int or str, optional
        Column of integer per-sample labels (e.g. 1 inside an anomalous beat),
        stored as ``point_labels``.
    {time_column}
    {n_jobs}

    Returns
    -------
    SignalSet
        One series: ``data`` of shape ``(1, n_channels, n_times)``.

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import os, tempfile
    >>> from wavelens.io import load
    >>> path = os.path.join(tempfile.mkdtemp(), "ecg.out")
    >>> with open(path, "w") as f:
    ...     _ = f.write("".join(f"{{0.1 * k:.1f}},{{int(k > 20)}}\\n" for k in range(32)))
    >>> s = load(path, label_column=1)
    >>> s.data.shape, int(s.point_labels[0].sum())
    ((1, 1, 32), 11)
    """
    return _load_columns(
        Path(path), fs=fs, dtype=dtype, sep=sep, header=header, comments=comments,
        label_column=label_column, time_column=time_column, n_jobs=n_jobs,
    )  # fmt: skip


@_doc
def read_text(
    path: str | os.PathLike[str],
    *,
    fs: float | None = None,
    dtype: Any = "float32",
    layout: str = "auto",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    id_column: int | str | None = None,
    label_column: int | str | None = None,
    time_column: int | str | None = None,
    ragged: bool = False,
    n_jobs: int | None = None,
) -> SignalSet:
    """Read a text file of numbers: one series per line (rows) or down the lines (columns).

    Parameters
    ----------
    layout : {{"auto", "rows", "columns"}}, default="auto"
        ``"rows"``: as :func:`read_text_rows`; ``"columns"``: as
        :func:`read_text_columns`; ``"auto"``: columns when the first data line
        holds 1 field, or at most 8 in a file of at least ``max(16, 10 * fields)``
        lines, else rows. ``id_column`` or ``ragged=True`` mean rows,
        ``time_column`` means columns.
    fs, dtype, sep, header, comments, id_column, time_column, ragged, n_jobs
        As for :func:`read_text_rows` and :func:`read_text_columns`.
    label_column : int or str, optional
        Per-series labels (rows) or integer per-sample labels (columns).

    Returns
    -------
    SignalSet

    Raises
    ------
    {raises}

    Examples
    --------
    >>> import os, tempfile
    >>> from wavelens.io import load
    >>> path = os.path.join(tempfile.mkdtemp(), "x.txt")
    >>> with open(path, "w") as f:
    ...     _ = f.write("0.5 1e-3 -2\\n3 4 5\\n")
    >>> load(path).data.shape
    (2, 1, 3)
    """
    o = dict(sep=sep, header=header, comments=comments, id_column=id_column, label_column=label_column,
             time_column=time_column, ragged=ragged)  # fmt: skip
    opened = _open(Path(path), layout, o, fs=fs, dtype=dtype, n_jobs=n_jobs)
    if isinstance(opened, SignalSet):
        return opened
    with opened.reader:
        return opened.load()


@_doc
def iter_text(
    path: str | os.PathLike[str],
    *,
    chunk_size: int | None = None,
    fs: float | None = None,
    dtype: Any = "float32",
    layout: str = "auto",
    sep: str | None = None,
    header: bool | None = None,
    comments: str | None = "#",
    id_column: int | str | None = None,
    label_column: int | str | None = None,
    time_column: int | str | None = None,
    ragged: bool = False,
    n_jobs: int | None = None,
) -> Iterator[SignalSet]:
    """Yield a text file in chunks: rows as :func:`iter_text_rows`; a columns file
    is one series, yielded whole. Options as for :func:`read_text`.

    Parameters
    ----------
    {chunk_size}

    Yields
    ------
    SignalSet
    """
    chunk = _check_chunk_size(chunk_size)
    o = dict(sep=sep, header=header, comments=comments, id_column=id_column, label_column=label_column,
             time_column=time_column, ragged=ragged)  # fmt: skip
    opened = _open(Path(path), layout, o, fs=fs, dtype=dtype, n_jobs=n_jobs)
    if isinstance(opened, SignalSet):
        yield opened
    else:
        yield from _iter_rows(opened, chunk)


register(
    Format(
        name="text",
        extensions=EXTENSIONS,
        read=read_text,
        description="Numbers in text (CSV, TSV, blank-separated): one series per line, or one series "
        "down the lines (layout='auto'|'rows'|'columns').",
        iter_chunks=iter_text,
        sniff=sniff_text,
        options=("layout", "sep", "header", "comments", "id_column", "label_column", "time_column", "ragged",
                 "n_jobs"),  # fmt: skip
    )
)
register(
    Format(
        name="text-rows",
        extensions=EXTENSIONS,
        read=read_text_rows,
        description="Numbers in text, one series per line (id and label columns; ragged=True for "
        "lines of unequal length).",
        iter_chunks=iter_text_rows,
        options=("sep", "header", "comments", "id_column", "label_column", "ragged", "n_jobs"),
    )
)
register(
    Format(
        name="text-columns",
        extensions=EXTENSIONS,
        read=read_text_columns,
        description="Numbers in text, one series down the lines, one channel per column (a per-sample "
        "label column, a time column).",
        one_series_per_file=True,
        options=("sep", "header", "comments", "label_column", "time_column", "n_jobs"),
    )
)
