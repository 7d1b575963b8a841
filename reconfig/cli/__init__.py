"""The `reconfig` command, split by command group: inputs, solving, analysis, runs.

`app.py` holds the Typer application and what every command shares; each other module registers its
commands on it when imported here.
"""

from __future__ import annotations

import sys

from reconfig.cli.app import app, err

# the order of registration is the order of `reconfig --help`
from reconfig.cli import inputs, solving, analysis, runs  # noqa: F401, I001  # isort: skip

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted; nothing half-written was kept")
        sys.exit(130)
