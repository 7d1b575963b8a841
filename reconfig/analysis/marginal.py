"""Which limits bind, and what loosening them is worth (docs/diagnose.md).

Three measures, each honest about what it holds fixed:

* binding: the labelled limits (capital, funding, savings, site counts, volumes, bed capacity, coverage, ward
  changes) that the solution meets exactly;
* LP prices: every integer and binary variable fixed at the solution (the configuration, schemes, disposals and
  beds), the continuous rest (patient flows, funding mix, demand-scheme reductions, coverage) re-solved as an LP;
  the duals of the labelled rows are the value of one more unit of each limit *with the configuration held
  fixed*, valid only for small changes. Limits whose rows hold no continuous variable once the configuration is
  fixed (capital, site counts, bed capacity) have no such price: their value lies in changing the configuration;
* re-optimised values (`reconfig marginal`, `reconfig solve --marginal`): each money limit (capital by year and
  in total, each funding source by year and in total, the savings target) loosened by £1m and the whole MILP
  solved again; the change in the objective, given as an interval from the two solves' bounds.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pyomo.environ as pyo
from pyomo.contrib.solver.solvers.highs import Highs
from pyomo.core.expr.visitor import identify_variables

from reconfig.analysis.diagnose import _limit, _Names, _num, _plain, money
from reconfig.formulation.build import build_model
from reconfig.formulation.built import Built, labelled_rows
from reconfig.instance.build import Instance
from reconfig.solve.solver import Outcome, objective_expr, solve_exact

LIMITS = ("capital_limit", "capital_total", "funding", "funding_total", "savings", "min_sites", "max_sites",
          "min_volume", "max_volume", "bed_capacity", "coverage", "ward_changes")
PRICED = (*LIMITS, "bed_days")
MONEY = ("capital_limit", "capital_total", "funding", "funding_total", "savings")
STEP_GBP_K = 1000.0  # re-optimised values: one more £1m


def _v(e: Any) -> float:
    return float(pyo.value(e))


def _rows(built: Built, families: tuple[str, ...]) -> list[tuple[Any, str, dict]]:
    """(row, family, where) of the active rows of the named families."""
    return [(con, fam, w) for con, fam, w in labelled_rows(built, families) if con.active]


def _headroom(con: Any) -> float:
    """How far the row is from its bound at the current solution (negative if violated)."""
    body = _v(con.body)
    if con.ub is not None:
        return float(con.ub) - body
    return body - float(con.lb)


def _open(built: Built, w: dict) -> bool:
    key = (w["service"], w["site"], w["t"])
    return key in built.model.y and _v(built.model.y[key]) > 0.5


def binding(built: Built) -> list[dict[str, Any]]:
    """The labelled limits the solution meets exactly, each with a sentence (FORMULATION: "which constraints
    bind"). Rows that hold trivially (a volume limit where the service is closed, an empty site) are left out."""
    inst, m = built.inst, built.model
    names = _Names(inst)
    out = []
    for con, fam, w in _rows(built, LIMITS):
        if fam in ("min_volume", "max_volume") and not _open(built, w):
            continue
        beds = None
        if fam == "bed_capacity":
            beds = sum(_v(m.beds[b, s, t]) for (b, s, t) in m.beds if s == w["site"] and t == w["t"])
            if beds < 0.5:
                continue
        lim = _limit(fam, w, inst, None)
        room = _headroom(con)
        if room > 1e-6 * max(1.0, abs(lim or 0.0)) + 1e-6:
            continue
        if all(abs(_v(v)) < 1e-9 for v in identify_variables(con.body)):
            continue  # nothing uses it (an unused fund, an empty site): binding only on paper
        item = {"family": fam, **_plain(w, inst), "limit": lim}
        item["sentence"] = _binding_sentence(fam, item, names, beds)
        out.append(item)
    return out


def _sites(n: float) -> str:
    return f"{_num(n)} site{'' if round(n) == 1 else 's'}"


def _binding_sentence(fam: str, r: dict, names: _Names, beds: float | None) -> str:
    yr, lim = r.get("year"), r.get("limit")
    svc, site = names.service(r.get("service")), names.site(r.get("site"))
    return {
        "capital_limit": lambda: f"Capital in {yr} is at its limit of {money(lim)} (net of disposal receipts).",
        "capital_total": lambda: f"Capital over the horizon is at its limit of {money(lim)}.",
        "funding": lambda: f"{names.fund(r['source'])} in {yr} is fully used ({money(lim)} available).",
        "funding_total": lambda: f"{names.fund(r['source'])} is fully used over the horizon ({money(lim)}).",
        "savings": lambda: f"The savings target of {money(lim)} a year in {yr} is met exactly.",
        "min_sites": lambda: f"{svc} runs at its minimum of {_sites(lim)} in {yr}.",
        "max_sites": lambda: f"{svc} runs at its maximum of {_sites(lim)} in {yr}.",
        "min_volume": lambda: f"{svc} at {site} is at its minimum volume of {_num(lim)} in {yr}.",
        "max_volume": lambda: f"{svc} at {site} is at its maximum volume of {_num(lim)} in {yr}.",
        "bed_capacity": lambda: f"{site} is full in {yr} ({_num(beds or 0)} beds).",
        "coverage": lambda: f"{svc} in {yr} covers exactly the required {100 * lim:.1f} % of the population.",
        "ward_changes": lambda: f"Ward changes in {yr} are at the limit of {_num(lim)}.",
    }[fam]()


# --- LP prices with the configuration fixed ---------------------------------------------------------------------------

@dataclasses.dataclass
class ObjectiveUnit:
    what: str  # "net present cost", "mean travel time", "objective"
    unit: str  # "£000", "minutes", ""
    scale: float  # objective units per unit of `what`

    def amount(self, v: float) -> str:
        if self.unit == "£000":
            return money(v)
        if self.unit == "minutes":
            return f"{v:.3g} minutes"
        return f"{v:.4g}"


def objective_unit(inst: Instance) -> ObjectiveUnit:
    o = inst.scenario.objective
    last = o.lexicographic[-1] if o.lexicographic else None
    used = [k for k, w in o.weights.items() if w] if last is None else [last]
    scale = 1.0 if last is not None else float(o.weights.get(used[0], 1.0)) if len(used) == 1 else 1.0
    if used == ["npv_cost"]:
        return ObjectiveUnit("net present cost", "£000", scale)
    if used == ["travel"]:
        return ObjectiveUnit("mean travel time", "minutes", scale)
    return ObjectiveUnit("objective (" + " + ".join(f"{o.weights.get(k, 1):g} × {k}" for k in used) + ")", "", 1.0)


def _per_unit(fam: str, w: dict, inst: Instance) -> tuple[float, str]:
    """Row units per user unit, and the user unit in words."""
    if fam in MONEY:
        return 1000.0, "£1m"
    if fam == "bed_days":
        return 365 * float(inst.bed_types.loc[w["bed_type"], "occupancy"]), "bed"
    if fam == "coverage":
        return float(inst.population.sum()) / 100, "percentage point"
    if fam in ("min_volume", "max_volume"):
        unit = inst.system["services"].set_index("service_id").loc[w["service"], "demand_unit"]
        return 1.0, str(unit).rstrip("s") if str(unit).endswith("s") else str(unit)
    return 1.0, {"bed_capacity": "bed", "ward_changes": "ward change"}.get(fam, "site")


def lp_prices(built: Built) -> dict[str, Any]:
    """Fix every integer variable at its value, solve the LP, read the duals of the labelled rows."""
    m, inst = built.model, built.inst
    t0 = time.perf_counter()
    fixed_here, domains = [], []
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if v.is_integer() and v.value is not None:
            if not v.fixed:
                v.fix(round(v.value))
                fixed_here.append(v)
            domains.append((v, v.domain))
            v.domain = pyo.Reals  # fixed, so exact; HiGHS then sees an LP and returns duals
    rows = _rows(built, PRICED)
    cons = [con for con, _, _ in rows]
    free = {id(con): any(True for _ in identify_variables(con.body, include_fixed=False)) for con in cons}
    try:
        res = Highs().solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                            solver_options={"presolve": "on"})
        ok = res.incumbent_objective is not None and res.solution_status.name == "optimal"
        duals = res.solution_loader.get_duals(cons) if ok else {}
        lp_obj = res.incumbent_objective
    finally:
        for v, d in domains:
            v.domain = d
        for v in fixed_here:
            v.unfix()
    ou = objective_unit(inst)
    names = _Names(inst)
    priced, fixed_by_config, zero = [], [], 0  # zero: rows with a price of 0 (slack, or binding but not scarce)
    for con, fam, w in rows:
        if not free[id(con)]:
            if fam != "bed_days":
                fixed_by_config.append(fam)
            continue
        dual = float(duals.get(con, 0.0))
        per, unit = _per_unit(fam, w, inst)
        value = (-dual if con.ub is not None else dual) * per / ou.scale  # objective decrease per unit loosened
        if abs(value) <= 1e-9 * max(1.0, abs(lp_obj or 0.0)):
            zero += 1
            continue
        item = {"family": fam, **_plain(w, inst), "dual": dual, "per": unit, "value": value}
        item["sentence"] = _price_sentence(fam, item, names, ou)
        priced.append(item)
    return {"lp_objective": lp_obj, "status": "optimal" if duals or ok else "not solved", "objective": ou.what,
            "objective_unit": ou.unit, "priced": priced, "zero_price": zero,
            "fixed_by_configuration": sorted(set(fixed_by_config)), "seconds": round(time.perf_counter() - t0, 3)}


def _price_sentence(fam: str, r: dict, names: _Names, ou: ObjectiveUnit) -> str:
    yr = r.get("year")
    svc, site = names.service(r.get("service")), names.site(r.get("site"))
    change = "lower" if r["value"] > 0 else "raise"
    tail = (f"would {change} the {ou.what} by {ou.amount(abs(r['value']))}, holding the configuration fixed "
            f"(a local value).")
    head = {
        "funding": lambda: f"One more £1m of {names.fund(r['source'])} in {yr}",
        "funding_total": lambda: f"One more £1m of {names.fund(r['source'])} over the horizon",
        "capital_limit": lambda: f"One more £1m of capital in {yr}",
        "capital_total": lambda: "One more £1m of capital over the horizon",
        "savings": lambda: f"A savings target £1m lower in {yr}",
        "bed_days": lambda: f"One more {str(r['bed_type']).replace('_', ' ')} bed at {site} in {yr}",
        "max_volume": lambda: f"Raising the maximum volume of {svc} at {site} in {yr} by one {r['per']}",
        "min_volume": lambda: f"Lowering the minimum volume of {svc} at {site} in {yr} by one {r['per']}",
        "coverage": lambda: f"Requiring one percentage point less coverage for {svc} in {yr}",
        "min_sites": lambda: f"One site fewer required for {svc} in {yr}",
        "max_sites": lambda: f"One more site allowed for {svc} in {yr}",
        "bed_capacity": lambda: f"Room for one more bed at {site} in {yr}",
        "ward_changes": lambda: f"One more ward change allowed in {yr}",
    }[fam]()
    return f"{head} {tail}"


def marginal_summary(built: Built, outcome: Outcome) -> dict[str, Any]:
    """What every solve reports: binding limits and LP prices with the configuration fixed."""
    if not outcome.values:
        return {}
    out = lp_prices(built)
    out["binding"] = binding(built)
    return out


# --- re-optimised values of the money limits ------------------------------------------------------------------------

def _loosened(inst: Instance, fam: str, key: Any, step: float) -> Instance:
    """A copy of the instance with one money limit loosened by `step` (£000)."""
    sc = inst.scenario
    c = sc.constraints
    if fam == "capital_limit":
        limits = dict(c.capital_limit_gbp_k)
        limits[key] += step
        c = c.model_copy(update={"capital_limit_gbp_k": limits})
    elif fam == "capital_total":
        c = c.model_copy(update={"capital_total_gbp_k": c.capital_total_gbp_k + step})
    elif fam == "savings":
        c = c.model_copy(update={"savings_target_gbp_k": c.savings_target_gbp_k - step})
    elif fam == "funding":
        avail = dict(inst.funding_year)
        avail[key] = avail.get(key, 0.0) + step
        return dataclasses.replace(inst, funding_year=avail)
    elif fam == "funding_total":
        return dataclasses.replace(inst, funding_total={**inst.funding_total, key: inst.funding_total[key] + step})
    return dataclasses.replace(inst, scenario=sc.model_copy(update={"constraints": c}))


def limit_key(item: dict[str, Any]) -> tuple[str, Any]:
    """(family, key) of a money limit from a `binding` entry, as money_limits names it."""
    fam = item["family"]
    key = {"capital_limit": item.get("year"), "funding": (item.get("source"), item.get("year")),
           "funding_total": item.get("source")}.get(fam)
    return fam, key


def money_limits(inst: Instance, with_savings: bool) -> list[tuple[str, Any, dict]]:
    """Every money limit of the scenario: (family, key, label fields)."""
    c = inst.scenario.constraints
    out: list[tuple[str, Any, dict]] = [("capital_limit", y, {"year": y}) for y in c.capital_limit_gbp_k]
    if c.capital_total_gbp_k is not None:
        out.append(("capital_total", None, {}))
    out += [("funding", (f, y), {"source": f, "year": y}) for (f, y) in sorted(inst.funding_year)]
    out += [("funding_total", f, {"source": f}) for f in sorted(inst.funding_total)]
    if with_savings and c.savings_target_gbp_k is not None:
        out.append(("savings", None, {"year": c.savings_year}))
    return out


def _optimum(inst: Instance, fix: str | None, do_nothing_cost: float | None, cutoff: float, time_limit: float | None,
             mip_gap: float) -> tuple[float, float] | str:
    """(bound, objective) of the MILP, searching only below `cutoff` (the value of a plan known to be feasible for
    it); a status word if no answer."""
    sc = inst.scenario
    built = build_model(inst, fix=fix, do_nothing_cost=do_nothing_cost)
    built.model.obj = pyo.Objective(expr=objective_expr(built), sense=pyo.minimize)
    opts = {**sc.solver.options, "objective_bound": cutoff + 1e-9 * max(1.0, abs(cutoff))}
    out = solve_exact(built, Highs(), time_limit, mip_gap, opts, sc.solver.threads)
    if out.status == "infeasible":  # nothing below the cut-off: the known plan is optimal
        return cutoff, cutoff
    if out.objective is None:
        return out.status
    return (out.best_bound if out.best_bound is not None else out.objective), min(out.objective, cutoff)


def reoptimised(inst: Instance, fix: str | None, do_nothing_cost: float | None, base: Outcome,
                time_limit: float | None = None, mip_gap: float = 1e-6, step: float = STEP_GBP_K,
                only: list[tuple[str, Any]] | None = None, first: list[tuple[str, Any]] = ()) -> dict[str, Any]:
    """Loosen each money limit by `step` and solve the MILP again. The value (base optimum − loosened optimum) is
    an interval: each optimum lies between its solve's bound and objective, and the loosened one is never above
    the base plan, which stays feasible. The base is first solved again to `mip_gap` if its gap is wider. `only`
    restricts, `first` orders ((family, key) as in money_limits: the binding ones first, as time may run out)."""
    started = time.perf_counter()
    sc = inst.scenario
    ou = objective_unit(inst)
    names = _Names(inst)
    if sc.objective.lexicographic:
        return {"items": [], "note": "Re-optimised values need a weighted objective, not a lexicographic order."}

    def left() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - started)

    base_hi = base.objective
    base_lo = base.best_bound if base.best_bound is not None else base.objective
    if base_hi - base_lo > mip_gap * max(1.0, abs(base_hi)):
        r = _optimum(inst, fix, do_nothing_cost, base_hi, left(), mip_gap)
        if isinstance(r, tuple):
            base_lo, base_hi = max(base_lo, r[0]), min(base_hi, r[1])
    todo = money_limits(inst, do_nothing_cost is not None)
    if only is not None:
        todo = [x for x in todo if (x[0], x[1]) in only]
    todo.sort(key=lambda x: (x[0], x[1]) not in first)
    items = []
    for fam, key, fields in todo:
        item: dict[str, Any] = {"family": fam, **fields, "step_gbp_k": step}
        items.append(item)
        rest = left()
        if rest is not None and rest < 1:
            item["status"] = "not computed (time limit)"
            continue
        t0 = time.perf_counter()
        r = _optimum(_loosened(inst, fam, key, step), fix, do_nothing_cost, base_hi, rest, mip_gap)
        if not isinstance(r, tuple):
            item["status"] = r
            continue
        new_lo, new_hi = r
        lo_base = base_hi if new_lo >= base_hi else base_lo  # nothing better even loosened: the base is optimal
        low = max(lo_base - new_hi, 0.0) / ou.scale
        high = max(base_hi - new_lo, 0.0) / ou.scale
        item.update(status="optimal" if high - low <= 2 * mip_gap * max(1.0, abs(base_hi)) / ou.scale else
                    "within the gap", value_low=low, value_high=max(high, low),
                    seconds=round(time.perf_counter() - t0, 3))
        item["sentence"] = _reopt_sentence(fam, item, names, ou, step, 2 * mip_gap * abs(base_hi) / ou.scale)
    return {"items": items, "objective": ou.what, "objective_unit": ou.unit, "mip_gap": mip_gap,
            "base_objective": base_hi, "base_bound": base_lo, "seconds": round(time.perf_counter() - started, 3)}


def _reopt_sentence(fam: str, r: dict, names: _Names, ou: ObjectiveUnit, step: float, precision: float) -> str:
    """`precision`: what the two solves' gaps leave uncertain; a value below it is not told apart from none."""
    amount = money(step)
    yr = r.get("year")
    head = {
        "capital_limit": f"{amount} more capital in {yr}",
        "capital_total": f"{amount} more capital over the horizon",
        "funding": f"{amount} more of {names.fund(r.get('source', ''))} in {yr}",
        "funding_total": f"{amount} more of {names.fund(r.get('source', ''))} over the horizon",
        "savings": f"A savings target {amount} lower",
    }[fam]
    lo, hi = r["value_low"], r["value_high"]
    tol = 1e-6 * max(1.0, abs(hi))
    if hi <= tol:
        return f"{head} would not lower the {ou.what}: the best plan stays the same."
    if lo <= tol and hi <= max(precision, tol):
        return (f"{head} would lower the {ou.what} by at most {ou.amount(hi)}, within the solver's precision: "
                f"the best plan stays essentially the same.")
    if hi - lo <= max(tol, 0.005 * hi):
        return f"{head} would lower the {ou.what} by {ou.amount(lo)}, the plan re-optimised."
    return (f"{head} would lower the {ou.what} by between {ou.amount(lo)} and {ou.amount(hi)}, the plan "
            f"re-optimised (the range is the solver's optimality gap).")
