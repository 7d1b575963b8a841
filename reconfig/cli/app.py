"""The Typer application, its consoles, and the argument types and input-error handling every command shares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from reconfig.inputs.errors import InputError
from reconfig.inputs.scenario import load_scenario
from reconfig.instance.build import Instance, build_instance

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Choose site configurations, beds and capital phasing for a health system, and prove it.")
console = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[Path, typer.Argument(help="scenario file (TOML), e.g. models/llr-2017.toml")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def fail_input(e: InputError, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"ok": False, "errors": [p.to_dict() for p in e.problems]}, indent=2))
    else:
        err.print(f"[bold red]{len(e.problems)} problem(s) in the input:[/]")
        for p in e.problems:
            err.print(f"  • {p}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def load_instance(path: Path, as_json: bool) -> Instance:
    try:
        return build_instance(load_scenario(path))
    except InputError as e:
        fail_input(e, as_json)
        raise  # unreachable
