"""Sensitivity sweeps: every point a full solve, run in parallel, stored as it finishes, resumable.

`prepare` checks the parameters and plans the points (one-way or grid), `start`/`reopen` give the sweep's
`.partial` directory, `execute` solves the points not yet stored on an executor (this process, local processes
or a Dask cluster) and `finish` writes sweep.csv, sweep.json and the manifest into the complete run directory.
Reference: docs/sweep.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconfig.analysis.sweep.executors import Executor, SweepError, open_executor
from reconfig.analysis.sweep.outputs import sweep_frame, tornado
from reconfig.analysis.sweep.plan import Parameter, check_keys, parse_vary, plan_points
from reconfig.analysis.sweep.point import has_solution
from reconfig.analysis.sweep.store import PARTIAL, SweepDir
from reconfig.inputs.errors import InputError, Problem
from reconfig.inputs.scenario import Scenario, load_scenario

__all__ = ["Parameter", "SweepDir", "SweepError", "Plan", "execute", "finish", "open_executor", "parse_vary",
           "prepare", "reopen", "start"]


@dataclass
class Plan:
    scenario: Scenario
    spec: dict[str, Any]


def prepare(scenario_path: Path, vary: list[str], grid: bool, time_limit: float | None, gap: float | None,
            baseline: bool) -> Plan:
    """Load the scenario, read the parameters (--vary, else its [[sweep]] blocks), check them, plan the points."""
    from reconfig.results.rundir import input_hash

    sc = load_scenario(scenario_path)
    params = [parse_vary(v) for v in vary] if vary else [Parameter(s.key, list(s.values), s.label or "")
                                                          for s in sc.sweep]
    if not params:
        raise InputError([Problem(str(sc.path), "nothing to sweep", column="sweep",
                                  expected="--vary KEY=V1,V2,… or [[sweep]] blocks with key and values")])
    system = check_keys(sc, params)
    points = plan_points(sc, params, grid, system)
    spec = {"scenario": str(sc.path), "scenario_name": sc.name, "mode": "grid" if grid else "one_way",
            "parameters": [{"key": p.key, "values": p.values, "label": p.label} for p in params],
            "points": [p.to_dict() for p in points], "time_limit": time_limit, "gap": gap, "baseline": baseline,
            "input_hash": input_hash(sc), "objective_weights": sc.objective.weights,
            "lexicographic": sc.objective.lexicographic, "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "sessions": []}
    return Plan(sc, spec)


def _manifest(sc: Scenario, spec: dict[str, Any], records: dict[str, dict[str, Any]],
              status: str) -> dict[str, Any]:
    from reconfig.results.rundir import manifest

    failed = sum(1 for r in records.values() if not has_solution(r))
    base = records.get(spec["points"][0]["id"], {}) if spec["mode"] == "one_way" else {}
    sessions = spec["sessions"]
    return manifest(sc, "sweep", status=status, option=sc.option, objective=base.get("objective"),
                    mip_gap=base.get("mip_gap"), points=len(spec["points"]), finished_points=len(records),
                    failed_points=failed,
                    settings={k: spec[k] for k in ("mode", "parameters", "time_limit", "gap", "baseline")},
                    timings={"wall_seconds": round(sum(s.get("wall_seconds") or 0 for s in sessions), 3),
                             "point_wall_seconds_total": round(sum(r.get("wall_seconds") or 0
                                                                   for r in records.values()), 3),
                             "started": spec["created"], "finished": sessions[-1].get("finished") if sessions
                             else None},
                    sessions=sessions)


def start(plan: Plan, out: Path) -> SweepDir:
    """Create `<out>.partial/` with the plan and an 'incomplete' manifest, and list it in the catalogue."""
    from reconfig.results.catalogue import register_quietly

    if out.name.endswith(PARTIAL):
        raise SweepError(f"--out must name the final run directory, not a {PARTIAL} one")
    d = SweepDir.create(out, plan.spec, _manifest(plan.scenario, plan.spec, {}, "incomplete"))
    register_quietly(d.path)
    return d


def reopen(where: Path) -> tuple[SweepDir, Plan]:
    """An unfinished sweep, checked against today's inputs (a changed input would mix two sets of answers)."""
    from reconfig.results.rundir import input_hash

    d = SweepDir.open(where)
    spec = d.spec()
    sc = load_scenario(spec["scenario"])
    now = input_hash(sc)
    if now != spec["input_hash"]:
        raise SweepError(f"the scenario or its data changed since this sweep started (input hash "
                         f"{spec['input_hash']} then, {now} now): its finished points no longer match; start a "
                         "new sweep")
    return d, Plan(sc, spec)


def task_for(spec: dict[str, Any], point: dict[str, Any], threads: int | None) -> dict[str, Any]:
    base = spec["mode"] == "one_way" and not point["overrides"]
    return {"id": point["id"], "index": point["index"], "overrides": point["overrides"],
            "scenario": spec["scenario"], "time_limit": spec["time_limit"], "gap": spec["gap"],
            "baseline": spec["baseline"] or base, "keep_summary": base, "threads": threads}


OnRecord = Callable[[dict[str, Any], dict[str, dict[str, Any]]], None]


def execute(d: SweepDir, plan: Plan, executor: Executor, on_record: OnRecord | None = None) -> dict[str, dict]:
    """Solve every point not yet stored, storing each as it finishes; returns all records by point id.

    The executor is closed on the way out (also on Ctrl-C); the session (executor, points run, wall time)
    is added to spec.json."""
    spec = plan.spec
    records = d.finished(spec["points"])
    tasks = [task_for(spec, p, executor.threads_per_point) for p in spec["points"] if p["id"] not in records]
    session = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "executor": executor.description,
               "workers": executor.workers, "points_run": 0}
    t0 = time.perf_counter()
    try:
        for rec in executor.results(tasks):
            d.store(rec)
            records[rec["id"]] = rec
            session["points_run"] += 1
            if on_record:
                on_record(rec, records)
    finally:
        executor.close()
        session["wall_seconds"] = round(time.perf_counter() - t0, 3)
        session["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        spec["sessions"].append(session)
        d.write_spec(spec)
        d.write_manifest(_manifest(plan.scenario, spec, records, "incomplete"))
    return records


def finish(d: SweepDir, plan: Plan, records: dict[str, dict[str, Any]]) -> Path:
    """Write sweep.csv, sweep.json, summary.json (the base point, for `reconfig report`) and the manifest into
    the complete run directory."""
    import json

    spec = plan.spec
    outputs: dict[str, str | bytes] = {
        "sweep.csv": sweep_frame(spec, records).to_csv(index=False),
        "sweep.json": json.dumps(tornado(spec, records), indent=2, default=str),
    }
    base = records.get(spec["points"][0]["id"], {})
    if spec["mode"] == "one_way" and base.get("summary"):
        outputs["summary.json"] = json.dumps(base["summary"], indent=2, default=str)
    return d.complete(outputs, _manifest(plan.scenario, spec, records, "complete"))
