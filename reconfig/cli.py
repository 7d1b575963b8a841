"""The `reconfig` command: validate, describe and solve scenarios."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from reconfig.errors import InputError
from reconfig.instance import Instance, build_instance
from reconfig.results import manifest, outcome_fields, run_directory, summary, write_run
from reconfig.scenario import load_scenario
from reconfig.solve import solve_with_baseline

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Choose site configurations, beds and capital phasing for a health system, and prove it.")
console = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[Path, typer.Argument(help="scenario file (TOML), e.g. models/llr-2017.toml")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _fail_input(e: InputError, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"ok": False, "errors": [p.to_dict() for p in e.problems]}, indent=2))
    else:
        err.print(f"[bold red]{len(e.problems)} problem(s) in the input:[/]")
        for p in e.problems:
            err.print(f"  • {p}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _load(path: Path, as_json: bool) -> Instance:
    try:
        return build_instance(load_scenario(path))
    except InputError as e:
        _fail_input(e, as_json)
        raise  # unreachable


@app.command()
def validate(scenario: ScenarioArg, json_: JsonOpt = False) -> None:
    """Check a scenario and its input tables; list every problem found (exit status 2 if any)."""
    inst = _load(scenario, json_)
    if json_:
        print(json.dumps({"ok": True, "scenario": inst.scenario.name}))
    else:
        console.print(f"[green]✓[/] {scenario}: scenario and {len(inst.system.tables)} tables are valid.")


@app.command()
def describe(scenario: ScenarioArg, json_: JsonOpt = False) -> None:
    """Counts of sites, services, zones and schemes; capital by year; population; today's beds."""
    inst = _load(scenario, json_)
    sys_ = inst.system
    sites = Counter(sys_["sites"]["kind"])
    beds = sys_["beds_today"].groupby("bed_type")["beds"].sum().astype(int).to_dict()
    capital = {y: 0.0 for y in inst.years}
    for sch in inst.schemes.values():
        t0 = sch.earliest
        for off, v in sch.profile.items():
            if t0 + off < len(inst.years):
                capital[inst.years[t0 + off]] += v
    d = {"scenario": inst.scenario.name, "horizon": inst.years, "sites": dict(sites), "services": len(inst.services),
         "zones": len(inst.zones), "population": int(inst.population.sum()),
         "population_by_group": {k: int(v) for k, v in sys_["zones"].groupby("group")["population"].sum().items()},
         "schemes": len(inst.schemes), "scheme_capital_gbp_k": sum(sum(s.profile.values())
                                                                   for s in inst.schemes.values()),
         "capital_if_started_earliest_gbp_k": capital, "beds_today": beds,
         "funding_available_gbp_k": {y: sum(v for (f, yy), v in inst.funding_year.items() if yy == y)
                                     for y in inst.years},
         "options": sorted(set(sys_["options"]["option_id"]))}
    if json_:
        print(json.dumps(d, indent=2))
        return
    console.print(f"[bold]{inst.scenario.name}[/] — {inst.scenario.description}")
    t = Table(show_header=False, box=None)
    t.add_row("Horizon", f"{inst.years[0]} – {inst.years[-1]}")
    t.add_row("Sites", ", ".join(f"{n} {k}" for k, n in sites.items()))
    t.add_row("Services", str(d["services"]))
    t.add_row("Zones", f"{d['zones']} (population {d['population']:,})")
    for g, p in d["population_by_group"].items():
        t.add_row("", f"{g}: {p:,}")
    t.add_row("Capital schemes", f"{d['schemes']} (£{d['scheme_capital_gbp_k'] / 1000:,.2f}m in all)")
    t.add_row("Beds today", ", ".join(f"{b} {n:,}" for b, n in beds.items()))
    t.add_row("Named options", ", ".join(d["options"]) or "none")
    console.print(t)
    ct = Table(title="Capital by year if every scheme starts at its earliest (£000)")
    ct.add_column("Year")
    ct.add_column("Scheme capital", justify="right")
    ct.add_column("Funding available", justify="right")
    for y in inst.years:
        ct.add_row(y, f"{capital[y]:,.0f}", f"{d['funding_available_gbp_k'][y]:,.0f}")
    console.print(ct)


@app.command()
def solve(scenario: ScenarioArg,
          out: Annotated[Path | None, typer.Option(help="run directory (default runs/<scenario>-<time>)")] = None,
          time_limit: Annotated[float | None, typer.Option(help="seconds")] = None,
          gap: Annotated[float | None, typer.Option(help="relative MIP gap, e.g. 0.0001")] = None,
          option: Annotated[str | None, typer.Option(help="fix a named option from options.csv")] = None,
          report_: Annotated[bool, typer.Option("--report", help="also write report.html")] = False,
          json_: JsonOpt = False) -> None:
    """Solve a scenario (and its do-nothing baseline); write summary.json and CSV tables to a run directory."""
    inst = _load(scenario, json_)
    chosen = option or inst.scenario.option
    try:
        baseline, [(built, outcome)] = solve_with_baseline(inst, [chosen], time_limit, gap)
    except InputError as e:
        _fail_input(e, json_)
        return
    s = summary(inst, built, outcome, baseline, chosen)
    name = inst.scenario.name + (f"-{chosen}" if chosen and chosen != inst.scenario.option else "")
    run = out or Path("runs") / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    write_run(run, s, manifest(inst, "solve", **outcome_fields(s)))
    if report_:
        from reconfig.report import build_report

        build_report(run)
    if json_:
        print(json.dumps({"run": str(run), **{k: s[k] for k in ("status", "objective", "best_bound", "mip_gap")}}))
    else:
        print_summary(s, run)
    if outcome.status in ("infeasible", "error"):
        raise typer.Exit(1)


@app.command()
def compare(scenario: ScenarioArg,
            option: Annotated[list[str] | None, typer.Option(help="named option (repeatable; default: all)")] = None,
            out: Annotated[Path | None, typer.Option(help="run directory")] = None,
            time_limit: Annotated[float | None, typer.Option(help="seconds per solve")] = None,
            gap: Annotated[float | None, typer.Option(help="relative MIP gap")] = None,
            json_: JsonOpt = False) -> None:
    """The optimum beside each named option and do-nothing, and what choosing each option instead costs."""
    from reconfig.compare import compare as run_compare

    inst = _load(scenario, json_)
    names = option or sorted(set(inst.system["options"]["option_id"]))
    try:
        result = run_compare(inst, names, time_limit, gap)
    except InputError as e:
        _fail_input(e, json_)
        return
    run = out or Path("runs") / f"{inst.scenario.name}-compare-{time.strftime('%Y%m%d-%H%M%S')}"
    with run_directory(run) as tmp:
        (tmp / "compare.json").write_text(json.dumps(result, indent=2, default=str))
        extra = {**outcome_fields(result["runs"]["optimum"]), "options": names, "timings": {
            "build_and_solve_seconds_total": round(sum(r.get("build_seconds", 0) + r.get("solve_seconds", 0)
                                                       for r in result["runs"].values()), 3)}}
        (tmp / "manifest.json").write_text(json.dumps(manifest(inst, "compare", **extra), indent=2))
    if json_:
        print(json.dumps({"run": str(run), "against_optimum": result["against_optimum"]}, default=str))
        return
    runs = result["runs"]
    t = Table(title=f"{inst.scenario.name}: optimum against the options (£m)")
    t.add_column("")
    for name in runs:
        t.add_column(name, justify="right")
    t.add_row("Status (gap)", *[f"{s['status']} ({s['mip_gap'] * 100:.2f} %)" if s.get("mip_gap") is not None
                                else s["status"] for s in runs.values()])
    t.add_row("Net present cost", *[f"{s['objectives']['npv_cost'] / 1000:,.1f}" if s.get("objectives") else "–"
                                    for s in runs.values()])
    for y in inst.years:
        t.add_row(f"Capital {y}", *[f"{s['capital_spend_by_year'][y] / 1000:,.1f}" if "capital_spend_by_year" in s
                                    else "–" for s in runs.values()])
    console.print(t)
    for name, d in result["against_optimum"].items():
        console.print(f"[bold]{name}[/] instead of the optimum: NPV {d['npv_cost_change_gbp_k'] / 1000:+,.1f} £m; "
                      f"services added {', '.join(d['services_added']) or 'none'}; removed "
                      f"{', '.join(d['services_removed']) or 'none'}; schemes added "
                      f"{', '.join(d['schemes_added']) or 'none'}; dropped {', '.join(d['schemes_dropped']) or 'none'};"
                      f" beds {d['beds_change'] or 'same'}", soft_wrap=True)
    console.print(f"Comparison written to [bold]{run}[/]")


@app.command()
def sweep(scenario: Annotated[Path | None, typer.Argument(help="scenario file (TOML); not with --resume")] = None,
          vary: Annotated[list[str] | None, typer.Option(
              "--vary", help="KEY=V1,V2,… (repeatable), e.g. constraints.capital_total_gbp_k=250000,300000 or "
              "'adjust.bed_types.occupancy\\[acute]=0.85,0.95'; default: the scenario's \\[\\[sweep]] blocks")] = None,
          grid: Annotated[bool, typer.Option("--grid", help="every combination of the values (default: one-way, "
                                             "each parameter alone with the others at base)")] = False,
          workers: Annotated[int | None, typer.Option(help="local worker processes (default: cores)", min=1)] = None,
          scheduler: Annotated[str | None, typer.Option(help="run on a Dask cluster, e.g. tcp://HOST:8786")] = None,
          resume: Annotated[Path | None, typer.Option(help="continue an unfinished sweep (its .partial "
                                                      "directory)")] = None,
          out: Annotated[Path | None, typer.Option(help="run directory (default runs/<scenario>-sweep-<time>)")]
          = None,
          time_limit: Annotated[float | None, typer.Option(help="seconds per solve")] = None,
          gap: Annotated[float | None, typer.Option(help="relative MIP gap per solve")] = None,
          baseline: Annotated[bool, typer.Option("--baseline", help="solve do-nothing at every point to report "
                                                 "savings (always done where a savings target needs it)")] = False,
          json_: JsonOpt = False) -> None:
    """Sensitivity sweep: a full solve per point (status and gap each), in parallel, resumable; writes sweep.csv,
    sweep.json (tornado) and manifest.json."""
    import os

    from reconfig.sweep import SweepError, execute, finish, open_executor, prepare, reopen, start
    from reconfig.sweep.console import SweepProgress, results_table
    from reconfig.sweep.point import has_solution

    try:
        if resume is not None:
            given = [n for n, v in (("SCENARIO", scenario), ("--vary", vary), ("--grid", grid), ("--out", out),
                                    ("--time-limit", time_limit), ("--gap", gap), ("--baseline", baseline)) if v]
            if given:
                raise SweepError(f"--resume continues the sweep as it was planned; drop {', '.join(given)}")
            d, plan = reopen(resume)
        elif scenario is None:
            raise SweepError("give a SCENARIO to sweep, or --resume RUN_DIR")
        else:
            plan = prepare(scenario, vary or [], grid, time_limit, gap, baseline)
            d = None
        todo = len(plan.spec["points"]) - (len(d.finished(plan.spec["points"])) if d else 0)
        executor = open_executor(min(workers or os.cpu_count() or 1, max(todo, 1)), scheduler)
        try:
            if d is None:
                name = f"{plan.scenario.name}-sweep-{time.strftime('%Y%m%d-%H%M%S')}"
                d = start(plan, out or Path("runs") / name)
        except BaseException:
            executor.close()
            raise
    except InputError as e:
        _fail_input(e, json_)
        return
    except SweepError as e:
        err.print(f"[red]{e}[/]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    done = d.finished(plan.spec["points"])
    err.print(f"Sweep of {plan.scenario.name}: {len(plan.spec['points'])} points ({len(done)} already done) on "
              f"{executor.description}; working in {d.path}", highlight=False, soft_wrap=True)
    try:
        with SweepProgress(plan.spec, done, err, "sweep") as bar:
            records = execute(d, plan, executor, bar.update)
    except KeyboardInterrupt:
        kept = len(d.finished(plan.spec["points"]))
        err.print(f"interrupted: {kept} of {len(plan.spec['points'])} points are kept in {d.path}; continue with "
                  f"reconfig sweep --resume {d.path}", highlight=False, soft_wrap=True)
        raise typer.Exit(130) from None
    run = finish(d, plan, records)
    failed = sum(1 for r in records.values() if not has_solution(r))
    if json_:
        print(json.dumps({"run": str(run), "points": len(records), "failed": failed}))
    else:
        console.print(results_table(plan.spec, records))
        console.print(f"Sweep written to [bold]{run}[/] ({failed} of {len(records)} points without a solution)")
    if failed:
        raise typer.Exit(1)


runs_app = typer.Typer(no_args_is_help=True, help="The run catalogue: list, show and compare run directories.")
app.add_typer(runs_app, name="runs")
RootOpt = Annotated[Path, typer.Option("--root", help="folder of run directories holding catalogue.duckdb")]


def _catalogue_failed(e: Exception) -> None:
    err.print(f"[red]{e}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _find_run(root: Path, ref: str) -> Path:
    from reconfig.catalogue import find_run

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
    from reconfig.catalogue import CatalogueError, list_runs

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
    from reconfig.runs import details

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
    from reconfig.runs import compare_runs

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
    from reconfig.catalogue import CatalogueError, reindex

    try:
        counts = reindex(root, rebuild=rebuild)
    except CatalogueError as e:
        _catalogue_failed(e)
        return
    console.print(f"{root}: {counts['added']} added, {counts['updated']} updated, {counts['removed']} removed")


def print_summary(s: dict, run: Path) -> None:
    status = s["status"]
    colour = {"optimal": "green", "feasible": "yellow", "time_limit": "yellow"}.get(status, "red")
    gap = f"{s['mip_gap'] * 100:.3f} %" if s.get("mip_gap") is not None else "n/a"
    opt = f" (option {s['option']})" if s["option"] else ""
    console.print(f"[bold]{s['scenario']}[/]{opt}: [{colour}]{status}[/], gap {gap}, "
                  f"build {s['build_seconds']:.1f} s, solve {s['solve_seconds']:.1f} s")
    if status == "infeasible":
        console.print("[red]No plan satisfies every constraint of this scenario.[/] Loosen a limit (capital, "
                      "access, savings target, fixed option) and solve again.")
        return
    if "capital_spend_by_year" not in s:
        console.print(s.get("message", ""))
        return
    obj = s["objectives"]
    dn = s.get("do_nothing", {}).get("objectives", {})
    t = Table(title="Result against do-nothing")
    t.add_column("")
    t.add_column("This plan", justify="right")
    t.add_column("Do-nothing", justify="right")
    t.add_row("Net present cost (£m)", f"{obj['npv_cost'] / 1000:,.1f}",
              f"{dn['npv_cost'] / 1000:,.1f}" if dn else "n/a")
    for y, c in s["capital_spend_by_year"].items():
        t.add_row(f"Capital {y} (£m)", f"{c / 1000:,.1f}", "0.0")
    sav = s.get("savings_vs_do_nothing_by_year", {})
    for y, v in sav.items():
        t.add_row(f"Recurrent saving {y} (£m)", f"{v / 1000:,.1f}", "")
    last = s["years"][-1]
    beds = Counter()
    for r in s["beds"]:
        if r["year"] == last:
            beds[r["bed_type"]] += r["beds"]
    dnb = Counter()
    for r in s.get("do_nothing", {}).get("beds", []):
        if r["year"] == last:
            dnb[r["bed_type"]] += r["beds"]
    for b, n in beds.items():
        t.add_row(f"Beds {b} {last}", f"{n:,}", f"{dnb.get(b, 0):,}")
    console.print(t)
    console.print("Schemes: " + (", ".join(f"{r['scheme']} ({r['start']})" for r in s["schemes"]) or "none"))
    console.print(f"Run written to [bold]{run}[/]")


@app.command()
def report(run: Annotated[Path, typer.Argument(help="run directory written by `reconfig solve`")]) -> None:
    """Write RUN/report.html (one self-contained file) and RUN/results.xlsx from a run directory."""
    from reconfig.report import build_report

    if not (run / "summary.json").exists() or not (run / "manifest.json").exists():
        err.print(f"[red]{run} is not a run directory[/] (no summary.json / manifest.json)")
        raise typer.Exit(2)
    out = build_report(run)
    console.print(f"Report written to [bold]{out}[/]")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted; nothing half-written was kept")
        sys.exit(130)


if __name__ == "__main__":
    main()
