"""Commands that solve: solve, compare, marginal, diagnose, and report for a run directory."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reconfig.cli.app import JsonOpt, ScenarioArg, app, console, err, fail_input, load_instance
from reconfig.inputs.errors import InputError
from reconfig.instance.build import Instance
from reconfig.results.rundir import manifest, run_directory, write_run
from reconfig.results.summary import outcome_fields, summary
from reconfig.solve.lpfile import write_lp_file
from reconfig.solve.solver import solve_with_baseline


@app.command()
def solve(scenario: ScenarioArg,
          out: Annotated[Path | None, typer.Option(help="run directory (default runs/<scenario>-<time>)")] = None,
          time_limit: Annotated[float | None, typer.Option(help="seconds")] = None,
          gap: Annotated[float | None, typer.Option(help="relative MIP gap, e.g. 0.0001")] = None,
          option: Annotated[str | None, typer.Option(help="fix a named option from options.csv")] = None,
          report_: Annotated[bool, typer.Option("--report", help="also write report.html")] = False,
          marginal_: Annotated[bool, typer.Option("--marginal", help="also re-optimise with each money limit "
                                                  "loosened by £1m (one MILP each)")] = False,
          write_lp: Annotated[Path | None, typer.Option("--write-lp", help="also write the model as solved in LP "
                                                        "format, rows named like the formulation")] = None,
          json_: JsonOpt = False) -> None:
    """Solve a scenario (and its do-nothing baseline); write summary.json and CSV tables to a run directory."""
    inst = load_instance(scenario, json_)
    chosen = option or inst.scenario.option
    try:
        baseline, [(built, outcome)] = solve_with_baseline(inst, [chosen], time_limit, gap)
    except InputError as e:
        fail_input(e, json_)
        return
    if write_lp:
        write_lp_file(built, write_lp)
    s = summary(inst, built, outcome, baseline, chosen)
    _add_marginal(s, inst, chosen, built, outcome, baseline, time_limit, marginal_)
    if outcome.status == "infeasible":
        from reconfig.analysis.diagnose import diagnose_after_solve

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
    from reconfig.analysis.compare import compare as run_compare

    inst = load_instance(scenario, json_)
    names = option or sorted(set(inst.system["options"]["option_id"]))
    try:
        result = run_compare(inst, names, time_limit, gap)
    except InputError as e:
        fail_input(e, json_)
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
    from reconfig.analysis.marginal import limit_key, marginal_summary, reoptimised

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
    inst = load_instance(scenario, json_)
    chosen = option or inst.scenario.option
    try:
        baseline, [(built, outcome)] = solve_with_baseline(inst, [chosen], time_limit, gap)
    except InputError as e:
        fail_input(e, json_)
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
    from reconfig.analysis.diagnose import diagnose as run_diagnose
    from reconfig.formulation.build import build_model

    inst = load_instance(scenario, json_)
    chosen = option or inst.scenario.option
    try:
        build_model(inst, fix=chosen)  # input errors (unknown option, zones out of reach) are reported as such
        d = run_diagnose(inst, chosen, time_limit=time_limit)
    except InputError as e:
        fail_input(e, json_)
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
