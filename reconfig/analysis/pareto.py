"""Pareto frontier of two objectives by the augmented ε-constraint method (docs/analysis.md).

Anchors: minimise A, then B with A held within the scenario's lexicographic tolerance (and a tiny tie-break on
A); and minimise B, then A.
Between them, N points: minimise A + δ·B subject to B ≤ ε for ε evenly spaced between the anchors' B values
(δ small and scaled by the anchors' ranges, so every exact optimum is efficient: AUGMECON, Mavrotas 2009).
One model is built and re-solved by one persistent HiGHS instance; ε is loosened step by step so the previous
point is a feasible MIP start for the next. Points that are dominated by, or equal to, another are dropped.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from reconfig.formulation.build import build_model
from reconfig.inputs.errors import InputError, Problem
from reconfig.inputs.scenario import OBJECTIVES
from reconfig.instance.build import Instance
from reconfig.results.summary import summary
from reconfig.solve.session import Session
from reconfig.solve.solver import Outcome, solve_with_baseline

TIE_BREAK = 1e-3  # δ·(range of B) = 0.1 % of the range of A
PROVEN = "optimal"


@dataclass(frozen=True)
class Axis:
    """How an objective term (always minimised inside the model) is shown to people."""

    name: str
    label: str
    short: str
    better: str  # "lower" or "higher"
    scale: float = 1.0  # shown = sign · (term − offset) / scale
    sign: float = 1.0
    offset: float = 0.0

    def show(self, term: float) -> float:
        return self.sign * (term - self.offset) / self.scale


def axis(name: str, inst: Instance, do_nothing_recurrent: float | None) -> Axis:
    """Label and units of objective `name`; `savings` is shown against do-nothing when that is known."""
    year = inst.scenario.constraints.savings_year or inst.years[-1]
    if name == "savings":
        if do_nothing_recurrent is None:
            return Axis(name, f"Recurrent cost in {year} (£m)", "recurrent cost", "lower", 1000.0)
        return Axis(name, f"Recurrent saving against do-nothing in {year} (£m)", "saving", "higher", 1000.0, -1.0,
                    do_nothing_recurrent)
    return {
        "npv_cost": Axis(name, "Net present cost (£m)", "cost", "lower", 1000.0),
        "capital": Axis(name, "Capital committed (£m)", "capital", "lower", 1000.0),
        "travel": Axis(name, "Mean travel time (minutes)", "travel", "lower"),
        "max_travel": Axis(name, "Longest travel time (minutes, mean over services)", "longest travel", "lower"),
        "coverage": Axis(name, "Population within the coverage time (%)", "coverage", "higher", 0.01, -1.0),
        "change": Axis(name, "Service changes from today (count)", "change", "lower"),
    }[name]


def parse_objectives(text: str) -> tuple[str, str]:
    """'A,B' -> (A, B): two different known objective names, else InputError."""
    names = [p.strip() for p in text.split(",") if p.strip()]
    bad = [n for n in names if n not in OBJECTIVES]
    if bad:
        raise InputError([Problem("--objectives", f"unknown objective '{bad[0]}'", value=text,
                                  expected="two of " + ", ".join(OBJECTIVES))])
    if len(names) != 2 or names[0] == names[1]:
        raise InputError([Problem("--objectives", "give two different objectives separated by a comma", value=text,
                                  expected="e.g. npv_cost,travel")])
    return names[0], names[1]


def _stage(name: str, out: Outcome) -> dict[str, Any]:
    return {"objective": name, "status": out.status, "value": out.objective, "best_bound": out.best_bound,
            "mip_gap": out.mip_gap, "solve_seconds": round(out.solve_seconds, 3)}


def _worst(statuses: list[str]) -> str:
    order = ["error", "infeasible", "time_limit", "feasible", "optimal"]
    return min(statuses, key=order.index)


def pareto(inst: Instance, objectives: tuple[str, str], points: int, time_limit: float | None = None,
           mip_gap: float | None = None) -> dict[str, Any]:
    """Trace the frontier of objectives (A, B); returns pareto.json's content plus 'plan' (the A-anchor's full
    summary, for summary.json) under the key '_plan'."""
    a_name, b_name = objectives
    baseline, _ = solve_with_baseline(inst, [], time_limit, mip_gap)
    c = inst.scenario.constraints
    dn = baseline[1].values.get("recurrent_cost_by_year", {}) if baseline[1].values else {}
    year = c.savings_year or inst.years[-1]
    dn_cost = dn.get(c.savings_year) if c.savings_target_gbp_k is not None else None
    sc = inst.scenario.model_copy(deep=True)
    sc.path = inst.scenario.path
    sc.objective.lexicographic = [a_name, b_name]  # both terms get built (travel and coverage only on request)
    inst2 = dataclasses.replace(inst, scenario=sc)
    built = build_model(inst2, do_nothing_cost=dn_cost)
    terms = built.objective_terms
    for name in objectives:
        if isinstance(terms[name], (int, float)) or not any(not v.fixed for v in identify_variables(terms[name])):
            raise InputError([Problem("--objectives", f"objective '{name}' cannot change in this scenario "
                                      f"(no decision affects it)", value=name)])
    A, B = terms[a_name], terms[b_name]
    m = built.model
    m.pareto_a_cap = pyo.Param(mutable=True, initialize=0.0)
    m.pareto_b_cap = pyo.Param(mutable=True, initialize=0.0)
    m.pareto_a_con = pyo.Constraint(expr=A <= m.pareto_a_cap)
    m.pareto_b_con = pyo.Constraint(expr=B <= m.pareto_b_cap)
    m.pareto_a_con.deactivate()
    m.pareto_b_con.deactivate()
    session = Session(built, time_limit, mip_gap)
    tol = inst.scenario.objective.tolerance
    ax = {n: axis(n, inst, dn.get(year)) for n in objectives}
    found: list[dict[str, Any]] = []

    def record(label: str, kind: str, out: Outcome, stages: list[dict[str, Any]], eps: float | None) -> None:
        status = _worst([s["status"] for s in stages])
        gaps = [s["mip_gap"] for s in stages if s["mip_gap"] is not None]
        p: dict[str, Any] = {"label": label, "kind": kind, "status": status, "proven": status == PROVEN,
                             "mip_gap": max(gaps) if len(gaps) == len(stages) else None,  # the largest of its solves
                             "best_bound": stages[0]["best_bound"], "epsilon": eps, "stages": stages}
        if out.objective is not None:
            v = out.values["objectives"]
            s = summary(inst2, built, out, baseline, None)
            p.update({"a": v[a_name], "b": v[b_name], "x": ax[a_name].show(v[a_name]),
                      "y": ax[b_name].show(v[b_name]), "summary": _compact(s), "_summary": s})
        found.append(p)

    def capped(first: str, second: str, cap_con: Any, cap: Any, warm: bool) -> tuple[Outcome, list[dict]]:
        """Lexicographic: minimise `first`, then `second` with `first` held within the tolerance."""
        out1 = session.solve(terms[first], warm_start=warm)
        stages = [_stage(first, out1)]
        if out1.objective is None:
            return out1, stages
        cap.value = out1.objective + tol * max(abs(out1.objective), 1.0)
        cap_con.activate()
        # tie-break on `first` (which can move only within the tolerance), so ties in `second` end efficient
        weight = TIE_BREAK * max(abs(out1.values["objectives"][second]), 1e-9) / max(abs(out1.objective), 1e-9)
        out2 = session.solve(terms[second] + weight * terms[first], warm_start=True)
        cap_con.deactivate()
        stages.append(_stage(f"{second} + {weight:.3g}*{first}", out2))
        return (out2 if out2.objective is not None else out1), stages

    out_a, stages_a = capped(a_name, b_name, m.pareto_a_con, m.pareto_a_cap, warm=False)
    record(f"best {ax[a_name].short}", "anchor", out_a, stages_a, None)
    out_b, stages_b = capped(b_name, a_name, m.pareto_b_con, m.pareto_b_cap, warm=True)
    record(f"best {ax[b_name].short}", "anchor", out_b, stages_b, None)
    result: dict[str, Any] = {
        "scenario": inst.scenario.name, "objectives": [a_name, b_name], "x_objective": a_name,
        "y_objective": b_name, "x_label": ax[a_name].label, "y_label": ax[b_name].label,
        "x_better": ax[a_name].better, "y_better": ax[b_name].better,
        "method": "augmented epsilon-constraint: minimise A + delta*B subject to B <= epsilon; anchors "
                  "lexicographic", "requested_points": points, "lexicographic_tolerance": tol,
        "time_limit": session.time_limit if time_limit is not None else inst.scenario.solver.time_limit,
        "mip_gap": mip_gap if mip_gap is not None else inst.scenario.solver.mip_gap,
        "do_nothing": {"status": baseline[1].status, "mip_gap": baseline[1].mip_gap,
                       "objectives": baseline[1].values.get("objectives", {})},
        "message": "",
    }
    if out_a.objective is None or out_b.objective is None:
        result["message"] = "an anchor has no solution (see its status), so no frontier could be traced"
    else:
        a_hi, b_lo = out_b.values["objectives"][a_name], out_b.values["objectives"][b_name]
        a_lo, b_hi = out_a.values["objectives"][a_name], out_a.values["objectives"][b_name]
        if b_hi - b_lo <= 1e-9 + 1e-7 * max(abs(b_hi), abs(b_lo)):
            proven = all(s["status"] == PROVEN for s in stages_a + stages_b)
            result["message"] = (f"the objectives do not conflict: the plan best on {ax[a_name].short} is also "
                                 f"best on {ax[b_name].short}" if proven else
                                 f"the search for the plan best on {ax[b_name].short} found nothing better than "
                                 f"the plan best on {ax[a_name].short} before it stopped (not proven); no "
                                 f"ε points were placed")
        else:
            delta = TIE_BREAK * max(a_hi - a_lo, 1e-9 * max(abs(a_lo), 1.0)) / (b_hi - b_lo)
            result["tie_break_delta"] = delta
            m.pareto_b_con.activate()
            for i in range(1, points + 1):  # loosening ε: the previous plan stays feasible (MIP start)
                eps = b_lo + i * (b_hi - b_lo) / (points + 1)
                m.pareto_b_cap.value = eps
                out = session.solve(A + delta * B, warm_start=True)
                stage = _stage(f"{a_name} + delta*{b_name}", out)
                record(f"P{i}", "epsilon", out, [stage], eps)
            m.pareto_b_con.deactivate()
    kept, dropped, unsolved = _filter(found)
    for p in kept:
        if not p["proven"]:
            p["label"] += f" ({p['status'].replace('_', ' ')})"
    plan = found[0].get("_summary")  # the plan best on A (then B): summary.json, for `reconfig report`
    for p in found:
        p.pop("_summary", None)
    result.update({"points": sorted(kept, key=lambda p: p["x"]), "dropped": dropped, "unsolved": unsolved,
                   "solves": session.solves, "_plan": plan})
    return result


def _compact(s: dict[str, Any]) -> dict[str, Any]:
    last = s["years"][-1]
    beds: dict[str, int] = {}
    for r in s.get("beds", []):
        if r["year"] == last:
            beds[r["bed_type"]] = beds.get(r["bed_type"], 0) + r["beds"]
    return {
        "npv_cost_gbp_k": s["objectives"].get("npv_cost"),
        "capital_total_gbp_k": s.get("capital_total_gbp_k"),
        "capital_by_year_gbp_k": s.get("capital_spend_by_year"),
        "recurrent_saving_by_year_gbp_k": s.get("savings_vs_do_nothing_by_year"),
        "schemes": [f"{r['scheme']} ({r['start']})" for r in s.get("schemes", [])],
        "services_final_year": sorted(f"{r['service']} at {r['site']}" for r in s.get("services", [])
                                      if r["year"] == last),
        "beds_final_year": beds,
        "mean_minutes_final_year": {k: a["mean"] for k, a in s.get("access", {}).items()},
        "objectives": s["objectives"],
    }


def _filter(found: list[dict[str, Any]]) -> tuple[list[dict], list[dict], list[dict]]:
    """Split into kept (non-dominated, first of equals), dropped (with the reason) and unsolved points."""
    solved = [p for p in found if "a" in p]
    unsolved = [p for p in found if "a" not in p]
    scale_a = max((abs(p["a"]) for p in solved), default=1.0)
    scale_b = max((abs(p["b"]) for p in solved), default=1.0)
    ta, tb = 1e-9 + 1e-7 * scale_a, 1e-9 + 1e-7 * scale_b
    kept, dropped = [], []
    for i, p in enumerate(solved):
        reason = None
        for j, q in enumerate(solved):
            if i == j:
                continue
            le = q["a"] <= p["a"] + ta and q["b"] <= p["b"] + tb
            if le and (q["a"] < p["a"] - ta or q["b"] < p["b"] - tb):
                reason = f"dominated by {q['label']}"
                break
            if le and j < i:
                reason = f"same objective values as {q['label']}"
                break
        if reason:
            dropped.append({**p, "reason": reason})
        else:
            kept.append(p)
    return kept, dropped, unsolved


def frame(result: dict[str, Any]) -> pd.DataFrame:
    """pareto.csv: one row per point (kept, dropped or unsolved), units in column names."""
    a, b = result["objectives"]
    rows = []
    for group, pts in (("kept", result["points"]), ("dropped", result["dropped"]), ("unsolved", result["unsolved"])):
        for p in pts:
            s = p.get("summary", {})
            rows.append({"label": p["label"], "kind": p["kind"], "kept": group, "reason": p.get("reason", ""),
                         "status": p["status"], "proven": p["proven"], "mip_gap": p["mip_gap"],
                         "epsilon": p["epsilon"], a: p.get("a"), b: p.get("b"), "x": p.get("x"), "y": p.get("y"),
                         "npv_cost_gbp_k": s.get("npv_cost_gbp_k"), "capital_total_gbp_k": s.get("capital_total_gbp_k"),
                         "schemes": "; ".join(s.get("schemes", []))})
    return pd.DataFrame(rows)
