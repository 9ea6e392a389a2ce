"""Reader for the ``.ts`` format of the UCR/UEA time-series classification archive.

Format ``ts``. A file is a header of ``@key value`` lines (``@problemName``,
``@timeStamps``, ``@missing``, ``@univariate``, ``@dimensions``, ``@equalLength``,
``@seriesLength``, ``@classLabel true a b c`` or ``@targetLabel true``), then
``@data`` and one case per line: channels separated by ``:``, values by ``,``, the
class label (or regression target) last. ``?`` marks a missing value (NaN). Lines
starting with ``#`` or ``%`` are comments. With ``@timeStamps true`` each value is
written ``(timestamp,value)``; the values are read in order and the time stamps
dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..data import SignalSet
from ..exceptions import DataFormatError
from ._registry import Format, register
from ._sampling import _out_dtype

__all__ = ["read_ts"]

_BOOL_KEYS = {"timestamps", "missing", "univariate", "equallength"}
_INT_KEYS = {"serieslength", "dimensions", "dimension"}
_TUPLE = re.compile(r"\(([^()]*)\)")


@dataclass
class _Header:
    """What the header lines declare (``@problemName`` and unknown keys are not needed)."""

    timestamps: bool = False
    univariate: bool | None = None
    dimensions: int | None = None
    equal_length: bool | None = None
    series_length: int | None = None
    class_labels: list[str] | None = None  # declared classes; [] when none are listed
    has_class_label: bool = False
    has_target: bool = False


def _error(where: str, line_no: int, msg: str) -> DataFormatError:
    return DataFormatError(f"{where}, line {line_no}: {msg}")


def _parse_bool(value: str, key: str, where: str, line_no: int) -> bool:
    word = value.split()[0].lower() if value.split() else ""
    if word in ("true", "false"):
        return word == "true"
    raise _error(where, line_no, f"@{key} must be 'true' or 'false', found {value!r}.")


def _parse_header_line(h: _Header, line: str, where: str, line_no: int) -> None:
    words = line[1:].split(None, 1)
    key_raw = words[0] if words else ""
    value = words[1].strip() if len(words) > 1 else ""
    key = key_raw.lower()
    if key in _BOOL_KEYS:
        flag = _parse_bool(value, key_raw, where, line_no)
        if key == "timestamps":
            h.timestamps = flag
        elif key == "univariate":
            h.univariate = flag
        elif key == "equallength":
            h.equal_length = flag
        # @missing: '?' is read as NaN whatever it says
    elif key in _INT_KEYS:
        try:
            n = int(value)
        except ValueError:
            raise _error(where, line_no, f"@{key_raw} must be a positive integer, found {value!r}.") from None
        if n < 1:
            raise _error(where, line_no, f"@{key_raw} must be a positive integer, found {value!r}.")
        if key == "serieslength":
            h.series_length = n
        else:
            h.dimensions = n
    elif key == "classlabel":
        words = value.split()
        h.has_class_label = _parse_bool(value, key_raw, where, line_no)
        h.class_labels = words[1:] if h.has_class_label else None
    elif key == "targetlabel":
        h.has_target = _parse_bool(value, key_raw, where, line_no)
    # other keys (@problemName, and any a newer archive adds) do not change how cases are read


def _split_top(text: str) -> list[str]:
    """Split a case on ``:`` outside parentheses (time stamps may contain ``:``)."""
    parts, depth, begin = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ":" and depth == 0:
            parts.append(text[begin:i])
            begin = i + 1
    parts.append(text[begin:])
    return parts


def _values(text: str, timestamps: bool, where: str, line_no: int, channel: int) -> np.ndarray:
    text = text.strip()
    if not text:
        raise _error(where, line_no, f"channel {channel} is empty; write '?' for a missing value.")
    if timestamps or text.startswith("("):
        pairs = _TUPLE.findall(text)
        if not pairs:
            raise _error(
                where, line_no, f"channel {channel}: expected (timestamp,value) pairs, found {text[:40]!r}."
            )
        tokens = [p.rsplit(",", 1)[-1] for p in pairs]
    else:
        tokens = text.split(",")
    tokens = ["nan" if t.strip() == "?" else t for t in tokens]
    try:
        return np.array(tokens, dtype=np.float64)
    except ValueError as err:
        for pos, tok in enumerate(tokens):
            try:
                np.float64(tok)
            except ValueError:
                what = "an empty value" if not tok.strip() else f"{tok.strip()!r}"
                raise _error(
                    where,
                    line_no,
                    f"channel {channel}, value {pos}: {what} is not a number (write '?' for a "
                    "missing value).",
                ) from None
        raise _error(where, line_no, f"channel {channel}: cannot read the values ({err}).") from err


def read_ts(path: Path, *, fs: float | None = None, dtype: Any = "float32") -> SignalSet:
    """Read a UCR/UEA ``.ts`` file.

    Parameters
    ----------
    path : pathlib.Path
        The ``.ts`` file.
    fs : float, optional
        Sampling rate in Hz; the format does not record one.
    dtype : str or numpy dtype, default="float32"
        Floating-point type of the samples (None: float64).

    Returns
    -------
    SignalSet
        ``(n_cases, n_channels, n_times)`` when all cases have the same length,
        otherwise a ragged set of ``(n_channels, n_times_i)`` series. Missing values
        (``?``) are NaN. ``labels`` holds the class labels as strings, exactly as
        written (``@classLabel true``), or the regression targets as float64
        (``@targetLabel true``); ids are ``"0", "1", ...`` in file order.

    Raises
    ------
    DataFormatError
        With the file and line: no ``@data`` line, a bad header value, a value that
        is not a number, a label not declared in ``@classLabel``, channels of one
        case with different lengths, a case whose number of channels or length
        disagrees with the header or the first case, or no cases at all.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "toy.ts"
    >>> _ = p.write_text("@problemName toy\\n@classLabel true a b\\n@data\\n1,2,3:4,5,6:a\\n1,?,3:4,5,6:b\\n")
    >>> s = read_ts(p)
    >>> s.n_channels, s.labels.tolist()
    (2, ['a', 'b'])
    """
    path = Path(path)
    where = repr(str(path))
    out = _out_dtype(dtype) or np.dtype(np.float64)
    h = _Header()
    series: list[np.ndarray] = []
    labels: list[Any] = []
    declared: set[str] | None = None
    n_channels = None
    first_line = 0
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError as err:
        raise DataFormatError(f"{where}: cannot read the file ({err.strerror or err}).") from err
    with f:
        in_data = False
        line_no = 0
        for line_no, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line[0] in "#%":
                continue
            if not in_data:
                if line[0] != "@":
                    raise _error(
                        where,
                        line_no,
                        f"expected a header line ('@key value') or a comment before @data, found "
                        f"{line[:40]!r}. Is this a UCR/UEA .ts file?",
                    )
                if line[1:].strip().lower() == "data":
                    in_data = True
                    declared = set(h.class_labels) if h.class_labels else None
                    if h.has_class_label and h.has_target:
                        raise _error(where, line_no, "the header has both @classLabel true and @targetLabel true.")
                    continue
                _parse_header_line(h, line, where, line_no)
                continue
            parts = _split_top(line) if ("(" in line or h.timestamps) else line.split(":")
            has_label = h.has_class_label or h.has_target
            if has_label:
                if len(parts) < 2:
                    raise _error(where, line_no, "expected channels then a label after the last ':', found no ':'.")
                label_text = parts[-1].strip()
                parts = parts[:-1]
                if h.has_target:
                    try:
                        labels.append(float(label_text))
                    except ValueError:
                        raise _error(
                            where, line_no, f"the target {label_text!r} is not a number (@targetLabel true)."
                        ) from None
                else:
                    if declared is not None and label_text not in declared:
                        raise _error(
                            where,
                            line_no,
                            f"class label {label_text!r} is not among those declared by @classLabel: "
                            f"{h.class_labels!r}.",
                        )
                    labels.append(label_text)
            chans = [_values(p, h.timestamps, where, line_no, c) for c, p in enumerate(parts)]
            lengths = {len(c) for c in chans}
            if len(lengths) > 1:
                raise _error(
                    where,
                    line_no,
                    f"the channels of this case have different lengths {[len(c) for c in chans]!r}; all "
                    "channels of one case must have the same length.",
                )
            if n_channels is None:
                n_channels, first_line = len(chans), line_no
                if h.univariate and n_channels != 1:
                    raise _error(where, line_no, f"@univariate true, but the case has {n_channels} channels.")
                if h.dimensions is not None and n_channels != h.dimensions:
                    raise _error(
                        where, line_no, f"@dimensions {h.dimensions}, but the case has {n_channels} channels."
                    )
            elif len(chans) != n_channels:
                raise _error(
                    where,
                    line_no,
                    f"the case has {len(chans)} channels, but the first case (line {first_line}) has "
                    f"{n_channels}.",
                )
            n_times = len(chans[0])
            if h.equal_length and h.series_length is not None and n_times != h.series_length:
                raise _error(
                    where,
                    line_no,
                    f"@equalLength true with @seriesLength {h.series_length}, but the case has {n_times} values.",
                )
            if h.equal_length and series and n_times != series[0].shape[1]:
                raise _error(
                    where,
                    line_no,
                    f"@equalLength true, but the case has {n_times} values and the first case (line "
                    f"{first_line}) has {series[0].shape[1]}.",
                )
            series.append(np.stack(chans).astype(out, copy=False))
        if not in_data:
            raise DataFormatError(
                f"{where}: no @data line in {line_no} lines; a .ts file has a header ending with "
                "@data, then one case per line."
            )
    if not series:
        raise DataFormatError(f"{where}: no cases after the @data line.")
    equal = all(s.shape[1] == series[0].shape[1] for s in series)
    data: Any = np.stack(series) if equal else series
    if not h.has_class_label and not h.has_target:
        y = None
    elif h.has_target:
        y = np.asarray(labels, dtype=np.float64)
    else:
        y = np.asarray(labels, dtype=str)
    return SignalSet(data, fs=fs, labels=y)


register(
    Format(
        name="ts",
        extensions=(".ts",),
        read=read_ts,
        description="UCR/UEA time-series archive .ts (equal or unequal length, multivariate, labels)",
    )
)
