"""Why a scenario is infeasible: elastic relaxation of the labelled constraint families (docs/diagnose.md).

The model is built in elastic mode (must/forbid rules as rows, unmet demand allowed). Every labelled row of a
family a user can change gets a slack, and every relaxable item (one labelled row, or for access one service in
one year) a binary `relaxed` with a big-M taken from the data. Phase 1 finds the fewest relaxed items; among
equally few it prefers money and targets, then service limits, then clinical and scheme rules, then leaving zones
without a site in reach, then physical facts (enabling schemes, prerequisites, disposals). Phase 2 keeps that
count and minimises the size of the relaxations in user units (£m, sites, beds, zones, percentage points).
Each relaxation is then stated in plain English.

Not relaxed, because they are the scenario's question: a named option's fixings, `fixed_until`, the do-nothing
fixings, start windows and lead times of schemes, and the structure (demand served once, beds for the patients
assigned, spend = funding).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo
from pyomo.contrib.fbbt.fbbt import compute_bounds_on_expr
from pyomo.core.expr.visitor import identify_variables

from reconfig.formulation.build import build_model
from reconfig.formulation.built import Built, labelled_rows
from reconfig.instance.build import Instance
from reconfig.solve.solver import Outcome, _solve_once, solve_instance

DEFAULT_SECONDS = 120.0  # a diagnosis `reconfig solve` runs by itself is bounded by this


@dataclass(frozen=True)
class Family:
    """A relaxable constraint family: its tie-break tier, the unit of its size and slack units per user unit."""

    tier: int  # 0 money and targets, 1 service limits, 2 rules, 3 access, 4 physical facts
    unit: str
    per: float = 1.0


FAMILIES: dict[str, Family] = {
    "capital_limit": Family(0, "£000", 1000), "capital_total": Family(0, "£000", 1000),
    "funding": Family(0, "£000", 1000), "funding_total": Family(0, "£000", 1000), "savings": Family(0, "£000", 1000),
    "min_sites": Family(1, "sites"), "max_sites": Family(1, "sites"), "min_volume": Family(1, "demand units", 100),
    "max_volume": Family(1, "demand units", 100), "bed_capacity": Family(1, "beds"),
    "ward_changes": Family(1, "wards"), "coverage": Family(1, "people"), "access": Family(3, "zones"),
    "requires": Family(2, "years"), "excludes": Family(2, "years"), "must": Family(2, "years"),
    "must_any": Family(2, "years"), "forbid": Family(2, "years"), "mandatory": Family(2, "schemes"),
    "prerequisite": Family(4, "years"), "enablement": Family(4, "years"), "vacate": Family(4, "years"),
    "disposal_scheme": Family(4, "years"),
}


@dataclass
class Elastic:
    """The elastic model: slack variables per labelled row, one `relaxed` binary per item."""

    built: Built
    groups: dict[Any, tuple[str, dict]]  # item -> (family, where)
    members: dict[Any, list[Any]]  # item -> slack keys (or unmet keys for access)
    big_m: dict[Any, float]  # slack key -> bound
    unmet_relaxable: bool
    rows: dict[int, Any]  # item -> its row (a ConstraintData of a named family), for the relaxable rows

    ids: dict[Any, int] = dataclasses.field(default_factory=dict)  # item -> index of its `relaxed` binary

    def relaxed(self, g: Any) -> Any:
        """The binary of item g (a labelled row's index, or ("access", service, t))."""
        return self.built.model.relaxed[self.ids[g]]


def _fill_bounds(built: Built) -> None:
    """Give the unbounded variables of labelled rows upper bounds that no optimal elastic solution needs to exceed,
    so that every slack has a finite big-M: beds at most what all the demand of their type could need, wards
    enough for them, funding of a scheme at most its largest spend in a year. The link "beds only where a service
    of their type runs" uses the site's capacity as its big-M, which would enforce the (relaxable) capacity: it is
    restated with the bound on beds."""
    m, inst = built.model, built.inst
    bt = inst.bed_types
    beds_ub: dict[tuple[str, str, int], float] = {}
    for (b, s, t) in m.beds:
        occ, size = float(bt.loc[b, "occupancy"]), int(bt.loc[b, "ward_size"])
        need = sum(inst.services[k].los * float(inst.demand[k][:, t].sum()) for k in built.assign_services
                   if inst.services[k].bed_type == b)
        top = size * math.ceil(need / (365 * occ) / size) if occ > 0 else 0
        v = m.beds[b, s, t]
        beds_ub[b, s, t] = max(top, float(v.value or 0) if v.fixed else 0)
        if not v.fixed:
            v.setub(beds_ub[b, s, t])
        if not m.wards[b, s, t].fixed:
            m.wards[b, s, t].setub(math.ceil(beds_ub[b, s, t] / size))
    links = list(labelled_rows(built, {"bed_link"}))
    if links:
        m.bed_link_bounded = pyo.ConstraintList()
    for con, _, w in links:
        key = (w["bed_type"], w["site"], w["t"])
        ys = [v for v in identify_variables(con.body) if v.parent_component() is m.y]
        con.deactivate()
        m.bed_link_bounded.add(m.beds[key] <= beds_ub[key] * sum(ys))
    if hasattr(m, "wchg"):
        for (b, s, t) in m.wchg:
            size = int(bt.loc[b, "ward_size"])
            today = math.ceil(inst.beds_today.get((b, s), 0) / size)
            m.wchg[b, s, t].setub(max(math.ceil(max(beds_ub[b, s, tt] for tt in range(len(inst.years))) / size),
                                      today))
    if hasattr(m, "fund"):
        for (f, c, t) in m.fund:
            sch = inst.schemes[c]
            m.fund[f, c, t].setub(max((v for off, v in sch.profile.items() if t - off >= 0), default=0.0))


def build_elastic(inst: Instance, fix: str | None = None, do_nothing_cost: float | None = None) -> Elastic:
    """Build the model in elastic mode and add the slacks, item binaries and big-M links."""
    sc = inst.scenario
    unmet_relaxable = not sc.constraints.allow_unmet
    if unmet_relaxable:  # unmet demand, linked to an item per service and year, relaxes access
        cons = sc.constraints.model_copy(update={"allow_unmet": True})
        inst = dataclasses.replace(inst, scenario=sc.model_copy(update={"constraints": cons}))
    built = build_model(inst, fix=fix, do_nothing_cost=do_nothing_cost, elastic=True)
    m = built.model
    _fill_bounds(built)
    groups: dict[Any, tuple[str, dict]] = {}
    members: dict[Any, list[Any]] = defaultdict(list)
    big_m: dict[Any, float] = {}
    rows: dict[int, Any] = {}
    for i, (con, family, where) in enumerate(labelled_rows(built, set(FAMILIES))):
        if family in ("must", "forbid") and not any(True for _ in identify_variables(con.body, include_fixed=False)):
            con.deactivate()  # a fixing (option, fixed_until, do-nothing) overrides a rule, as in a normal solve
            continue
        lo, hi = compute_bounds_on_expr(con.body)
        lo = -1e12 if lo is None else lo
        hi = 1e12 if hi is None else hi
        need_lo = con.lb - lo if con.lb is not None else 0.0
        need_hi = hi - con.ub if con.ub is not None else 0.0
        if need_lo <= 1e-9 and need_hi <= 1e-9:
            continue  # can never be violated
        groups[i] = (family, where)
        if need_lo > 1e-9:
            big_m[i, "lo"] = need_lo
            members[i].append((i, "lo"))
        if need_hi > 1e-9:
            big_m[i, "hi"] = need_hi
            members[i].append((i, "hi"))
        rows[i] = con
    m.slack = pyo.Var(list(big_m), bounds=lambda _, i, side: (0, big_m[i, side]))
    m.elastic = pyo.ConstraintList()
    for i, con in rows.items():
        e = con.body + (m.slack[i, "lo"] if (i, "lo") in m.slack else 0) - (
            m.slack[i, "hi"] if (i, "hi") in m.slack else 0)
        m.elastic.add(e == con.lb if con.equality else (con.lb, e, con.ub))
        con.deactivate()
    if unmet_relaxable:
        for (zi, k, t) in m.unmet:
            members["access", k, t].append((zi, k, t))
            groups["access", k, t] = ("access", {"service": k, "t": t})
    m.relaxed = pyo.Var(range(len(groups)), domain=pyo.Binary)
    el = Elastic(built, groups, dict(members), big_m, unmet_relaxable, rows, {g: j for j, g in enumerate(groups)})
    for g, keys in members.items():
        for key in keys:
            if _is_access(g):
                m.elastic.add(m.unmet[key] <= el.relaxed(g))
            else:
                m.elastic.add(m.slack[key] <= big_m[key] * el.relaxed(g))
    return el


def _is_access(g: Any) -> bool:
    return isinstance(g, tuple) and g[0] == "access"


def _count_expr(el: Elastic) -> Any:
    """Phase 1: W per relaxed item plus its tier, W larger than any tier sum, so the count comes first."""
    w = 5 * len(el.groups) + 1
    return sum((w + FAMILIES[fam].tier) * el.relaxed(g) for g, (fam, _) in el.groups.items())


def _size_expr(el: Elastic) -> Any:
    """Phase 2: the relaxations' size, one per user unit (£m, site, bed, zone, percentage point...)."""
    m, inst = el.built.model, el.built.inst
    pop = float(inst.population.sum())
    out = 0
    for g, keys in el.members.items():
        fam = el.groups[g][0]
        if _is_access(g):
            out = out + sum(m.unmet[key] for key in keys)
            continue
        per = pop / 100 if fam == "coverage" else FAMILIES[fam].per
        out = out + sum(m.slack[key] for key in keys) / per
    return out


def diagnose(inst: Instance, option: str | None = None, do_nothing_cost: float | None = None,
             time_limit: float | None = None) -> dict[str, Any]:
    """The smallest set of relaxations that makes the scenario feasible, each in plain English with its size."""
    started = time.perf_counter()
    sc = inst.scenario
    budget = time_limit if time_limit is not None else (sc.solver.time_limit or DEFAULT_SECONDS)
    note = ""
    if sc.constraints.savings_target_gbp_k is not None and do_nothing_cost is None and option != "do_nothing":
        _, dn = solve_instance(inst, fix="do_nothing", time_limit=budget / 3)
        if dn.values:
            do_nothing_cost = dn.values["recurrent_cost_by_year"][sc.constraints.savings_year]
        else:
            option = "do_nothing"
            note = ("The savings target is measured against do-nothing, but do-nothing itself is infeasible; this "
                    "diagnoses the do-nothing case.")
    t0 = time.perf_counter()
    el = build_elastic(inst, option, do_nothing_cost)
    m = el.built.model
    build_seconds = time.perf_counter() - t0
    left = budget - (time.perf_counter() - started)
    opts = {**sc.solver.options, "mip_abs_gap": 0.5}
    count = _count_expr(el)
    m.obj = pyo.Objective(expr=count, sense=pyo.minimize)
    first = _solve_once(m, max(left * 0.7, 1.0), 0.0, opts, sc.solver.threads)
    out: dict[str, Any] = {"scenario": sc.name, "option": option, "note": note, "relaxations": [],
                           "explanation": [], "build_seconds": round(build_seconds, 3)}
    if first.objective is None:
        out["status"] = "time_limit" if first.status == "time_limit" else "unexplained"
        out["explanation"] = [_no_answer(first.status, budget)]
        out["solve_seconds"] = round(time.perf_counter() - started - build_seconds, 3)
        return out
    smallest = first.status == "optimal"
    if first.objective > 0.5:
        m.del_component(m.obj)
        m.keep_count = pyo.Constraint(expr=count <= first.objective + 0.5)
        m.obj = pyo.Objective(expr=_size_expr(el), sense=pyo.minimize)
        left = budget - (time.perf_counter() - started)
        second = _solve_once(m, max(left, 1.0), 1e-6, sc.solver.options, sc.solver.threads)
        if second.objective is None:  # keep phase 1's answer
            m.del_component(m.obj)
            m.del_component(m.keep_count)
            m.obj = pyo.Objective(expr=count, sense=pyo.minimize)
            first = _solve_once(m, max(budget - (time.perf_counter() - started), 1.0), 0.0, opts, sc.solver.threads)
            smallest = smallest and first.status == "optimal"
        elif second.status != "optimal":
            smallest = False
    out["relaxations"] = _relaxations(el, do_nothing_cost)
    out["status"] = "infeasible" if out["relaxations"] else "feasible"
    out["smallest"] = smallest
    out["explanation"] = _sentences(el, out["relaxations"]) if out["relaxations"] else [
        "The scenario is feasible: nothing needs relaxing."]
    if out["relaxations"] and not smallest:
        out["explanation"].append("(The search stopped at its time limit: a smaller set of relaxations may exist.)")
    out["solve_seconds"] = round(time.perf_counter() - started - build_seconds, 3)
    return out


def diagnose_after_solve(inst: Instance, option: str | None, baseline: Outcome, time_limit: float | None
                         ) -> dict[str, Any]:
    """The diagnosis `reconfig solve` runs by itself on an infeasible scenario: at most DEFAULT_SECONDS, measured
    against the do-nothing cost the solve already has."""
    sc = inst.scenario
    limit = min(time_limit or sc.solver.time_limit or DEFAULT_SECONDS, DEFAULT_SECONDS)
    dn = None
    if sc.constraints.savings_target_gbp_k is not None and baseline.values:
        dn = baseline.values["recurrent_cost_by_year"][sc.constraints.savings_year]
    return diagnose(inst, option, dn, limit)


def _no_answer(status: str, budget: float) -> str:
    if status == "time_limit":
        return (f"No set of relaxations was found within {budget:.0f} s; run `reconfig diagnose` with a longer "
                "--time-limit.")
    return ("Even with every limit, target and rule relaxed the scenario is infeasible: the conflict lies in fixed "
            "decisions (the named option, fixed_until) or in scheme start windows and lead times.")


# --- reading the answer -------------------------------------------------------------------------------------------

def _v(e: Any) -> float:
    return float(pyo.value(e)) if not isinstance(e, (int, float)) else float(e)


def _relaxations(el: Elastic, do_nothing_cost: float | None) -> list[dict[str, Any]]:
    m, inst = el.built.model, el.built.inst
    out = []
    for g, keys in el.members.items():
        family, where = el.groups[g]
        if _is_access(g):
            zones = [zi for zi, _, _ in keys if _v(m.unmet[zi, where["service"], where["t"]]) > 1e-6]
            if not zones:
                continue
            size = float(len(zones))
            extra: dict[str, Any] = {"zones": [inst.zones[zi] for zi in zones],
                                     "population": float(sum(inst.population[zi] for zi in zones))}
        else:
            size = sum(_v(m.slack[key]) for key in keys)
            if size <= 1e-6 * max(1.0, max(el.big_m[key] for key in keys)):
                continue
            extra = {}
        row = el.rows[g] if not _is_access(g) else None
        item: dict[str, Any] = {"family": family, **_plain(where, inst), "size": _round(size), **extra}
        item["unit"] = (inst.system["services"].set_index("service_id").loc[where["service"], "demand_unit"]
                        if family in ("min_volume", "max_volume") else FAMILIES[family].unit)
        if row is not None:
            item["limit"] = _limit(family, where, inst, do_nothing_cost)
            if family == "bed_capacity":
                item["beds_needed"] = _round(sum(_v(m.beds[b, s, t]) for (b, s, t) in m.beds
                                                 if s == where["site"] and t == where["t"]))
                item["bed_types"] = sorted({b for (b, s, t) in m.beds if s == where["site"] and t == where["t"]
                                            and _v(m.beds[b, s, t]) > 0.5})
        item["_t"] = where.get("t", -1)
        out.append(item)
    out.sort(key=lambda r: (FAMILIES[r["family"]].tier, r["family"], r["_t"], str(r.get("site")),
                            str(r.get("service"))))
    for r in out:
        r.pop("_t")
    return out


def _round(v: float) -> float:
    return float(round(v, 6))


def _plain(where: dict, inst: Instance) -> dict[str, Any]:
    """Label fields for JSON: year labels instead of indices, NaN as None."""
    out: dict[str, Any] = {}
    for k, v in where.items():
        if isinstance(v, float) and math.isnan(v):
            v = None
        if k in ("t", "sold"):
            out["year" if k == "t" else "sold_from"] = inst.years[v]
        else:
            out[k] = v
    return out


def _limit(family: str, where: dict, inst: Instance, dn: float | None) -> float | None:
    """The limit as the user stated it (for the sentences and the JSON)."""
    c = inst.scenario.constraints
    if family == "capital_limit":
        return c.capital_limit_gbp_k[inst.years[where["t"]]]
    if family == "capital_total":
        return c.capital_total_gbp_k
    if family == "funding":
        return inst.funding_year.get((where["source"], inst.years[where["t"]]), 0.0)
    if family == "funding_total":
        return inst.funding_total[where["source"]]
    if family == "savings":
        return c.savings_target_gbp_k
    svc = inst.services.get(where.get("service", ""))
    if family in ("min_sites", "max_sites", "min_volume", "max_volume") and svc is not None:
        return getattr(svc, family)
    if family == "coverage" and svc is not None:
        return svc.coverage_share
    if family == "ward_changes":
        return c.max_ward_changes_per_year
    if family == "bed_capacity":
        return float(inst.site_info.loc[where["site"], "bed_capacity"])
    return None


# --- plain English --------------------------------------------------------------------------------------------------

def money(gbp_k: float) -> str:
    """£000 in words: £12.3m, £450k, £800, −£5.0m."""
    if gbp_k < 0:
        return "−" + money(-gbp_k)
    if abs(gbp_k) >= 1000:
        return f"£{gbp_k / 1000:,.1f}m"
    if abs(gbp_k) >= 1:
        return f"£{gbp_k:,.0f}k"
    return f"£{gbp_k * 1000:,.0f}"


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-6 or abs(v) >= 100 else f"{v:,.1f}"


def year_span(labels: list[str], years: list[str]) -> str:
    """'in 2018/19', 'in 2018/19 and 2019/20', 'from 2018/19 to 2020/21' (consecutive years merged)."""
    idx = sorted(years.index(y) for y in labels)
    runs: list[list[int]] = []
    for i in idx:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    parts = [p for r in runs for p in ([years[i] for i in r] if len(r) < 3 else [f"{years[r[0]]} to {years[r[-1]]}"])]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return ("from " if len(runs) == 1 and len(runs[0]) > 2 else "in ") + text


class _Names:
    def __init__(self, inst: Instance):
        self.inst = inst
        sys_ = inst.system
        self.sites = {s: str(inst.site_info.loc[s, "name"] or s) for s in inst.sites}
        self.funds = dict(zip(sys_["funding"]["funding_id"], sys_["funding"]["name"], strict=True))
        self.schemes = dict(zip(sys_["schemes"]["scheme_id"], sys_["schemes"]["name"], strict=True))

    def service(self, k: str | None) -> str:
        return self.inst.services[k].name if k in self.inst.services else str(k)

    def site(self, s: str | None) -> str:
        return self.sites.get(s, str(s))

    def fund(self, f: str) -> str:
        return str(self.funds.get(f) or f)

    def scheme(self, c: str) -> str:
        return str(self.schemes.get(c) or c)


def earliest_year(inst: Instance, k: str, s: str) -> int | None:
    """First year index in which site s could provide service k (today, or once an enabling scheme is done)."""
    if (k, s) in inst.base_can:
        return 0
    ts = [sch.earliest + sch.lead for sch in inst.schemes.values() if (k, s) in sch.enables]
    return min(ts) if ts else None


def _can_host_reason(inst: Instance, names: _Names, k: str, s: str, t: int) -> str | None:
    first = earliest_year(inst, k, s)
    if first is None:
        return f"{names.site(s)} can never provide {names.service(k)}"
    if first > t:
        when = inst.years[first] if first < len(inst.years) else f"after {inst.years[-1]}"
        return f"no {names.service(k)} can be provided at {names.site(s)} before {when}"
    return None


def _sentences(el: Elastic, relax: list[dict[str, Any]]) -> list[str]:
    """One sentence per relaxation; yearly rule relaxations of the same item are merged."""
    inst = el.built.inst
    names = _Names(inst)
    merged: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    order = []
    for r in relax:
        if FAMILIES[r["family"]].tier in (2, 4):  # the same rule or scheme in several years: one sentence
            key: tuple = tuple((k, str(v)) for k, v in r.items() if k not in ("year", "size", "limit"))
        else:
            key = (id(r),)
        if key not in merged:
            order.append(key)
        merged[key].append(r)
    return [_sentence(el, names, merged[key]) for key in order]


def _sentence(el: Elastic, names: _Names, rs: list[dict[str, Any]]) -> str:
    inst = el.built.inst
    r = rs[0]
    fam, size = r["family"], r["size"]
    yr = r.get("year")
    when = year_span([x["year"] for x in rs], inst.years) if yr else ""
    svc, site = names.service(r.get("service")), names.site(r.get("site"))
    lim = r.get("limit")
    t = inst.years.index(yr) if yr else None
    if fam == "capital_limit":
        return (f"Capital in {yr} is {money(size)} short of what the plan needs: the limit is {money(lim)} net of "
                f"disposal receipts, the plan needs at least {money(lim + size)}.")
    if fam == "capital_total":
        return (f"Capital over the horizon is {money(size)} short: the total limit is {money(lim)}, the plan needs "
                f"at least {money(lim + size)}.")
    if fam == "funding":
        return (f"{names.fund(r['source'])} in {yr} is {money(size)} short of what the plan needs "
                f"({money(lim)} available{' plus disposal receipts' if r['source'] in _receipt_sources(inst) else ''}"
                f").")
    if fam == "funding_total":
        return f"{names.fund(r['source'])} over the horizon is {money(size)} short ({money(lim)} available in all)."
    if fam == "savings":
        return (f"The savings target of {money(lim)} a year in {yr} is {money(size)} out of reach: against "
                f"do-nothing the plan can save at most {money(lim - size)} a year then.")
    if fam == "min_sites":
        return f"{svc} needs at least {lim:.0f} sites in {yr} but only {_num(lim - size)} can be open."
    if fam == "max_sites":
        return f"{svc} may run at no more than {lim:.0f} sites in {yr}, but {_num(lim + size)} are needed."
    if fam == "min_volume":
        return (f"{svc} at {site} in {yr} is {_num(size)} {r['unit']} short of its minimum volume of "
                f"{_num(lim)}.")
    if fam == "max_volume":
        return f"{svc} at {site} in {yr} needs {_num(size)} {r['unit']} more than its maximum volume of {_num(lim)}."
    if fam == "bed_capacity":
        types = " and ".join(b.replace("_", " ") for b in r.get("bed_types", [])) or "The"
        types = types[0].upper() + types[1:]
        return (f"{types} beds at {site} need {_num(size)} more beds than the site can hold in {yr} "
                f"(it holds {_num(r['beds_needed'] - size)}).")
    if fam == "ward_changes":
        return f"{_num(size)} more ward changes than the limit of {_num(lim)} are needed in {yr}."
    if fam == "coverage":
        pop = float(inst.population.sum())
        m_ = inst.services[r["service"]].coverage_minutes
        return (f"Only {100 * (lim - size / pop):.1f} % of the population can be within {m_:g} minutes of {svc} in "
                f"{yr}, short of the {100 * lim:.1f} % required.")
    if fam == "access":
        return _access_sentence(el, names, r)
    row = f" (rules.csv row {r['row']})" if r.get("row") is not None else ""
    if fam == "requires":
        why = _can_host_reason(inst, names, r["other"], r["site"], t)
        return (f"{svc} at {site} needs {names.service(r['other'])} on site {when}, but "
                f"{why or 'the plan cannot also provide it there then'}{row}.")
    if fam == "excludes":
        return (f"{svc} and {names.service(r['other'])} may not share a site{row}, but both are needed at {site} "
                f"{when}.")
    if fam == "must":
        why = _can_host_reason(inst, names, r["service"], r["site"], t)
        return f"{svc} must run at {site} {when}{row}, but {why or 'that cannot be combined with the rest'}."
    if fam == "must_any":
        return f"{svc} must run somewhere {when}{row}, but no site can provide it then."
    if fam == "forbid":
        return f"{svc} is forbidden at {site} {when}{row}, but the plan needs it there."
    if fam == "mandatory":
        sch = inst.schemes[r["scheme"]]
        window = f"{inst.years[sch.earliest]} to {inst.years[min(sch.latest, len(inst.years) - 1)]}"
        return f"Scheme '{names.scheme(r['scheme'])}' is mandatory but cannot be started in its window ({window})."
    if fam == "prerequisite":
        how = "finished before it starts" if r["kind"] == "start_after_done" else "finished with it"
        return (f"Scheme '{names.scheme(r['scheme'])}' needs '{names.scheme(r['requires'])}' {how}, but is needed "
                f"{when} before that can happen.")
    if fam == "enablement":
        enablers = [names.scheme(c) for c, sch in inst.schemes.items() if (r["service"], r["site"]) in sch.enables]
        return (f"{svc} is needed at {site} {when}, before a scheme that enables it there "
                f"({', '.join(enablers)}) can be finished.")
    if fam == "vacate":
        what = svc if r.get("service") else "the whole site"
        return (f"Disposal '{r['disposal']}' sold from {r['sold_from']} needs {what} to leave {site}, but the plan "
                f"needs it there {when}.")
    if fam == "disposal_scheme":
        return (f"Disposal '{r['disposal']}' {when} needs scheme '{names.scheme(r['scheme'])}' finished first, and "
                f"it cannot be.")
    return f"{fam} {r}"


def _receipt_sources(inst: Instance) -> set[str]:
    d = inst.disposals
    return {f for f in d["funding_id"] if isinstance(f, str) and f} if "funding_id" in d else set()


def _access_sentence(el: Elastic, names: _Names, r: dict[str, Any]) -> str:
    m, inst = el.built.model, el.built.inst
    k, yr = r["service"], r["year"]
    t = inst.years.index(yr)
    svc = inst.services[k]
    zs = r["zones"]
    zone_names = dict(zip(inst.system["zones"]["zone_id"], inst.system["zones"]["name"], strict=True)) \
        if "name" in inst.system["zones"] else {}
    listed = ", ".join(str(zone_names.get(z) or z) for z in zs[:5]) + (f" and {len(zs) - 5} more" if len(zs) > 5
                                                                        else "")
    limit = f" within {svc.max_minutes:g} minutes" if svc.max_minutes is not None else ""
    head = (f"{len(zs)} zone{'s' if len(zs) > 1 else ''} ({listed}; population {r['population']:,.0f}) "
            f"{'have' if len(zs) > 1 else 'has'} no open {svc.name} site{limit} in {yr}")
    tt = inst.tt(k)
    reach = sorted({s for z in zs for s in inst.sites
                    if math.isfinite(tt.at[z, s]) and (svc.max_minutes is None or tt.at[z, s] <= svc.max_minutes)})
    reasons = []
    for s in reach:
        why = _can_host_reason(inst, names, k, s, t)
        if why is None and (k, s, t) in m.y and m.y[k, s, t].fixed:
            why = f"{names.site(s)} is fixed without it in {yr}"
        if why is None:
            forb = [w for _, _, w in labelled_rows(el.built, {"forbid"}) if w["service"] == k
                    and w["site"] == s and w["t"] == t]
            if forb:
                why = f"it is forbidden at {names.site(s)} (rules.csv row {forb[0]['row']})"
        reasons.append(why or f"{names.site(s)} cannot provide it alongside the other requirements")
    if not reach:
        return head + ": no site within reach can ever provide it."
    return head + ": " + "; ".join(reasons) + "."
