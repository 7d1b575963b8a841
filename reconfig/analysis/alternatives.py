"""Near-optimal alternatives: the next-best plans that differ in structure (docs/analysis.md).

A plan's structure here is its final-year configuration (which services run at which sites in the last horizon
year) and the set of capital schemes it builds (whenever they start). Plans that differ only in timing, beds or
patient flows count as the same structure. After the optimum, each solve adds the margin
`objective ≤ optimum + within·|optimum|` and one no-good cut per structure already found, so it returns the best
plan with a new structure (`min_changes` > 1: differing from each earlier one in at least that many elements of the
signature); the search ends when `count` are found or no other structure fits in the margin.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from reconfig.analysis.compare import difference, difference_text
from reconfig.formulation.build import build_model
from reconfig.formulation.built import Built, add_row
from reconfig.inputs.errors import InputError, Problem
from reconfig.instance.build import Instance
from reconfig.results.summary import summary
from reconfig.solve.session import Session
from reconfig.solve.solver import Outcome, objective_expr, solve_with_baseline

Signature = tuple[frozenset[tuple[str, str]], frozenset[str]]  # (final-year (service, site) pairs, schemes built)


def parse_within(text: str) -> float:
    """'2%' or '2' (per cent) -> 0.02; anything else is an InputError."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*%?\s*", text)
    if not m:
        raise InputError([Problem("--within", "must be a non-negative percentage", value=text,
                                  expected="e.g. 2% (2 per cent above the optimum)")])
    return float(m.group(1)) / 100


def single_objective(inst: Instance, command: str) -> None:
    """These analyses rank plans by one number: the scenario's weighted objective."""
    if inst.scenario.objective.lexicographic:
        raise InputError([Problem(str(inst.scenario.path), f"`{command}` ranks plans by one objective, but this "
                                  "scenario sets a lexicographic order", column="objective.lexicographic",
                                  expected="[objective] weights instead (e.g. { npv_cost = 1.0 })")])


def _cut_terms(built: Built) -> list[tuple[Any, tuple[str, ...]]]:
    """(0/1 expression, what it means) for every element of the structural signature."""
    m, inst = built.model, built.inst
    last = len(inst.years) - 1
    out: list[tuple[Any, tuple[str, ...]]] = [(m.y[k, s, t], ("service", k, s)) for (k, s, t) in m.y if t == last]
    for c in inst.schemes:
        starts = [m.start[c, t] for t in range(len(inst.years)) if (c, t) in m.start]
        if starts:
            out.append((sum(starts), ("scheme", c)))
    return out


def signature(built: Built) -> Signature:
    on = [what for expr, what in _cut_terms(built) if pyo.value(expr) > 0.5]
    return (frozenset((w[1], w[2]) for w in on if w[0] == "service"),
            frozenset(w[1] for w in on if w[0] == "scheme"))


def _no_good(built: Built, changes: int) -> bool:
    """Exclude every structure within `changes` − 1 elements of the current solution's signature; False when
    every element is fixed (nothing else possible)."""
    terms = _cut_terms(built)
    free = [expr for expr, _ in terms
            if any(not v.fixed for v in identify_variables(expr))]
    if not free:
        return False
    cut = len(getattr(built.model, "no_good", ()))
    add_row(built, "no_good", ("cut",), cut,
            sum((1 - expr) if pyo.value(expr) > 0.5 else expr for expr, _ in terms) >= changes)
    return True


def _plan(out: Outcome, s: dict[str, Any], sig: Signature, best: float | None) -> dict[str, Any]:
    gap_pct = None if best is None or out.objective is None else 100 * (out.objective - best) / max(abs(best), 1e-9)
    return {"status": out.status, "proven": out.status == "optimal", "objective": out.objective,
            "best_bound": out.best_bound, "mip_gap": out.mip_gap, "solve_seconds": round(out.solve_seconds, 3),
            "npv_cost_gbp_k": s["objectives"].get("npv_cost"), "pct_above_optimum": gap_pct,
            "capital_total_gbp_k": s.get("capital_total_gbp_k"),
            "capital_by_year_gbp_k": s.get("capital_spend_by_year"),
            "services_final_year": sorted(f"{k} at {site}" for k, site in sig[0]),
            "schemes_built": sorted(sig[1]), "schemes": s.get("schemes", [])}


def _distinct(i: int, sigs: list[Signature]) -> dict[str, list[str]]:
    """What plan i has that no other listed plan has, and what it lacks that every other has."""
    others = [s for j, s in enumerate(sigs) if j != i]
    if not others:
        return {"only_here": [], "missing_only_here": []}
    mine = {f"{k} at {s}" for k, s in sigs[i][0]} | {f"scheme {c}" for c in sigs[i][1]}
    sets = [{f"{k} at {s}" for k, s in o[0]} | {f"scheme {c}" for c in o[1]} for o in others]
    return {"only_here": sorted(mine - set().union(*sets)),
            "missing_only_here": sorted(set.intersection(*sets) - mine)}


def alternatives(inst: Instance, within: float, count: int, time_limit: float | None = None,
                 mip_gap: float | None = None, min_changes: int = 1) -> dict[str, Any]:
    """The optimum and up to `count` plans within `within` (a fraction) of it, each differing from every plan
    before it in at least `min_changes` elements of the structure."""
    single_objective(inst, "alternatives")
    baseline, _ = solve_with_baseline(inst, [], time_limit, mip_gap)
    c = inst.scenario.constraints
    dn_cost = (baseline[1].values["recurrent_cost_by_year"][c.savings_year]
               if c.savings_target_gbp_k is not None else None)
    built = build_model(inst, do_nothing_cost=dn_cost)
    session = Session(built, time_limit, mip_gap)
    expr = objective_expr(built)
    result: dict[str, Any] = {
        "scenario": inst.scenario.name, "objective": dict(inst.scenario.objective.weights), "within": within,
        "count": count, "min_changes": min_changes,
        "signature": "final-year services by site + capital schemes built (any start year)",
        "time_limit": time_limit if time_limit is not None else inst.scenario.solver.time_limit,
        "mip_gap": mip_gap if mip_gap is not None else inst.scenario.solver.mip_gap, "alternatives": []}
    out = session.solve(expr)
    if out.objective is None:
        result.update(optimum={"status": out.status, "message": out.message},
                      stopped=f"the optimum could not be found ({out.status}), so there is nothing to compare with")
        return result
    best = out.objective
    summaries = [summary(inst, built, out, baseline, None)]
    sigs = [signature(built)]
    result["optimum"] = _plan(out, summaries[0], sigs[0], best)
    margin = best + within * abs(best)
    result["margin_objective"] = margin
    # how far the optimum may be from the true one: plans closer together than this are not ranked reliably
    result["optimum_tolerance"] = None if out.best_bound is None else abs(best - out.best_bound)
    m = built.model
    m.alt_margin = pyo.Constraint(expr=expr <= margin)
    stopped = ""
    while len(result["alternatives"]) < count:
        if not _no_good(built, min_changes):
            stopped = "every structural decision is fixed by the scenario: there is no other structure"
            break
        out = session.solve(expr)
        if out.objective is None:
            apart = f" differing in at least {min_changes} elements from each plan found" if min_changes > 1 else ""
            stopped = (f"no other structure{apart} is within {within:.2%} of the optimum (proven: the search is "
                       "infeasible)"
                       if out.status == "infeasible" else
                       f"the search stopped ({out.status}) before finding another structure; there may be more")
            break
        sig = signature(built)
        summaries.append(summary(inst, built, out, baseline, None))
        sigs.append(sig)
        plan = _plan(out, summaries[-1], sig, best)
        plan["rank"] = len(result["alternatives"]) + 1
        d = difference(summaries[0], summaries[-1])
        plan["against_optimum"] = d
        plan["against_optimum_text"] = difference_text(d)
        result["alternatives"].append(plan)
    else:
        stopped = f"found the {count} requested"
    for i, plan in enumerate([result["optimum"], *result["alternatives"]]):
        plan["distinct"] = _distinct(i, sigs)
    result["stopped"] = stopped
    result["solves"] = session.solves
    return result


def frame(result: dict[str, Any]) -> pd.DataFrame:
    """alternatives.csv: the optimum (rank 0) and each alternative."""
    plans = ([{**result["optimum"], "rank": 0}] if "objective" in result.get("optimum", {}) else []) + \
        result["alternatives"]
    return pd.DataFrame([{
        "rank": p["rank"], "status": p["status"], "proven": p["proven"], "mip_gap": p["mip_gap"],
        "objective": p["objective"], "npv_cost_gbp_k": p["npv_cost_gbp_k"], "pct_above_optimum": p["pct_above_optimum"],
        "capital_total_gbp_k": p["capital_total_gbp_k"], "schemes_built": "; ".join(p["schemes_built"]),
        "against_optimum": p.get("against_optimum_text", ""),
        "only_here": "; ".join(p["distinct"]["only_here"])} for p in plans])
