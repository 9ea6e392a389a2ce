"""``python -m wavelens`` runs the ``wavelens`` command."""

import sys

from .cli import main

sys.exit(main())
