"""Decision-analysis commands: pareto, alternatives, robust and sweep."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from reconfig.cli.app import JsonOpt, ScenarioArg, app, console, err, fail_input, load_instance
from reconfig.inputs.errors import InputError
from reconfig.instance.build import Instance
from reconfig.results.rundir import manifest, run_directory


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
    from reconfig.analysis.pareto import frame, parse_objectives
    from reconfig.analysis.pareto import pareto as run_pareto

    try:
        names = parse_objectives(objectives)
    except InputError as e:
        fail_input(e, json_)
        return
    inst = load_instance(scenario, json_)
    try:
        result = run_pareto(inst, names, points, time_limit, gap)
    except InputError as e:
        fail_input(e, json_)
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
    from reconfig.analysis.alternatives import alternatives as run_alternatives
    from reconfig.analysis.alternatives import frame, parse_within

    try:
        margin = parse_within(within)
    except InputError as e:
        fail_input(e, json_)
        return
    inst = load_instance(scenario, json_)
    try:
        result = run_alternatives(inst, margin, count, time_limit, gap, min_changes)
    except InputError as e:
        fail_input(e, json_)
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
    from reconfig.analysis.robust import frame, futures_for
    from reconfig.analysis.robust import robust as run_robust

    inst = load_instance(scenario, json_)
    names = None if futures is None else [n.strip() for n in futures.split(",") if n.strip()]
    try:
        cases = futures_for(inst, names, draws, seed)
        result = run_robust(inst, cases, choose, time_limit, gap)
    except InputError as e:
        fail_input(e, json_)
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

    from reconfig.analysis.sweep import SweepError, execute, finish, open_executor, prepare, reopen, start
    from reconfig.analysis.sweep.console import SweepProgress, results_table
    from reconfig.analysis.sweep.point import has_solution

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
        fail_input(e, json_)
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
