"""The ``wavelens`` command: one Typer app, one file per subcommand.

Errors print one line to stderr and exit with status 2 (``wavelens --debug ...``
shows the traceback). ``python -m wavelens`` runs the same command.
"""

from __future__ import annotations

import sys
from typing import Sequence

from ._app import app

# Subcommands register themselves on the app when imported.
from . import cluster  # noqa: E402,F401
from . import demo  # noqa: E402,F401
from . import detect  # noqa: E402,F401
from . import embed  # noqa: F401
from . import features  # noqa: E402,F401
from . import inspect  # noqa: E402,F401
from . import report  # noqa: F401

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (0 ok, 2 error or bad usage)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        app(args=args, prog_name="wavelens")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
