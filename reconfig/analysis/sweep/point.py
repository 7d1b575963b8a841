"""One sweep point, solved in a worker (a local process, a Dask worker, or the sweep's own process).

`run_point` never raises for a bad point: input problems, infeasibility and solver or code errors come back
as a record with its status and error, so the sweep goes on.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import traceback
from typing import Any

from reconfig.inputs.errors import InputError

SOLVED = ("optimal", "feasible", "time_limit")
_single_thread_lock = threading.Lock()
_single_thread_set = False


def _one_highs_thread() -> None:
    """HiGHS keeps one thread pool per process and refuses a solve asking for another size: size it once."""
    global _single_thread_set
    with _single_thread_lock:
        if not _single_thread_set:
            import highspy

            highspy.Highs.resetGlobalScheduler(True)
            _single_thread_set = True


def has_solution(rec: dict[str, Any]) -> bool:
    return rec.get("status") in SOLVED and rec.get("objective") is not None


def point_result(s: dict[str, Any]) -> dict[str, Any]:
    """The numbers a sweep keeps from a solve's summary."""
    out: dict[str, Any] = {k: s.get(k) for k in ("status", "objective", "best_bound", "mip_gap", "build_seconds",
                                                 "solve_seconds")}
    out["objectives"] = s.get("objectives", {})
    if "capital_spend_by_year" in s:
        out["capital_by_year_gbp_k"] = s["capital_spend_by_year"]
        out["capital_total_gbp_k"] = s["capital_total_gbp_k"]
        out["disposal_receipts_gbp_k"] = sum(s["disposal_receipts_by_year"].values())
        out["recurrent_cost_final_year_gbp_k"] = s["recurrent_cost_by_year"][s["years"][-1]]
        out["schemes"] = [f"{r['scheme']} ({r['start']})" for r in s["schemes"]]
        last = s["years"][-1]
        out["services_final_year"] = sorted(f"{r['service']}@{r['site']}" for r in s["services"]
                                            if r["year"] == last)
    year = (s.get("constraints") or {}).get("savings_year") or (s.get("years") or [None])[-1]
    savings = s.get("savings_vs_do_nothing_by_year")
    if savings:
        out["savings_year"] = year
        out["savings_gbp_k"] = savings.get(year)
    dn = s.get("do_nothing")
    if dn:
        out["do_nothing_status"] = dn.get("status")
        out["do_nothing_npv_cost_gbp_k"] = (dn.get("objectives") or {}).get("npv_cost")
    if out["status"] not in SOLVED or out["objective"] is None:
        out["error"] = s.get("message") or ("no plan satisfies every constraint" if out["status"] == "infeasible"
                                            else f"no solution ({out['status']})")
    return out


def run_point(task: dict[str, Any]) -> dict[str, Any]:
    """Load the scenario with the point's overrides, solve it (and do-nothing where needed), summarise."""
    from reconfig.inputs.scenario import load_scenario
    from reconfig.instance.build import build_instance
    from reconfig.results.summary import summary
    from reconfig.solve.solver import solve_instance, solve_with_baseline

    t0, cpu0 = time.perf_counter(), time.process_time()
    rec: dict[str, Any] = {"id": task["id"], "index": task["index"], "overrides": task["overrides"],
                           "host": socket.gethostname(), "pid": os.getpid(),
                           "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    try:
        sc = load_scenario(task["scenario"], task["overrides"])
        if task.get("threads"):
            _one_highs_thread()
            sc.solver.threads = task["threads"]
        inst = build_instance(sc)
        option = sc.option
        limit, gap = task.get("time_limit"), task.get("gap")
        if task.get("baseline") or sc.constraints.savings_target_gbp_k is not None:
            baseline, [(built, outcome)] = solve_with_baseline(inst, [option], limit, gap)
        else:
            baseline = None
            built, outcome = solve_instance(inst, fix=option, time_limit=limit, mip_gap=gap)
        s = json.loads(json.dumps(summary(inst, built, outcome, baseline, option), default=str))
        rec.update(point_result(s))
        if task.get("keep_summary"):
            rec["summary"] = s
    except InputError as e:
        rec.update(status="input_error", objective=None, error="; ".join(str(p) for p in e.problems))
    except Exception as e:  # a point that crashes is recorded and the sweep goes on
        rec.update(status="error", objective=None, error=f"{type(e).__name__}: {e}",
                   traceback=traceback.format_exc(limit=8))
    rec["wall_seconds"] = round(time.perf_counter() - t0, 3)
    rec["cpu_seconds"] = round(time.process_time() - cpu0, 3)  # of the whole worker process meanwhile
    return rec


def failed_record(task: dict[str, Any], error: str) -> dict[str, Any]:
    """A point the executor could not run (its worker died, the cluster lost it)."""
    return {"id": task["id"], "index": task["index"], "overrides": task["overrides"], "status": "error",
            "objective": None, "error": error, "wall_seconds": None}
