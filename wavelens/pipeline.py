"""Pipelines from a short text, the same in Python, in TOML files and on the command line.

Grammar::

    spec   := stage ("|" stage)*          stages run one after the other
    stage  := step ("+" step)*            steps of a stage run side by side and their
                                          features are concatenated (a FeatureUnion)
    step   := name | name "(" key=value, ... ")"

``name`` is a transform of :mod:`wavelens.transforms` in snake case
(``GaborBank`` → ``gabor_bank``) or its class name; values are Python literals
(numbers, strings, tuples, lists, True/False/None). Example::

    "detrend | gabor_bank + statistics + spectral_summary(nperseg=1024)"
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import FeatureUnion, Pipeline

from .exceptions import ValidationError

__all__ = ["build_pipeline", "compute_features", "transform_names", "set_fs"]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def transform_names() -> dict[str, type]:
    """Every transform usable in a spec, by snake-case name."""
    from . import transforms
    from .base import WavelensEstimator

    out = {}
    for attr in transforms.__all__:
        obj = getattr(transforms, attr)
        if inspect.isclass(obj) and issubclass(obj, WavelensEstimator):
            out[_snake(attr)] = obj
    return out


def _split_top(text: str, sep: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                raise ValidationError(f"pipeline {text!r}: unbalanced ')'.")
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth != 0:
        raise ValidationError(f"pipeline {text!r}: unbalanced '('.")
    parts.append("".join(cur))
    return [p.strip() for p in parts]


def _parse_step(text: str, names: dict[str, type]) -> Any:
    m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?", text, flags=re.S)
    if not m:
        raise ValidationError(f"pipeline step {text!r}: expected name or name(key=value, ...).")
    name, args = m.group(1), m.group(2)
    cls = names.get(name) or names.get(_snake(name))
    if cls is None:
        raise ValidationError(
            f"pipeline step {name!r}: unknown transform; valid names: {sorted(names)!r}."
        )
    kwargs: dict[str, Any] = {}
    if args and args.strip():
        try:
            call = ast.parse(f"f({args})", mode="eval").body
        except SyntaxError as err:
            raise ValidationError(f"pipeline step {text!r}: cannot parse the arguments ({err.msg}).") from err
        assert isinstance(call, ast.Call)
        if call.args:
            raise ValidationError(f"pipeline step {text!r}: arguments must be named, e.g. {name}(key=value).")
        for kw in call.keywords:
            try:
                kwargs[kw.arg] = ast.literal_eval(kw.value)
            except ValueError as err:
                raise ValidationError(
                    f"pipeline step {text!r}: the value of {kw.arg!r} must be a literal (number, string, "
                    "tuple, list, True/False/None)."
                ) from err
    valid = set(inspect.signature(cls.__init__).parameters) - {"self"}
    unknown = sorted(set(kwargs) - valid)
    if unknown:
        raise ValidationError(
            f"pipeline step {name!r}: unknown parameter(s) {unknown!r}; {cls.__name__} takes {sorted(valid)!r}."
        )
    return _snake(cls.__name__), cls(**kwargs)


def build_pipeline(spec: str, *, fs: float | None = None) -> Pipeline:
    """Build a scikit-learn Pipeline from a spec (see the module docstring).

    Parameters
    ----------
    spec : str
        E.g. ``"standardize | gabor_bank + statistics"``.
    fs : float, optional
        Sampling rate in Hz, set on every step that takes ``fs`` (a series→series
        step returns a bare array, so the rate would otherwise be lost after it).

    Returns
    -------
    sklearn.pipeline.Pipeline

    Raises
    ------
    ValidationError
        Unknown transform (the message lists the valid names), unknown parameter
        (lists the valid ones), or a malformed spec.
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ValidationError(f"pipeline: expected a non-empty spec string, found {spec!r}.")
    names = transform_names()
    stages = []
    for k, stage in enumerate(_split_top(spec, "|")):
        if not stage:
            raise ValidationError(f"pipeline {spec!r}: stage {k + 1} is empty.")
        steps = []
        for part in _split_top(stage, "+"):
            if not part:
                raise ValidationError(f"pipeline {spec!r}: an empty step around '+'.")
            steps.append(_parse_step(part, names))
        steps = _unique_names(steps)
        if len(steps) == 1:
            stages.append(steps[0])
        else:
            stages.append((f"union{k}", FeatureUnion(steps)))
    pipe = Pipeline(_unique_names(stages))
    if fs is not None:
        set_fs(pipe, fs)
    return pipe


def _unique_names(steps: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    seen: dict[str, int] = {}
    out = []
    for name, est in steps:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append((name if n == 0 else f"{name}{n + 1}", est))
    return out


def set_fs(estimator: Any, fs: float | None) -> Any:
    """Set ``fs`` on every step of a Pipeline/FeatureUnion (nested) that takes it."""
    if isinstance(estimator, Pipeline):
        for _, step in estimator.steps:
            set_fs(step, fs)
    elif isinstance(estimator, FeatureUnion):
        for _, step in estimator.transformer_list:
            set_fs(step, fs)
    elif hasattr(estimator, "get_params") and "fs" in estimator.get_params(deep=False):
        estimator.set_params(fs=fs)
    return estimator


def _feature_names(pipe: Pipeline, n: int) -> list[str]:
    try:
        names = [str(c) for c in pipe.get_feature_names_out()]
        if len(names) == n:
            return names
    except (AttributeError, ValueError, TypeError):
        pass
    return [f"f{j}" for j in range(n)]


def compute_features(
    source: Any,
    *,
    pipeline: str | Pipeline,
    out: Any,
    format: str | None = None,
    fs: float | None = None,
    options: dict[str, Any] | None = None,
    window: int | None = None,
    step: int | None = None,
    chunk_size: int | None = None,
    progress: bool = False,
) -> tuple[int, int]:
    """Run a feature pipeline over a (possibly larger-than-memory) input into a table.

    The input is read chunk by chunk (:func:`wavelens.io.iter_chunks`); the pipeline is
    fitted on the first chunk (the wavelens feature transforms learn nothing from the
    data beyond its shape, so this equals fitting on everything; a learnt step such as
    ``bag_of_words`` is fitted on the first chunk's series) and applied to every chunk;
    rows are appended to ``out`` through a temporary file renamed into place at the
    end, so a failure leaves no partial table.

    Parameters
    ----------
    source : path, folder, glob or list
    pipeline : str or Pipeline
        A spec for :func:`build_pipeline` or a ready pipeline.
    out : path
        ``.parquet``/``.pq``, ``.csv`` or ``.tsv``.
    format, fs, options
        Passed to the reader.
    window, step : int, optional
        If given, every series is cut into windows of ``window`` samples every
        ``step`` (default ``window``) samples, incomplete tails dropped, and each
        window is a row, with columns ``series_id`` and ``start``.
    chunk_size : int, optional
        Series per chunk.
    progress : bool, default=False
        Show a progress bar (series done).

    Returns
    -------
    n_rows, n_features : int
    """
    from .io import TableWriter, iter_chunks

    options = options or {}
    pipe = build_pipeline(pipeline) if isinstance(pipeline, str) else pipeline
    fitted = False
    names: list[str] = []
    bar = _progress(progress)
    with bar, TableWriter(out) as writer:
        task = bar.add_task("features", total=None)
        for chunk in iter_chunks(source, chunk_size=chunk_size, format=format, fs=fs, **options):
            X, ids, extra = chunk, chunk.ids, {}
            if window is not None:
                X, ids, extra = _windows_of(chunk, window, step)
            if not fitted:
                if isinstance(chunk.fs, np.ndarray):
                    raise ValidationError(
                        f"compute_features: the series have different sampling rates "
                        f"({np.unique(chunk.fs)[:4].tolist()!r} Hz...); resample them to one rate first."
                    )
                set_fs(pipe, fs if fs is not None else chunk.fs)
                pipe.fit(X)
                fitted = True
            F = np.asarray(pipe.transform(X))
            if F.ndim != 2:
                F = F.reshape(len(F), -1)
            if not names:
                names = _feature_names(pipe, F.shape[1])
            df = pd.DataFrame(F, columns=names)
            for k, v in reversed(list(extra.items())):
                df.insert(0, k, v)
            df.insert(0, "id", [str(i) for i in ids])
            if chunk.labels is not None and window is None:
                df["label"] = chunk.labels
            writer.write(df)
            bar.update(task, advance=len(chunk))
    return writer.n_rows, len(names)


def _windows_of(chunk: Any, window: int, step: int | None) -> tuple[Any, list[str], dict[str, Any]]:
    from .transforms import make_windows

    W, wmap = make_windows(chunk, size=window, step=step or window, tail="drop")
    sid = chunk.ids[wmap.series]
    starts = np.asarray(wmap.start)
    ids = [f"{s}@{int(t)}" for s, t in zip(sid, starts)]
    return W, ids, {"series_id": [str(s) for s in sid], "start": starts}


def _progress(enabled: bool) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("series"),
        TimeElapsedColumn(),
        disable=not enabled,
        transient=True,
    )
