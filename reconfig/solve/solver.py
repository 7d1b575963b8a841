"""Solving with HiGHS and reading the answer back: status, objective, bound, gap, tables."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs

from reconfig.formulation import radius
from reconfig.formulation.build import build_model
from reconfig.formulation.built import Built, add_row
from reconfig.formulation.roles import role_rows
from reconfig.inputs.errors import InputError, Problem
from reconfig.instance.build import Instance


@dataclass
class Outcome:
    """One solved model: honest status plus the solution's tables (empty when there is none)."""

    status: str  # optimal / feasible / time_limit / infeasible / error
    objective: float | None
    best_bound: float | None
    mip_gap: float | None
    build_seconds: float
    solve_seconds: float
    message: str = ""
    values: dict[str, Any] = field(default_factory=dict)


def _status(res) -> str:
    tc, ss = res.termination_condition, res.solution_status
    if tc == TerminationCondition.convergenceCriteriaSatisfied and ss == SolutionStatus.optimal:
        return "optimal"
    if tc in (TerminationCondition.provenInfeasible, TerminationCondition.locallyInfeasible,
              TerminationCondition.infeasibleOrUnbounded):
        return "infeasible"
    if tc in (TerminationCondition.maxTimeLimit, TerminationCondition.iterationLimit,
              TerminationCondition.interrupted):
        return "time_limit"
    if ss in (SolutionStatus.feasible, SolutionStatus.optimal):
        return "feasible"
    return "error"


def objective_expr(built: Built) -> Any:
    weights = built.inst.scenario.objective.weights
    terms = built.objective_terms
    expr = sum(w * terms[k] for k, w in weights.items() if w and k in terms)
    return expr + terms.get("_penalty", 0)


def solve_built(built: Built, time_limit: float | None = None, mip_gap: float | None = None,
                build_seconds: float = 0.0) -> Outcome:
    """Solve (lexicographically when the scenario asks) and return the outcome."""
    sc = built.inst.scenario
    m = built.model
    limit = time_limit if time_limit is not None else sc.solver.time_limit
    gap = sc.solver.mip_gap if mip_gap is None else mip_gap
    stages = sc.objective.lexicographic or [None]
    started = time.perf_counter()
    out = None
    solver = Highs()  # persistent: re-solves after adding radius levels or stage bounds update it in place
    for i, stage in enumerate(stages):
        if hasattr(m, "obj"):
            m.del_component(m.obj)
        expr = objective_expr(built) if stage is None else built.objective_terms[stage]
        m.obj = pyo.Objective(expr=expr, sense=pyo.minimize)
        remaining = None if limit is None else max(limit - (time.perf_counter() - started), 1.0)
        out = solve_exact(built, solver, remaining, gap, sc.solver.options, sc.solver.threads)
        if out.status not in ("optimal", "feasible", "time_limit") or out.objective is None:
            break
        if i + 1 < len(stages):
            tol = sc.objective.tolerance * max(abs(out.objective), 1.0)
            add_row(built, "stage_bound", ("objective",), stage, built.objective_terms[stage] <= out.objective + tol)
    assert out is not None
    out.build_seconds = build_seconds
    out.solve_seconds = time.perf_counter() - started
    if out.objective is not None:
        out.values = extract(built)
    return out


def solve_exact(built: Built, solver: Highs, time_limit: float | None, gap: float, extra: dict[str, Any],
                threads: int | None, **solve_kw: Any) -> Outcome:
    """Solve the model's current objective. Where radius chains are truncated (formulation/radius.py) and the answer
    goes beyond them, add levels and solve again, so the result is that of the full formulation."""
    started = time.perf_counter()
    while True:
        remaining = None if time_limit is None else max(time_limit - (time.perf_counter() - started), 1.0)
        out = _solve_once(built.model, remaining, gap, extra, threads, solver=solver, **solve_kw)
        if out.objective is None or built.chains is None or not radius.extend(built, built.chains):
            return out
        out = _repriced(out, float(pyo.value(built.model.obj)), gap)  # priced exactly now
        if out.status == "optimal":
            return out
        if time_limit is not None and time.perf_counter() - started >= time_limit:
            out.status = "time_limit"
            return out
        solve_kw = {}  # a MIP start given for the first solve does not carry over


def _repriced(out: Outcome, objective: float, gap: float) -> Outcome:
    """The outcome once its solution is priced exactly: the bound stays valid, so the gap may still close."""
    g = None if out.best_bound is None else abs(objective - out.best_bound) / max(abs(objective), 1e-10)
    proven = out.status == "optimal" and g is not None and g <= gap * 1.0001 + 1e-9
    status = "optimal" if proven else ("time_limit" if out.status == "time_limit" else "feasible")
    return Outcome(status, objective, out.best_bound, g, out.build_seconds, out.solve_seconds, out.message)


def _solve_once(m: pyo.ConcreteModel, time_limit: float | None, gap: float, extra: dict[str, Any],
                threads: int | None, solver: Highs | None = None, **solve_kw: Any) -> Outcome:
    """One HiGHS solve; pass a persistent `solver` to re-solve a modified model."""
    opts: dict[str, Any] = {"mip_rel_gap": gap, "mip_abs_gap": 1e-9, **extra}
    if threads:
        opts["threads"] = threads
    kw: dict[str, Any] = {"solver_options": opts, "load_solutions": False,
                          "raise_exception_on_nonoptimal_result": False}
    if time_limit is not None:
        kw["time_limit"] = time_limit
    t0 = time.perf_counter()
    try:
        res = (solver or Highs()).solve(m, **kw, **solve_kw)
    except Exception as e:  # solver-side failure: report, never crash the CLI
        msg = str(e)
        if "infeasible" in msg.lower():
            return Outcome("infeasible", None, None, None, 0.0, time.perf_counter() - t0, msg)
        return Outcome("error", None, None, None, 0.0, time.perf_counter() - t0, msg)
    status = _status(res)
    obj = res.incumbent_objective
    bound = res.objective_bound
    if obj is not None and status in ("optimal", "feasible", "time_limit"):
        res.solution_loader.load_vars()
    else:
        obj = None
    g = None
    if obj is not None and bound is not None and math.isfinite(bound):
        g = abs(obj - bound) / max(abs(obj), 1e-10)
    if status == "optimal" and g is not None and g > gap * 1.0001 + 1e-9:
        status = "feasible"
    return Outcome(status, obj, bound if bound is not None and math.isfinite(bound) else None, g, 0.0,
                   time.perf_counter() - t0)


def _v(e: Any) -> float:
    return float(pyo.value(e)) if not isinstance(e, (int, float)) else float(e)


def shares_frame(built: Built, k: str, t: int) -> pd.DataFrame:
    """Zone × site share of demand for service k in year t (nearest open site for radius services)."""
    inst, m = built.inst, built.model
    frame = pd.DataFrame(0.0, index=inst.zones, columns=inst.sites)
    if k in built.assign_services:
        col = inst.site_col
        for zi, s in built.pairs[k, t]:
            frame.iat[zi, col[s]] = _v(m.x[zi, k, s, t])
        return frame
    open_sites = [s for s in inst.sites if (k, s, t) in m.y and _v(m.y[k, s, t]) > 0.5]
    if not open_sites:
        return frame
    tt = inst.tt(k)[open_sites].to_numpy()
    best = np.argmin(tt, axis=1)
    for zi, j in enumerate(best):
        if np.isfinite(tt[zi, j]):
            frame.at[inst.zones[zi], open_sites[j]] = 1.0
    return frame


def extract(built: Built) -> dict[str, Any]:
    inst, m = built.inst, built.model
    years = inst.years
    T = range(len(years))
    services = [{"site": s, "service": k, "year": years[t]} for (k, s, t) in m.y if _v(m.y[k, s, t]) > 0.5]
    beds = [{"site": s, "bed_type": b, "year": years[t], "beds": int(round(_v(m.beds[b, s, t])))}
            for (b, s, t) in m.beds]
    schemes = []
    for c, sch in inst.schemes.items():
        for t in T:
            if (c, t) in m.start and _v(m.start[c, t]) > 0.5:
                done_t = t + sch.lead
                schemes.append({"scheme": c, "start": years[t],
                                "complete": years[done_t] if done_t < len(years) else f"after {years[-1]}"})
    by_scheme: dict[str, dict[str, float]] = {}
    for c, sch in inst.schemes.items():
        for t in T:
            if (c, t) in m.start and _v(m.start[c, t]) > 0.5:
                by_scheme[c] = {years[t + o] if t + o < len(years) else f"+{t + o - len(years) + 1}": v
                                for o, v in sorted(sch.profile.items())}
    funding: dict[str, dict[str, float]] = {}
    if hasattr(m, "fund"):
        for (f, c, t) in m.fund:
            v = _v(m.fund[f, c, t])
            if v > 1e-6:
                funding.setdefault(f, {}).setdefault(years[t], 0.0)
                funding[f][years[t]] += v
    disposals = [{"disposal": d, "year": years[t]} for (d, t) in m.sold if _v(m.sold[d, t]) > 0.5]
    dschemes = [{"scheme": d, "start": years[t]} for (d, t) in m.dstart if _v(m.dstart[d, t]) > 0.5]
    terms = {k: _v(e) for k, e in built.objective_terms.items() if not k.startswith("_")}
    return {
        "services": services, "beds": beds, "schemes": schemes, "capital_spend_by_scheme": by_scheme,
        "capital_spend_by_year": {years[t]: _v(built.spend.get(t, 0)) for t in T},
        "disposal_receipts_by_year": {years[t]: _v(built.proceeds[t]) for t in T},
        "funding_by_source_and_year": funding,
        "recurrent_cost_by_year": {years[t]: _v(built.recurrent[t]) for t in T},
        "disposals": disposals, "demand_schemes": dschemes, "objectives": terms, "roles": role_rows(built),
        "shares": {(k, t): shares_frame(built, k, t) for k in built.assign_services + built.radius_services for t in T},
    }


def solve_instance(inst: Instance, fix: str | None = None, do_nothing_cost: float | None = None,
                   time_limit: float | None = None, mip_gap: float | None = None) -> tuple[Built, Outcome]:
    t0 = time.perf_counter()
    built = build_model(inst, fix=fix, do_nothing_cost=do_nothing_cost)
    return built, solve_built(built, time_limit, mip_gap, build_seconds=time.perf_counter() - t0)


def solve_with_baseline(inst: Instance, fixes: list[str | None], time_limit: float | None = None,
                        mip_gap: float | None = None) -> tuple[tuple[Built, Outcome], list[tuple[Built, Outcome]]]:
    """Solve do-nothing, then each fix (None = the optimum) with the savings target measured against it."""
    baseline = solve_instance(inst, fix="do_nothing", time_limit=time_limit, mip_gap=mip_gap)
    year = inst.scenario.constraints.savings_year
    dn_cost = None
    if inst.scenario.constraints.savings_target_gbp_k is not None:
        if not baseline[1].values:
            raise InputError([Problem(
                str(inst.scenario.path), f"the savings target is measured against do-nothing, but do-nothing is "
                f"{baseline[1].status}", column="constraints.savings_target_gbp_k",
                expected="a scenario whose do-nothing case is feasible, or no savings target")])
        dn_cost = baseline[1].values["recurrent_cost_by_year"][year]
    return baseline, [solve_instance(inst, fix=f, do_nothing_cost=dn_cost, time_limit=time_limit, mip_gap=mip_gap)
                      for f in fixes]
