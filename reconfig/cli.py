"""The `reconfig` command: validate, describe and solve scenarios."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from reconfig.errors import InputError
from reconfig.instance import Instance, build_instance
from reconfig.results import manifest, outcome_fields, plan_figures, run_directory, summary, write_run
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
          marginal_: Annotated[bool, typer.Option("--marginal", help="also re-optimise with each money limit "
                                                  "loosened by £1m (one MILP each)")] = False,
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
    _add_marginal(s, inst, chosen, built, outcome, baseline, time_limit, marginal_)
    if outcome.status == "infeasible":
        from reconfig.diagnose import diagnose_after_solve

        s["diagnosis"] = diagnose_after_solve(inst, chosen, baseline[1], time_limit)
    name = inst.scenario.name + (f"-{chosen}" if chosen and chosen != inst.scenario.option else "")
    run = out or Path("runs") / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    write_run(run, s, manifest(inst, "solve", **outcome_fields(s)))
    if report_:
        from reconfig.report import build_report

        build_report(run)
    if json_:
        print(json.dumps({"run": str(run), **{k: s[k] for k in ("status", "objective", "best_bound", "mip_gap")},
                          **({"diagnosis": s["diagnosis"]["explanation"]} if "diagnosis" in s else {})}))
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
                      f"{', '.join(d['services_removed']) or 'none'}; roles "
                      f"{', '.join(d.get('roles_changed', [])) or 'same'}; schemes added "
                      f"{', '.join(d['schemes_added']) or 'none'}; dropped {', '.join(d['schemes_dropped']) or 'none'};"
                      f" beds {d['beds_change'] or 'same'}", soft_wrap=True)
    console.print(f"Comparison written to [bold]{run}[/]")


def _add_marginal(s: dict, inst: Instance, chosen: str | None, built, outcome, baseline, time_limit: float | None,
                  reoptimise: bool, step_gbp_k: float = 1000.0) -> None:
    """Binding limits and LP prices (cheap, every solve); re-optimised money limits when asked."""
    from reconfig.marginal import limit_key, marginal_summary, reoptimised

    if not outcome.values:
        return
    m = marginal_summary(built, outcome)
    s["binding"] = m.pop("binding")
    s["marginal_values"] = m
    if reoptimise:
        sc = inst.scenario
        dn = None
        if sc.constraints.savings_target_gbp_k is not None and baseline[1].values:
            dn = baseline[1].values["recurrent_cost_by_year"][sc.constraints.savings_year]
        m["reoptimised"] = reoptimised(inst, chosen, dn, outcome, time_limit or sc.solver.time_limit,
                                       step=step_gbp_k, first=[limit_key(b) for b in s["binding"]])


@app.command()
def marginal(scenario: ScenarioArg,
             option: Annotated[str | None, typer.Option(help="fix a named option from options.csv")] = None,
             out: Annotated[Path | None, typer.Option(help="run directory")] = None,
             time_limit: Annotated[float | None, typer.Option(help="seconds for the solve, and again for the "
                                                              "re-optimised values")] = None,
             gap: Annotated[float | None, typer.Option(help="relative MIP gap of the solve")] = None,
             step: Annotated[float, typer.Option(help="£m by which each money limit is loosened")] = 1.0,
             json_: JsonOpt = False) -> None:
    """Which limits bind and what loosening them is worth: LP prices with the configuration fixed, and each
    capital, funding and savings limit loosened by £1m and re-optimised."""
    inst = _load(scenario, json_)
    chosen = option or inst.scenario.option
    try:
        baseline, [(built, outcome)] = solve_with_baseline(inst, [chosen], time_limit, gap)
    except InputError as e:
        _fail_input(e, json_)
        return
    s = summary(inst, built, outcome, baseline, chosen)
    _add_marginal(s, inst, chosen, built, outcome, baseline, time_limit, True, step * 1000)
    run = out or Path("runs") / f"{inst.scenario.name}-marginal-{time.strftime('%Y%m%d-%H%M%S')}"
    d = {"status": outcome.status, "objective": outcome.objective, "mip_gap": outcome.mip_gap,
         "binding": s.get("binding", []), **s.get("marginal_values", {})}
    with run_directory(run) as tmp:
        (tmp / "marginal.json").write_text(json.dumps(d, indent=2, default=str))
        (tmp / "summary.json").write_text(json.dumps(s, indent=2, default=str))
        (tmp / "manifest.json").write_text(json.dumps(manifest(inst, "marginal"), indent=2))
    if json_:
        print(json.dumps({"run": str(run), **d}, default=str))
    elif not outcome.values:
        console.print(f"[red]{outcome.status}[/]: nothing to price. Run `reconfig diagnose {scenario}`.")
    else:
        print_marginal(d, limit=None)
        console.print(f"Marginal values written to [bold]{run}[/]")
    if outcome.status in ("infeasible", "error"):
        raise typer.Exit(1)


def print_marginal(d: dict, limit: int | None = 8) -> None:
    """Binding limits (grouped), LP prices and re-optimised values, in sentences."""
    bind = d.get("binding", [])
    counts = Counter(b["family"].replace("_", " ") for b in bind)
    console.print(f"[bold]Binding limits[/]: {len(bind)}" + (f" ({', '.join(f'{k} {n}' for k, n in counts.items())})"
                                                          if bind else ""), soft_wrap=True)
    lines = [b["sentence"] for b in bind]
    for line in lines[:limit]:
        console.print(f"  • {line}", markup=False, highlight=False, soft_wrap=True)
    if limit is not None and len(lines) > limit:
        console.print(f"  … and {len(lines) - limit} more (summary.json, 'binding')")
    priced = d.get("priced", [])
    console.print("[bold]Prices with the configuration held fixed[/] (LP, integers fixed): "
                  + (f"{len(priced)} limit(s) have a value at the margin" if priced else
                     "no limit has a value at the margin"), soft_wrap=True)
    for p in priced[:limit]:
        console.print(f"  • {p['sentence']}", markup=False, highlight=False, soft_wrap=True)
    if limit is not None and len(priced) > limit:
        console.print(f"  … and {len(priced) - limit} more (summary.json, 'marginal_values')")
    fixed = ", ".join(f.replace("_", " ") for f in d.get("fixed_by_configuration", []))
    if fixed:
        console.print(f"  {fixed[0].upper() + fixed[1:]} limits are set by the configuration itself: "
                      "`reconfig marginal` prices the money limits by re-optimising.", soft_wrap=True)
    re = d.get("reoptimised")
    if re:
        console.print("[bold]Each money limit loosened and the plan re-optimised[/]:")
        for item in re["items"]:
            text = item.get("sentence") or f"{item['family']} {item.get('source', '')} {item.get('year', '')}: " \
                f"{item['status']}"
            console.print(f"  • {text}", markup=False, highlight=False, soft_wrap=True)
        if re.get("note"):
            console.print(re["note"])


@app.command()
def diagnose(scenario: ScenarioArg,
             option: Annotated[str | None, typer.Option(help="fix a named option from options.csv")] = None,
             out: Annotated[Path | None, typer.Option(help="run directory")] = None,
             time_limit: Annotated[float | None, typer.Option(help="seconds for the whole diagnosis")] = None,
             json_: JsonOpt = False) -> None:
    """Explain an infeasible scenario: the smallest set of limits, targets or rules to relax, and by how much."""
    from reconfig.diagnose import diagnose as run_diagnose
    from reconfig.model import build_model

    inst = _load(scenario, json_)
    chosen = option or inst.scenario.option
    try:
        build_model(inst, fix=chosen)  # input errors (unknown option, zones out of reach) are reported as such
        d = run_diagnose(inst, chosen, time_limit=time_limit)
    except InputError as e:
        _fail_input(e, json_)
        return
    run = out or Path("runs") / f"{inst.scenario.name}-diagnose-{time.strftime('%Y%m%d-%H%M%S')}"
    with run_directory(run) as tmp:
        (tmp / "diagnosis.json").write_text(json.dumps(d, indent=2, default=str))
        (tmp / "manifest.json").write_text(json.dumps(manifest(inst, "diagnose"), indent=2))
    if json_:
        print(json.dumps({"run": str(run), **d}, default=str))
        return
    print_diagnosis(d)
    console.print(f"Diagnosis written to [bold]{run}[/]")


def print_diagnosis(d: dict) -> None:
    if d.get("note"):
        console.print(d["note"], soft_wrap=True)
    if d["status"] == "infeasible":
        n = len(d["explanation"])
        console.print(f"[red]Infeasible.[/] The smallest change that makes it feasible relaxes "
                      f"{len(d['relaxations'])} limit(s) or rule(s):" if n else "[red]Infeasible.[/]")
    for line in d["explanation"]:
        console.print(f"  • {line}", markup=False, highlight=False, soft_wrap=True)
def _write_analysis(run: Path, inst: Instance, kind: str, data: dict, table: pd.DataFrame,
                    plan: dict | None = None) -> None:
    """An analysis run directory: KIND.json, KIND.csv, manifest.json (and summary.json for `reconfig report`)."""
    with run_directory(run) as tmp:
        (tmp / f"{kind}.json").write_text(json.dumps(data, indent=2, default=str))
        table.to_csv(tmp / f"{kind}.csv", index=False)
        (tmp / "manifest.json").write_text(json.dumps(manifest(inst, kind), indent=2))
        if plan is not None:
            (tmp / "summary.json").write_text(json.dumps(plan, indent=2, default=str))


def _m(v: float | None) -> str:
    return "–" if v is None else f"{v / 1000:,.1f}"


def _status(d: dict) -> str:
    return f"{d['status']} ({d['mip_gap'] * 100:.2f} %)" if d.get("mip_gap") is not None else d["status"]


@app.command()
def pareto(scenario: ScenarioArg,
           objectives: Annotated[str, typer.Option(help="two objectives, e.g. npv_cost,travel (x then y)")],
           points: Annotated[int, typer.Option(min=0, help="ε-constraint points between the two anchors")] = 5,
           out: Annotated[Path | None, typer.Option(help="run directory")] = None,
           time_limit: Annotated[float | None, typer.Option(help="seconds per solve")] = None,
           gap: Annotated[float | None, typer.Option(help="relative MIP gap")] = None,
           json_: JsonOpt = False) -> None:
    """Trade-off between two objectives: anchors plus ε-constraint points, dominated points dropped."""
    from reconfig.pareto import frame, parse_objectives
    from reconfig.pareto import pareto as run_pareto

    try:
        names = parse_objectives(objectives)
    except InputError as e:
        _fail_input(e, json_)
        return
    inst = _load(scenario, json_)
    try:
        result = run_pareto(inst, names, points, time_limit, gap)
    except InputError as e:
        _fail_input(e, json_)
        return
    plan = result.pop("_plan")
    run = out or Path("runs") / f"{inst.scenario.name}-pareto-{time.strftime('%Y%m%d-%H%M%S')}"
    _write_analysis(run, inst, "pareto", result, frame(result), plan)
    if json_:
        print(json.dumps({"run": str(run), "points": [{k: p.get(k) for k in ("label", "status", "mip_gap", "x", "y")}
                                                      for p in result["points"]]}, default=str))
        return
    t = Table(title=f"{inst.scenario.name}: {result['x_label']} against {result['y_label']}")
    extra = [(key, label) for name, key, label in (("npv_cost", "npv_cost_gbp_k", "NPV (£m)"),
                                                   ("capital", "capital_total_gbp_k", "Capital in horizon (£m)"))
             if name not in result["objectives"]]
    for col in ("Point", "Status (gap)", result["x_label"], result["y_label"], *[label for _, label in extra]):
        t.add_column(col, justify="left" if col in ("Point", "Status (gap)") else "right")
    for p in result["points"]:
        t.add_row(p["label"], _status(p), f"{p['x']:,.2f}", f"{p['y']:,.2f}",
                  *[_m(p["summary"][k]) for k, _ in extra])
    console.print(t)
    for p in result["dropped"]:
        console.print(f"Dropped {p['label']}: {p['reason']}")
    for p in result["unsolved"]:
        console.print(f"[yellow]{p['label']}: no solution ({p['status']})[/]")
    if result["message"]:
        console.print(result["message"])
    console.print(f"Frontier written to [bold]{run}[/] ({result['solves']} solves); draw it with "
                  f"`reconfig report {run}`")
    if not result["points"]:
        raise typer.Exit(1)


@app.command()
def alternatives(scenario: ScenarioArg,
                 within: Annotated[str, typer.Option(help="margin above the optimum, e.g. 2%")] = "2%",
                 count: Annotated[int, typer.Option(min=1, help="alternatives wanted besides the optimum")] = 3,
                 min_changes: Annotated[int, typer.Option(
                     min=1, help="each plan differs from every earlier one in at least this many services or "
                     "schemes")] = 1,
                 out: Annotated[Path | None, typer.Option(help="run directory")] = None,
                 time_limit: Annotated[float | None, typer.Option(help="seconds per solve")] = None,
                 gap: Annotated[float | None, typer.Option(help="relative MIP gap")] = None,
                 json_: JsonOpt = False) -> None:
    """The next-best plans that differ in structure (services by site, schemes built), within a margin."""
    from reconfig.alternatives import alternatives as run_alternatives
    from reconfig.alternatives import frame, parse_within

    try:
        margin = parse_within(within)
    except InputError as e:
        _fail_input(e, json_)
        return
    inst = _load(scenario, json_)
    try:
        result = run_alternatives(inst, margin, count, time_limit, gap, min_changes)
    except InputError as e:
        _fail_input(e, json_)
        return
    run = out or Path("runs") / f"{inst.scenario.name}-alternatives-{time.strftime('%Y%m%d-%H%M%S')}"
    _write_analysis(run, inst, "alternatives", result, frame(result))
    if json_:
        print(json.dumps({"run": str(run), "stopped": result["stopped"],
                          "plans": [{k: p.get(k) for k in ("rank", "status", "mip_gap", "objective",
                                                           "pct_above_optimum")}
                                    for p in [result.get("optimum", {}), *result["alternatives"]]]}, default=str))
        return
    opt = result["optimum"]
    if "objective" not in opt:
        console.print(f"[red]{result['stopped']}[/]")
        raise typer.Exit(1)
    t = Table(title=f"{inst.scenario.name}: plans within {margin:.1%} of the optimum")
    for col in ("Plan", "Status (gap)", "NPV (£m)", "Above optimum", "Capital (£m)", "Schemes built"):
        t.add_column(col, justify="right" if col in ("NPV (£m)", "Above optimum", "Capital (£m)") else "left")
    for p in [{**opt, "rank": 0}, *result["alternatives"]]:
        t.add_row("optimum" if p["rank"] == 0 else f"#{p['rank']}", _status(p), _m(p["npv_cost_gbp_k"]),
                  f"{p['pct_above_optimum']:.2f} %", _m(p["capital_total_gbp_k"]), str(len(p["schemes_built"])))
    console.print(t)
    for p in result["alternatives"]:
        only = ", ".join(p["distinct"]["only_here"]) or "nothing"
        console.print(f"[bold]#{p['rank']}[/] against the optimum: {p['against_optimum_text']}. Only this plan "
                      f"has: {only}.", soft_wrap=True)
    tol = result.get("optimum_tolerance")
    if tol and any(abs(p["objective"] - opt["objective"]) <= tol for p in result["alternatives"]):
        npv_only = {k: w for k, w in result["objective"].items() if w} == {"npv_cost": 1.0}
        amount = f"£{tol / 1000:,.1f}m" if npv_only else f"{tol:,.3f}"
        console.print(f"[yellow]Note:[/] the optimum is proven only to within {amount} of the objective (its gap); "
                      "plans closer to it than that are not ranked reliably (use a smaller --gap).", soft_wrap=True)
    console.print(f"Search: {result['stopped']}. Written to [bold]{run}[/]")


@app.command()
def robust(scenario: ScenarioArg,
           futures: Annotated[str | None, typer.Option(help="named futures, comma-separated (default: all)")] = None,
           draws: Annotated[int, typer.Option(min=0, help="random demand futures to add")] = 0,
           seed: Annotated[int, typer.Option(help="random seed for --draws")] = 0,
           choose: Annotated[bool, typer.Option("--choose", help="also find the minimax-regret plan")] = False,
           out: Annotated[Path | None, typer.Option(help="run directory")] = None,
           time_limit: Annotated[float | None, typer.Option(help="seconds per solve")] = None,
           gap: Annotated[float | None, typer.Option(help="relative MIP gap")] = None,
           json_: JsonOpt = False) -> None:
    """Cost, feasibility and regret of candidate plans in every demand future."""
    from reconfig.robust import frame, futures_for
    from reconfig.robust import robust as run_robust

    inst = _load(scenario, json_)
    names = None if futures is None else [n.strip() for n in futures.split(",") if n.strip()]
    try:
        cases = futures_for(inst, names, draws, seed)
        result = run_robust(inst, cases, choose, time_limit, gap)
    except InputError as e:
        _fail_input(e, json_)
        return
    result["seed"] = seed if draws else None
    run = out or Path("runs") / f"{inst.scenario.name}-robust-{time.strftime('%Y%m%d-%H%M%S')}"
    _write_analysis(run, inst, "robust", result, frame(result))
    if json_:
        print(json.dumps({"run": str(run), "chosen": result.get("chosen"),
                          "candidates": [{k: c[k] for k in ("name", "worst_regret", "fails_in")}
                                         for c in result["candidates"]]}, default=str))
        return
    money = result["unit"] == "£000"
    fmt = _m if money else (lambda v: "–" if v is None else f"{v:,.3f}")
    fnames = [f["name"] for f in result["futures"]]
    cells = {(r["candidate"], r["future"]): r for r in result["cells"]}
    t = Table(title=f"{inst.scenario.name}: objective{' (£m)' if money else ''} and regret in each future")
    t.add_column("Candidate")
    for f in fnames:
        t.add_column(f, justify="right")
    t.add_column("Worst regret", justify="right")
    for c in sorted(result["candidates"], key=lambda c: (c["worst_regret"] is None, c["worst_regret"] or 0)):
        row = []
        for f in fnames:
            r = cells[c["name"], f]
            mark = "" if r["proven"] else " *"
            row.append(f"{fmt(r['objective'])} (+{fmt(r['regret'])}){mark}" if r["objective"] is not None
                       else r["status"])
        worst = (fmt(c["worst_regret"]) if c["worst_regret"] is not None else
                 "; ".join([f"fails in {', '.join(c['fails_in'])}"] * bool(c["fails_in"])
                           + [f"unknown in {', '.join(c['unknown_in'])}"] * bool(c["unknown_in"])))
        t.add_row(c["name"] + (f" (= {', '.join(c['also'])})" if c["also"] else ""), *row, worst)
    console.print(t)
    console.print("(+x) regret against the best known plan for that future; * not proven optimal (time limit or gap)")
    if "chosen" in result:
        ch = result["chosen"]
        if ch["name"] is None:
            console.print(f"[red]{ch['message']}[/]")
        else:
            console.print(f"Least worst regret among {ch['among']}: [bold]{ch['name']}[/] "
                          f"({fmt(ch['worst_regret'])}, in {ch['worst_future']})"
                          + ("" if ch["proven_minimax"] else "; not proven minimax (see the joint MILP's status)"))
    console.print(f"Written to [bold]{run}[/]")
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
        if s.get("diagnosis"):
            print_diagnosis(s["diagnosis"])
        console.print(f"Run written to [bold]{run}[/]")
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
    if "marginal_values" in s:
        print_marginal({"binding": s.get("binding", []), **s["marginal_values"]}, limit=3)
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
