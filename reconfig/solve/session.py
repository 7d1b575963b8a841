"""Re-solving one built model, and the structural decisions of a plan.

A `Session` keeps one persistent HiGHS instance for one Built model: between solves the objective, mutable
bounds, fixings and added constraints change, and pyomo.contrib.solver passes only the changes on. The previous
solution can be handed to HiGHS as a MIP start (when it is still feasible, as in an ε-constraint sweep whose
bound is loosened step by step).

A plan's *structure* is what a board decides: services by site and year (`y`), scheme starts, disposals and
demand-scheme starts. Beds, patient flows and funding follow from it and are left to adapt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs

from reconfig.formulation.built import Built
from reconfig.solve.solver import Outcome, extract, solve_exact

STRUCTURAL = ("y", "start", "sold", "dstart")
Structure = dict[str, dict[Any, int]]  # component name -> index -> 0/1


@dataclass
class Session:
    """One Built model solved again and again by one persistent HiGHS instance."""

    built: Built
    time_limit: float | None = None
    mip_gap: float | None = None
    solver: Highs = field(default_factory=Highs)
    solves: int = 0

    def solve(self, expr: Any, warm_start: bool = False) -> Outcome:
        """Minimise `expr` over the model as it stands now; the solution (if any) is loaded into the model."""
        m = self.built.model
        sc = self.built.inst.scenario
        if hasattr(m, "obj"):
            m.del_component(m.obj)
        m.obj = pyo.Objective(expr=expr, sense=pyo.minimize)
        limit = self.time_limit if self.time_limit is not None else sc.solver.time_limit
        gap = sc.solver.mip_gap if self.mip_gap is None else self.mip_gap
        t0 = time.perf_counter()
        kw = self._mip_start() if warm_start and self.solves else {}
        out = solve_exact(self.built, self.solver, limit, gap, sc.solver.options, sc.solver.threads, **kw)
        self.solves += 1
        out.solve_seconds = time.perf_counter() - t0
        if out.objective is not None:
            out.values = extract(self.built)
        return out

    def _mip_start(self) -> dict[str, Any]:
        return mip_start(self.solver, self.built.model)


def mip_start(solver: Highs, model: pyo.ConcreteModel) -> dict[str, Any]:
    """Push pending model changes to the persistent `solver` (which has solved `model` before), give HiGHS the
    variables' current values as a MIP start, and return the solve() keywords that keep the next solve from
    touching the model again (any change would discard the start)."""
    try:
        solver.update()
        col = solver._pyomo_var_to_solver_var_map  # private in pyomo 6.10: skip the start if it moves
        highs = solver._solver_model
    except AttributeError:
        return {}
    idx, vals = [], []
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        j = col.get(id(v))
        if j is not None and v.value is not None:
            idx.append(j)
            vals.append(float(v.value))
    if not idx:
        return {}
    highs.setSolution(len(idx), np.array(idx, dtype=np.int32), np.array(vals, dtype=np.float64))
    return {"auto_updates": {k: False for k in solver.config.auto_updates}}


def structure(built: Built) -> Structure:
    """The solved plan's structural decisions (0/1 by index)."""
    m = built.model
    return {name: {key: int(round(pyo.value(var, exception=False) or 0)) for key, var in getattr(m, name).items()}
            for name in STRUCTURAL}


def same_structure(a: Structure, b: Structure) -> bool:
    return all({k for k, v in a[n].items() if v} == {k for k, v in b[n].items() if v} for n in STRUCTURAL)


def fix_structure(built: Built, struct: Structure) -> list[tuple[pyo.Var, bool, Any]]:
    """Fix every structural variable to the plan's value; returns what `unfix_structure` needs to undo it.
    A decision the plan takes that this model cannot (an index it lacks) raises ValueError."""
    m = built.model
    saved = []
    for name in STRUCTURAL:
        comp = getattr(m, name)
        wanted = struct.get(name, {})
        missing = [k for k, v in wanted.items() if v and k not in comp]
        if missing:
            raise ValueError(f"{name}{missing[0]} is not a decision of this model")
        for key, var in comp.items():
            saved.append((var, var.fixed, var.value))
            var.fix(wanted.get(key, 0))
    return saved


def unfix_structure(saved: list[tuple[pyo.Var, bool, Any]]) -> None:
    for var, was_fixed, value in saved:
        if was_fixed:
            var.fix(value)
        else:
            var.unfix()
