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
from reconfig.results import manifest, plan_figures, run_directory, summary, write_run
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
         "options": sorted(set(sys_["options"]["option_id"])),
         "roles": {r.id: sorted(s for rr, s in inst.roles.allowed if rr == r.id) for r in inst.roles.roles.values()},
         "plan_figures": plan_figures(inst)}
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
    for role, sites in d["roles"].items():
        t.add_row(f"Role {role}", f"{inst.roles.roles[role].name}: may be taken by {', '.join(sites) or 'no site'}")
    for f in d["plan_figures"]:
        value = f"{f['value']:,.0f}" if f["value"] == round(f["value"]) else f"{f['value']:,}"
        t.add_row("Plan figure", f"{f['description']}: {value} {f['unit']} ({f['source']})")
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
    write_run(run, s, manifest(inst, "solve"))
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
        (tmp / "manifest.json").write_text(json.dumps(manifest(inst, "compare"), indent=2))
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
                      f"{', '.join(d['services_removed']) or 'none'}; roles "
                      f"{', '.join(d.get('roles_changed', [])) or 'same'}; schemes added "
                      f"{', '.join(d['schemes_added']) or 'none'}; dropped {', '.join(d['schemes_dropped']) or 'none'};"
                      f" beds {d['beds_change'] or 'same'}", soft_wrap=True)
    console.print(f"Comparison written to [bold]{run}[/]")


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
