"""Robustness to demand uncertainty: candidate configurations evaluated in every demand future (docs/analysis.md).

A future rescales the scenario's projected demand (`[[future]]` blocks, or seeded random draws). Candidates are
the optimum of each future, each named option and do-nothing. A candidate is evaluated in a future with its
structure held (services by site and year, scheme starts, disposals, demand schemes; a named option holds the
structural rows options.csv gives it) and beds, flows and funding re-optimised. Regret = its objective there − the
best known objective of that future; the worst regret is the largest over futures (none when it cannot serve one).
`choose` also solves one MILP whose futures share the structural decisions and minimises the largest regret.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs

from reconfig.analysis.alternatives import single_objective
from reconfig.analysis.compare import difference, difference_text
from reconfig.formulation.build import build_model
from reconfig.formulation.built import Built
from reconfig.inputs.errors import InputError, Problem
from reconfig.instance.build import Instance
from reconfig.results.summary import summary
from reconfig.solve.session import (
    STRUCTURAL,
    Session,
    Structure,
    fix_structure,
    mip_start,
    same_structure,
    structure,
    unfix_structure,
)
from reconfig.solve.solver import Outcome, _solve_once, objective_expr, solve_with_baseline


@dataclass
class FutureCase:
    """One demand future: demand[k][:, t] × demand_factor × (1 + growth_pct/100)^(t+1) × service_factor[k]."""

    name: str
    description: str = ""
    origin: str = "scenario"  # base / scenario / draw
    probability: float | None = None
    demand_factor: float = 1.0
    growth_pct: float = 0.0
    service_factor: dict[str, float] = field(default_factory=dict)
    weight: float | None = None  # in the expected cost and regret (None: not weighted)

    def multiplier(self, service: str, years: int) -> np.ndarray:
        t = np.arange(1, years + 1)
        return self.demand_factor * (1 + self.growth_pct / 100) ** t * self.service_factor.get(service, 1.0)


def futures_for(inst: Instance, names: list[str] | None, draws: int = 0, seed: int = 0) -> list[FutureCase]:
    """The base future, the named `[[future]]` blocks chosen (all when `names` is None) and `draws` random ones."""
    sc = inst.scenario
    file = str(sc.path)
    known = {f.name: (i, f) for i, f in enumerate(sc.future)}
    if names is not None:
        unknown = [n for n in names if n not in known and n != "base"]
        if unknown:
            raise InputError([Problem("--futures", f"unknown future '{unknown[0]}'", value=",".join(names),
                                      expected=(f"one of base, {', '.join(known)}" if known else
                                                f"a [[future]] block in {file} (it has none)"))])
    chosen = [known[n] for n in (names if names is not None else list(known)) if n != "base"]
    problems = [Problem(file, f"future '{f.name}' names unknown service '{k}'", column=f"future.{i}.service_factor",
                        value=k, expected="a service_id from services.csv")
                for i, f in chosen for k in f.service_factor if k not in inst.services]
    if problems:
        raise InputError(problems)
    if not chosen and not draws:
        raise InputError([Problem(file, "no demand futures to test: add [[future]] blocks or use --draws N",
                                  column="future")])
    out = [FutureCase("base", "the scenario's own demand projection", "base")]
    out += [FutureCase(f.name, f.description, "scenario", f.probability, f.demand_factor, f.growth_pct,
                       dict(f.service_factor)) for _, f in chosen]
    u = sc.uncertainty
    rng = np.random.default_rng(seed)
    for d in range(1, draws + 1):
        g = float(rng.normal(u.growth_mean_pct, u.growth_sd_pct))
        shift = {k: float(np.exp(rng.normal(0.0, u.shift_sd))) for k in inst.services}
        out.append(FutureCase(f"draw-{d:03d}", f"random draw {d} (seed {seed}): extra growth {g:+.2f} %/year",
                              "draw", None, 1.0, g, shift))
    _weights(out, file)
    return out


def _weights(fs: list[FutureCase], file: str) -> None:
    """Expected values: over the draws (equally likely) when there are draws; otherwise over the base and named
    futures when every named one has a probability (the base takes the rest)."""
    draws = [f for f in fs if f.origin == "draw"]
    named = [f for f in fs if f.origin == "scenario"]
    if draws:
        for f in draws:
            f.weight = 1 / len(draws)
    elif named and all(f.probability is not None for f in named):
        total = sum(f.probability or 0.0 for f in named)
        if total > 1 + 1e-9:
            raise InputError([Problem(file, f"the futures' probabilities add up to {total:g}, more than 1",
                                      column="future.probability")])
        for f in named:
            f.weight = f.probability
        fs[0].weight = fs[0].probability = max(1 - total, 0.0)


def apply_future(inst: Instance, f: FutureCase) -> Instance:
    """A copy of the instance with demand rescaled (travel times, sites and money unchanged)."""
    n = len(inst.years)
    return dataclasses.replace(inst, demand={k: d * f.multiplier(k, n)[None, :] for k, d in inst.demand.items()})


@dataclass
class _Future:
    case: FutureCase
    inst: Instance
    baseline: tuple[Built, Outcome]
    dn_cost: float | None
    built: Built
    session: Session
    expr: Any
    optimum: Outcome
    structure: Structure | None


@dataclass
class _Candidate:
    name: str
    kind: str  # optimum / option / do_nothing / minimax
    structure: Structure | None = None
    option: str | None = None
    also: list[str] = field(default_factory=list)


def _prepare(inst: Instance, f: FutureCase, time_limit: float | None, gap: float | None) -> _Future:
    fi = apply_future(inst, f)
    try:
        baseline, _ = solve_with_baseline(fi, [], time_limit, gap)
    except InputError as e:
        raise InputError([dataclasses.replace(p, message=f"in future '{f.name}': {p.message}")
                          for p in e.problems]) from None
    c = inst.scenario.constraints
    dn_cost = baseline[1].values["recurrent_cost_by_year"][c.savings_year] if c.savings_target_gbp_k is not None \
        else None
    built = build_model(fi, do_nothing_cost=dn_cost)
    session = Session(built, time_limit, gap)
    expr = objective_expr(built)
    out = session.solve(expr)
    return _Future(f, fi, baseline, dn_cost, built, session, expr, out,
                   structure(built) if out.objective is not None else None)


def _evaluate(fd: _Future, cand: _Candidate, time_limit: float | None, gap: float | None) -> Outcome:
    if cand.kind == "option":
        built = build_model(fd.inst, fix=cand.option, do_nothing_cost=fd.dn_cost)
        for var in built.model.beds.values():  # beds are not structural: they adapt to the future's demand
            var.unfix()
        return Session(built, time_limit, gap).solve(objective_expr(built))
    assert cand.structure is not None
    if fd.structure is not None and fd.optimum.status == "optimal" and same_structure(cand.structure, fd.structure):
        return fd.optimum
    saved = fix_structure(fd.built, cand.structure)
    try:
        return fd.session.solve(fd.expr)
    finally:
        unfix_structure(saved)


def _add(cands: list[_Candidate], new: _Candidate) -> _Candidate:
    """Add a structure-based candidate unless an equal structure is there already (then note the name)."""
    for c in cands:
        if c.structure is not None and new.structure is not None and same_structure(c.structure, new.structure):
            c.also.append(new.name)
            return c
    cands.append(new)
    return new


def robust(inst: Instance, futures: list[FutureCase], choose: bool = False, time_limit: float | None = None,
           mip_gap: float | None = None) -> dict[str, Any]:
    """Candidate × future matrix of objective, status and regret; with `choose`, the minimax-regret plan."""
    single_objective(inst, "robust")
    t0 = time.perf_counter()
    fds = [_prepare(inst, f, time_limit, mip_gap) for f in futures]
    cands: list[_Candidate] = []
    for fd in fds:
        if fd.structure is not None:
            _add(cands, _Candidate("base optimum" if fd.case.name == "base" else f"optimum in {fd.case.name}",
                                   "optimum", fd.structure))
    for opt in sorted(set(inst.options["option_id"])):
        cands.append(_Candidate(f"option {opt}", "option", option=opt))
    _add(cands, _Candidate("do-nothing", "do_nothing", structure(fds[0].baseline[0])))
    cells = {(c.name, fd.case.name): _evaluate(fd, c, time_limit, mip_gap) for c in cands for fd in fds}
    joint: dict[str, Any] | None = None
    if choose:
        joint, joint_structure = _minimax(fds, cells, _least_worst(fds, cands, cells), time_limit, mip_gap)
        if joint_structure is not None:
            c = _add(cands, _Candidate("minimax (joint MILP)", "minimax", joint_structure))
            joint["candidate"] = c.name
            if c.name == "minimax (joint MILP)":
                for fd in fds:
                    cells[c.name, fd.case.name] = _evaluate(fd, c, time_limit, mip_gap)
    result = _tables(inst, fds, cands, cells)
    result.update({"time_limit": time_limit if time_limit is not None else inst.scenario.solver.time_limit,
                   "mip_gap": mip_gap if mip_gap is not None else inst.scenario.solver.mip_gap,
                   "seconds": round(time.perf_counter() - t0, 1)})
    if choose:
        result["joint"] = joint
        result["chosen"] = _choose(result, joint)
    return result


def _best(fd: _Future, cells: dict[tuple[str, str], Outcome]) -> float | None:
    costs = [o.objective for (_, f), o in cells.items() if f == fd.case.name and o.objective is not None]
    if fd.optimum.objective is not None:
        costs.append(fd.optimum.objective)
    return min(costs) if costs else None


def _least_worst(fds: list[_Future], cands: list[_Candidate],
                 cells: dict[tuple[str, str], Outcome]) -> _Candidate | None:
    """The structure-based candidate with the least worst regret (None if every one fails a future)."""
    best = {fd.case.name: _best(fd, cells) for fd in fds}
    worst = {}
    for c in cands:
        costs = [cells[c.name, fd.case.name].objective for fd in fds]
        if c.structure is not None and all(v is not None for v in costs) and None not in best.values():
            worst[c.name] = max((v or 0.0) - (best[fd.case.name] or 0.0) for v, fd in zip(costs, fds, strict=True))
    if not worst:
        return None
    name = min(worst, key=lambda n: worst[n])
    return next(c for c in cands if c.name == name)


def _minimax(fds: list[_Future], cells: dict[tuple[str, str], Outcome], start: _Candidate | None,
             time_limit: float | None, gap: float | None) -> tuple[dict[str, Any], Structure | None]:
    """One MILP: a copy of each future's model, structural decisions equal across copies, minimise R with
    R ≥ objective_f − best_f. Its absolute gap is the scenario's relative gap × the mean best objective. With a
    `start` candidate, the copies are first solved with its structure fixed, and that plan is the MIP start."""
    best = {fd.case.name: _best(fd, cells) for fd in fds}
    if any(v is None for v in best.values()):
        return {"status": "not solved", "message": "a future has no known solution, so regret is undefined"}, None
    sc = fds[0].inst.scenario
    m = pyo.ConcreteModel(name="minimax_regret")
    m.R = pyo.Var(domain=pyo.Reals)
    m.links = pyo.ConstraintList()
    m.regret = pyo.ConstraintList()
    copies = []
    for i, fd in enumerate(fds):
        b = build_model(fd.inst, do_nothing_cost=fd.dn_cost)
        m.add_component(f"future_{i}", b.model)
        copies.append(b)
        m.regret.add(m.R >= objective_expr(b) - best[fd.case.name])
    first = copies[0].model
    for b in copies[1:]:
        for name in STRUCTURAL:
            mine, ref = getattr(b.model, name), getattr(first, name)
            for key, var in mine.items():
                if not (var.fixed and ref[key].fixed):
                    m.links.add(var == ref[key])
    m.obj = pyo.Objective(expr=m.R, sense=pyo.minimize)
    rel = sc.solver.mip_gap if gap is None else gap
    scale = float(np.mean([abs(v) for v in best.values() if v is not None]))
    limit = time_limit if time_limit is not None else sc.solver.time_limit
    options = {**sc.solver.options, "mip_abs_gap": max(rel * scale, 1e-9)}
    solver = Highs()
    t0 = time.perf_counter()
    kw: dict[str, Any] = {}
    if start is not None and start.structure is not None:
        saved = [fix_structure(b, start.structure) for b in copies]
        first_out = _solve_once(m, limit, rel, options, sc.solver.threads, solver=solver)
        for s in saved:
            unfix_structure(s)
        if first_out.objective is not None:
            kw = mip_start(solver, m)
    out = _solve_once(m, limit, rel, options, sc.solver.threads, solver=solver, **kw)
    info = {"status": out.status, "max_regret": out.objective, "best_bound": out.best_bound,
            "abs_gap": None if out.objective is None or out.best_bound is None else out.objective - out.best_bound,
            "solve_seconds": round(time.perf_counter() - t0, 3), "message": out.message,
            "mip_start": start.name if kw and start is not None else None,
            "variables": sum(1 for _ in m.component_data_objects(pyo.Var))}
    return info, (structure(copies[0]) if out.objective is not None else None)


def _tables(inst: Instance, fds: list[_Future], cands: list[_Candidate],
            cells: dict[tuple[str, str], Outcome]) -> dict[str, Any]:
    w = inst.scenario.objective.weights
    money = {k for k, v in w.items() if v} == {"npv_cost"} and w["npv_cost"] == 1.0
    best = {fd.case.name: _best(fd, cells) for fd in fds}
    base = fds[0]
    base_opt = summary(base.inst, base.built, base.optimum, base.baseline, None) if base.optimum.values else None
    rows, cand_rows = [], []
    for c in cands:
        regrets: dict[str, float | None] = {}
        for fd in fds:
            o = cells[c.name, fd.case.name]
            ref = best[fd.case.name]
            regret = None if o.objective is None or ref is None else o.objective - ref
            upper = (None if o.objective is None or fd.optimum.best_bound is None
                     else o.objective - fd.optimum.best_bound)
            regrets[fd.case.name] = regret
            rows.append({"candidate": c.name, "future": fd.case.name, "status": o.status,
                         "proven": o.status == "optimal" and fd.optimum.status == "optimal",
                         "objective": o.objective, "npv_cost_gbp_k": (o.values.get("objectives", {}).get("npv_cost")
                                                                      if o.values else None),
                         "mip_gap": o.mip_gap, "regret": regret, "regret_upper": upper})
        missing = [f for f, r in regrets.items() if r is None]
        fails = [f for f in missing if cells[c.name, f].status == "infeasible"]
        unknown = [f for f in missing if f not in fails]  # no plan found (time limit, error): not proven either way
        worst_f = max((f for f in regrets if regrets[f] is not None), key=lambda f: regrets[f] or 0.0, default=None)
        weighted = [fd for fd in fds if fd.case.weight is not None]
        exp_cost = exp_regret = None
        if weighted and not any(regrets[fd.case.name] is None for fd in weighted):
            tw = sum(fd.case.weight or 0.0 for fd in weighted) or 1.0
            exp_cost = sum((fd.case.weight or 0.0) * (cells[c.name, fd.case.name].objective or 0.0)
                           for fd in weighted) / tw
            exp_regret = sum((fd.case.weight or 0.0) * (regrets[fd.case.name] or 0.0) for fd in weighted) / tw
        d = None
        o = cells[c.name, "base"]
        if base_opt is not None and o.values and c.name != "base optimum":
            d = difference(base_opt, summary(base.inst, base.built, o, base.baseline, None))
        cand_rows.append({
            "name": c.name, "kind": c.kind, "also": c.also, "option": c.option,
            "worst_regret": None if missing else max(regrets.values(), default=None),
            "worst_future": None if missing else worst_f, "fails_in": fails, "unknown_in": unknown,
            "expected_objective": exp_cost, "expected_regret": exp_regret,
            "schemes": sorted({r["scheme"] for r in o.values.get("schemes", [])}) if o.values else None,
            "against_base_optimum": d, "against_base_optimum_text": difference_text(d) if d else None})
    return {
        "scenario": inst.scenario.name, "objective": dict(w), "unit": "£000" if money else "objective units",
        "futures": [{**dataclasses.asdict(fd.case), "optimum": {
            "status": fd.optimum.status, "objective": fd.optimum.objective, "best_bound": fd.optimum.best_bound,
            "mip_gap": fd.optimum.mip_gap}, "best_known_objective": best[fd.case.name],
            "demand_total_final_year": {k: float(d[:, -1].sum()) for k, d in fd.inst.demand.items()}}
            for fd in fds],
        "candidates": cand_rows, "cells": rows}


def _choose(result: dict[str, Any], joint: dict[str, Any] | None) -> dict[str, Any]:
    ok = [c for c in result["candidates"] if c["worst_regret"] is not None]
    if not ok:
        return {"name": None, "message": "no candidate can serve every future"}
    best = min(ok, key=lambda c: (c["worst_regret"], c["expected_objective"] or 0.0))
    among = "the candidates"
    if joint and joint.get("candidate"):
        among += " and the joint minimax MILP's plan"
    proven = (joint is not None and joint.get("status") == "optimal"
              and all(r["proven"] for r in result["cells"] if r["candidate"] == best["name"]))
    return {"name": best["name"], "worst_regret": best["worst_regret"], "worst_future": best["worst_future"],
            "among": among, "proven_minimax": proven,
            "joint_bound": joint.get("best_bound") if joint else None}


def frame(result: dict[str, Any]) -> pd.DataFrame:
    """robust.csv: one row per (candidate, future)."""
    return pd.DataFrame(result["cells"])
