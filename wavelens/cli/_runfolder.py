"""Run folders that always get a status and a report, also when the job fails half-way.

::

    with RunFolder(path, job="detect") as run:
        ...                       # write config.toml, outputs, figures into run.path
        run.step("fitted the detector on 1,677 series")
        run.note("torch is not installed: the embedding is PCA of the detector's features")

``status.json`` (written atomically at the start, after each step and at the end)::

    {"job": "detect", "status": "running" | "ok" | "failed" | "interrupted",
     "started": ISO time, "finished": ISO time, "seconds": float,
     "steps": [...], "notes": [...], "figures": {"name.png": "caption"},
     "error": "ValidationError: ..." (when failed), "command": "wavelens ...",
     "wavelens_version": "..."}

On exit the report (:func:`wavelens.viz.write_report`) is written; a job that raised is
marked failed (the report shows the error and the steps done) and its exception is
raised again.
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import functools
import json
import shlex
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable, TypeVar

from ..exceptions import WavelensError

__all__ = ["RunFolder", "current_run", "with_run_folder"]

F = TypeVar("F", bound=Callable[..., Any])
_CURRENT: contextvars.ContextVar["RunFolder | None"] = contextvars.ContextVar("wavelens_run_folder", default=None)


def current_run() -> "RunFolder | None":
    """The run folder of the job running now (inside ``with RunFolder(...)``), or None."""
    return _CURRENT.get()


def _command_line() -> str | None:
    """The wavelens command line, when this process is the ``wavelens`` command."""
    if not sys.argv or Path(sys.argv[0]).name not in ("wavelens", "__main__.py"):
        return None
    return " ".join(shlex.quote(a) for a in ["wavelens", *sys.argv[1:]])


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


class RunFolder:
    """A job's run folder: ``status.json`` kept current and ``report.html`` written on exit.

    Parameters
    ----------
    path : path
        The folder (created with its parents).
    job : str
        The job's name (``"detect"``, ``"demo"``, ...), shown in the report.
    report : bool, default=True
        Write ``report.html`` on exit.

    Attributes
    ----------
    path : Path
    steps, notes : list of str
    captions : dict of str to str
        Figure file name → caption, shown in the report in this order.
    report_path : Path or None
        The report written on exit.
    """

    def __init__(self, path: str | Path, *, job: str, report: bool = True) -> None:
        self.path = Path(path)
        self.job = job
        self.report = report
        self.steps: list[str] = []
        self.notes: list[str] = []
        self.captions: dict[str, str] = {}
        self.report_path: Path | None = None
        self._started: str | None = None
        self._t0 = 0.0
        self._token: Any = None

    # -- what a job records -----------------------------------------------------------
    def step(self, what: str) -> None:
        """Record a finished step (shown in the report, and kept if a later step fails)."""
        self.steps.append(str(what))
        self._write_status("running")

    def note(self, text: str) -> None:
        """Record something the reader of the report should know (a fallback, a choice)."""
        self.notes.append(str(text))
        self._write_status("running")

    def caption(self, filename: str, text: str) -> None:
        """Give the figure ``filename`` (in the folder) a caption in the report."""
        self.captions[str(filename)] = str(text)

    # -- the context manager ------------------------------------------------------------
    def __enter__(self) -> "RunFolder":
        if self.path.exists() and not self.path.is_dir():
            raise WavelensError(f"run folder {str(self.path)!r} is a file; give a folder path.")
        self.path.mkdir(parents=True, exist_ok=True)
        self._started, self._t0 = _now(), time.perf_counter()
        self._write_status("running")
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if self._token is not None:
            _CURRENT.reset(self._token)
            self._token = None
        if exc is None:
            state, error = "ok", None
        elif isinstance(exc, KeyboardInterrupt):
            state, error = "interrupted", "interrupted (KeyboardInterrupt)"
        else:
            state, error = "failed", f"{type(exc).__name__}: {exc}"
        self._write_status(state, error=error, finished=True)
        if self.report:
            from ..viz import write_report

            try:
                self.report_path = write_report(self.path)
            except Exception as err:  # the job's own error matters more than the report's
                if exc is None:
                    raise WavelensError(
                        f"the {self.job} job finished, but its report could not be written in "
                        f"{str(self.path)!r}: {type(err).__name__}: {err}"
                    ) from err
                warnings.warn(f"report of the failed {self.job} run not written: {err}", stacklevel=2)
        return False  # re-raise the job's exception, if any

    def _write_status(self, state: str, *, error: str | None = None, finished: bool = False) -> None:
        from .. import __version__
        from ..io._atomic import atomic_path

        status: dict[str, Any] = {
            "job": self.job,
            "status": state,
            "started": self._started,
            "finished": _now() if finished else None,
            "seconds": round(time.perf_counter() - self._t0, 3) if finished else None,
            "steps": self.steps,
            "notes": self.notes,
            "figures": self.captions,
            "error": error,
            "command": _command_line(),
            "wavelens_version": __version__,
        }
        with atomic_path(self.path / "status.json") as tmp:
            tmp.write_text(json.dumps({k: v for k, v in status.items() if v is not None}, indent=2) + "\n")


def with_run_folder(job: str, *, arg: str = "run_dir") -> Callable[[F], F]:
    """Decorate a command so that, when its ``arg`` keyword is given, it runs inside ``RunFolder``.

    The command's signature is kept (Typer reads it through ``functools.wraps``).
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            path = kwargs.get(arg)
            if path is None:
                return func(*args, **kwargs)
            with RunFolder(Path(path), job=job):
                return func(*args, **kwargs)

        return run  # type: ignore[return-value]

    return decorate
