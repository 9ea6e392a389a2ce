"""The Typer application and what every subcommand shares."""

from __future__ import annotations

import ast
import functools
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, TypeVar

import typer

from ..exceptions import ValidationError, WavelensError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="wavelens",
    help="Machine learning on raw waveforms: inspect, represent, score, embed, cluster, classify.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _State:
    debug = False


state = _State()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    """wavelens: machine learning on raw waveforms."""
    state.debug = debug


def command(name: str) -> Callable[[F], F]:
    """Register a subcommand whose errors print one line to stderr and exit 2.

    ``--debug`` (before the subcommand) shows the traceback as well.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except (WavelensError, ValueError, TypeError, OSError, KeyError) as err:
                if state.debug:
                    traceback.print_exc()
                message = str(err) if not isinstance(err, KeyError) else repr(err)
                print(f"wavelens {name}: error: {message}", file=sys.stderr)
                raise typer.Exit(2) from err
            except KeyboardInterrupt:
                print(f"wavelens {name}: interrupted", file=sys.stderr)
                raise typer.Exit(130) from None

        app.command(name)(run)
        return func

    return decorate


def parse_options(pairs: list[str] | None) -> dict[str, Any]:
    """Turn ``["field=wvfmdata", "label_column=1"]`` into reader options.

    Values are read as Python literals where they parse (numbers, True/False/None,
    tuples), otherwise kept as strings.
    """
    out: dict[str, Any] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ValidationError(f"--option {pair!r}: expected KEY=VALUE, e.g. --option field=wvfmdata.")
        key, value = pair.split("=", 1)
        key = key.strip().replace("-", "_")
        if not key.isidentifier():
            raise ValidationError(f"--option {pair!r}: {key!r} is not a valid option name.")
        try:
            out[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            out[key] = value
    return out


def echo_err(message: str) -> None:
    typer.echo(message, err=True)


def out_dir(path: Path) -> Path:
    """Create a run/output folder (and its parents) and return it."""
    path.mkdir(parents=True, exist_ok=True)
    return path


def read_toml_config(path: Path, valid_keys: Any) -> dict[str, Any]:
    """Read the TOML configuration given with ``--config`` and refuse unknown top-level keys."""
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            cfg = tomllib.load(fh)
    except FileNotFoundError as err:
        raise ValidationError(f"--config {str(path)!r}: no such file.") from err
    except tomllib.TOMLDecodeError as err:
        raise ValidationError(f"--config {str(path)!r}: not valid TOML ({err}).") from err
    unknown = sorted(set(cfg) - set(valid_keys))
    if unknown:
        raise ValidationError(
            f"--config {str(path)!r}: unknown key(s) {unknown!r}; valid keys: {list(valid_keys)!r}."
        )
    return cfg
