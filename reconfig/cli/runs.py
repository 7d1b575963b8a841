"""The run catalogue commands: runs list, show, compare and reindex."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reconfig.cli.app import JsonOpt, app, console, err

runs_app = typer.Typer(no_args_is_help=True, help="The run catalogue: list, show and compare run directories.")
app.add_typer(runs_app, name="runs")
RootOpt = Annotated[Path, typer.Option("--root", help="folder of run directories holding catalogue.duckdb")]


def _catalogue_failed(e: Exception) -> None:
    err.print(f"[red]{e}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _find_run(root: Path, ref: str) -> Path:
    from reconfig.results.catalogue import find_run

    try:
        return find_run(root, ref)
    except LookupError as e:
        err.print(f"[red]{e}[/]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


@runs_app.command("list")
def runs_list(kind: Annotated[str | None, typer.Option(help="solve, compare, sweep, …")] = None,
              scenario_: Annotated[str | None, typer.Option("--scenario", help="scenario name or file")] = None,
              root: RootOpt = Path("runs"), json_: JsonOpt = False) -> None:
    """Runs in the catalogue, newest first (runs not yet indexed are indexed first)."""
    from reconfig.results.catalogue import CatalogueError, list_runs

    try:
        rows = list_runs(root, kind, scenario_)
    except CatalogueError as e:
        _catalogue_failed(e)
        return
    if json_:
        print(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        console.print(f"No runs in {root}" + (" matching the filters" if kind or scenario_ else ""))
        return
    t = Table(title=f"Runs in {root}")
    for c in ("Run", "Kind", "Scenario", "Status", "Objective", "Gap", "Created"):
        t.add_column(c, justify="right" if c in ("Objective", "Gap") else "left", overflow="fold")
    for r in rows:
        t.add_row(r["run_id"], r["kind"] or "", (r["scenario_name"] or "") + (f" ({r['option']})" if r["option"]
                                                                               else ""),
                  r["status"] or "", f"{r['objective']:,.1f}" if r["objective"] is not None else "–",
                  f"{r['mip_gap'] * 100:.2f}%" if r["mip_gap"] is not None else "–",
                  (r["created"] or "").replace("T", " ")[:16])
    console.print(t)


@runs_app.command("show")
def runs_show(run: Annotated[str, typer.Argument(help="run id (directory name, or a unique prefix) or path")],
              root: RootOpt = Path("runs"), json_: JsonOpt = False) -> None:
    """A run's manifest (scenario, input hash, versions, timings, status) and headline results."""
    from reconfig.analysis.runs import details

    d = details(_find_run(root, run))
    if json_:
        print(json.dumps(d, indent=2, default=str))
        return
    man = d["manifest"]
    t = Table(title=f"Run {d['run_id']}", show_header=False)
    for k in ("kind", "status", "scenario", "option", "data", "input_hash", "reconfig", "code_version", "highspy",
              "pyomo", "python", "created"):
        if man.get(k) is not None:
            t.add_row(k, str(man[k]))
    for k, v in (man.get("timings") or {}).items():
        t.add_row(f"timings.{k}", str(v))
    t.add_row("path", d["path"])
    t.add_row("files", ", ".join(d["files"]))
    console.print(t)
    if "plan" in d:
        p = d["plan"]
        gap = f"{p['mip_gap'] * 100:.3f} %" if p.get("mip_gap") is not None else "n/a"
        console.print(f"Plan: {p['status']}, objective {p['objective']}, gap {gap}", highlight=False)
        for y, c in (p.get("capital_spend_by_year") or {}).items():
            console.print(f"  capital {y}: £{c / 1000:,.1f}m", highlight=False)
        console.print("  schemes: " + (", ".join(p["schemes"]) or "none"), highlight=False)
    for name, r in (d.get("compare") or {}).items():
        console.print(f"  {name}: {r['status']}, objective {r['objective']}", highlight=False)
    if "sweep" in d:
        console.print("Sweep: " + ", ".join(f"{k} {v}" for k, v in d["sweep"].items()), highlight=False)


@runs_app.command("compare")
def runs_compare(run_a: Annotated[str, typer.Argument(help="run id or path")],
                 run_b: Annotated[str, typer.Argument(help="run id or path")],
                 root: RootOpt = Path("runs"), json_: JsonOpt = False) -> None:
    """Run B against run A: status and gap, objectives, capital by year, services, schemes and beds that differ."""
    from reconfig.analysis.runs import compare_runs

    try:
        c = compare_runs(_find_run(root, run_a), _find_run(root, run_b))
    except LookupError as e:
        _catalogue_failed(e)
        return
    if json_:
        print(json.dumps(c, indent=2, default=str))
        return
    t = Table(title=f"{c['b']['run']} against {c['a']['run']}")
    t.add_column("")
    t.add_column("A", justify="right")
    t.add_column("B", justify="right")
    t.add_column("B − A", justify="right")
    t.add_row("Status (gap)", *[f"{c[x]['status']} ({c[x]['mip_gap'] * 100:.3f} %)" if c[x]["mip_gap"] is not None
                                else str(c[x]["status"]) for x in "ab"], "")
    for group, unit in (("objectives", ""), ("capital_by_year_gbp_k", "capital ")):
        for k, v in c[group].items():
            t.add_row(f"{unit}{k}", *[f"{x:,.1f}" if x is not None else "–" for x in (v["a"], v["b"], v["change"])])
    console.print(t)
    d = c["difference"]
    if d is None:
        console.print(c["note"])
        return
    for label, key in (("services added", "services_added"), ("services removed", "services_removed"),
                       ("schemes added", "schemes_added"), ("schemes dropped", "schemes_dropped"),
                       ("schemes retimed", "schemes_retimed")):
        console.print(f"{label}: {', '.join(d[key]) or 'none'}", highlight=False, soft_wrap=True)
    console.print(f"beds (final year): {d['beds_change'] or 'same'}", highlight=False)


@runs_app.command("reindex")
def runs_reindex(root: RootOpt = Path("runs"),
                 rebuild: Annotated[bool, typer.Option("--rebuild", help="drop the index and rebuild it from every "
                                                       "manifest")] = False) -> None:
    """Bring the catalogue in line with the run directories (it is only an index of their manifests)."""
    from reconfig.results.catalogue import CatalogueError, reindex

    try:
        counts = reindex(root, rebuild=rebuild)
    except CatalogueError as e:
        _catalogue_failed(e)
        return
    console.print(f"{root}: {counts['added']} added, {counts['updated']} updated, {counts['removed']} removed")
