"""The Pyomo formulation (docs/formulation.md): configuration, beds, capital phasing, funding, disposals.

Services that use beds or have volume limits get explicit assignment variables x[z,k,s,t]. Services
without them are uncapacitated: every zone uses its nearest open site, so their travel terms use the
radius formulation (sorted distinct travel times per zone, one continuous variable per level), which is
exact, far smaller than x, and has the same LP bound.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from reconfig import radius
from reconfig.errors import InputError, Problem
from reconfig.instance import Instance
from reconfig.roles import add_role_constraints

TRAVEL_OBJECTIVES = ("travel", "max_travel")


@dataclass
class Built:
    """A Pyomo model plus what is needed to read its solution."""

    model: pyo.ConcreteModel
    inst: Instance
    assign_services: list[str]
    radius_services: list[str]
    pairs: dict[tuple[str, int], list[tuple[int, str]]]  # (service, t) -> [(zone index, site)]
    add: object = None
    labels: dict[int, tuple[str, dict]] = field(default_factory=dict)  # cons index -> (family, where): _adder
    objective_terms: dict[str, object] = field(default_factory=dict)
    recurrent: dict[int, object] = field(default_factory=dict)
    spend: dict[int, object] = field(default_factory=dict)
    proceeds: dict[int, object] = field(default_factory=dict)
    npv: object = None
    chains: radius.RadiusChains | None = None  # lazily built radius chains (travel objectives)


def _adder(cons: pyo.ConstraintList, labels: dict[int, tuple[str, dict]]):
    """ConstraintList.add that tolerates relations between constants (True: skip; False: infeasible).

    `family` and `where` (t = year index, site, service, ...) label the rows a user can relax or price
    (reconfig.diagnose, reconfig.marginal); only the small families are labelled, never per-zone rows.
    """

    def add(expr: object, family: str | None = None, **where: object) -> None:
        if expr is True:
            return
        row = cons.add(pyo.Constraint.Infeasible if expr is False else expr)
        if family:
            labels[row.index()] = (family, where)

    return add


def _wanted(inst: Instance) -> set[str]:
    o = inst.scenario.objective
    return {k for k, w in o.weights.items() if w} | set(o.lexicographic)


def build_model(inst: Instance, fix: str | None = None, do_nothing_cost: float | None = None,
                elastic: bool = False) -> Built:
    """Build the MILP. `fix` names an option from options.csv or 'do_nothing'. `elastic` (reconfig.diagnose)
    states must/forbid rules as labelled rows instead of fixings, so that they can be relaxed."""
    sc = inst.scenario
    T = list(range(len(inst.years)))
    nT = len(T)
    m = pyo.ConcreteModel(name=sc.name)
    wanted = _wanted(inst)
    travel_wanted = bool(wanted & set(TRAVEL_OBJECTIVES))
    active = [k for k, s in inst.services.items()
              if inst.demand[k].sum() > 0 and any((k, st) in inst.hostable for st in inst.sites)]
    idle = [k for k in inst.services if k not in active]
    assign = [k for k in active if inst.services[k].bed_type or inst.services[k].min_volume is not None
              or inst.services[k].max_volume is not None or inst.services[k].single_source
              or sc.constraints.allow_unmet  # unmet demand is priced only through assignment variables
              or k in inst.roles.anchors()]  # role catchment bands are measured on assignment
    radius = [k for k in active if k not in assign]

    # --- configuration ---
    ykeys = [(k, s, t) for k in active for s in inst.sites if (k, s) in inst.hostable for t in T]
    m.y = pyo.Var(ykeys, domain=pyo.Binary)
    # open[s,t] only where it matters: a fixed cost, a whole-site sale or monotone closures
    whole_sale = {r.site_id for r in inst.disposals.itertuples() if "*" in r.vacates}
    fixed = inst.site_info["fixed_cost_gbp_k"].astype(float)
    with_open = [s for s in inst.sites
                 if fixed[s] > 0 or s in whole_sale or sc.constraints.monotone_closures]
    m.open = pyo.Var([(s, t) for s in with_open for t in T], domain=pyo.Binary)
    m.cons = pyo.ConstraintList()
    labels: dict[int, tuple[str, dict]] = {}
    add = _adder(m.cons, labels)
    hosts: dict[str, list[str]] = {k: [s for s in inst.sites if (k, s) in inst.hostable] for k in active}
    for (k, s, t) in ykeys:
        if (s, t) in m.open:
            add(m.y[k, s, t] <= m.open[s, t])

    # --- schemes ---
    starts = [(c, t) for c, sch in inst.schemes.items() for t in T if sch.earliest <= t <= sch.latest]
    m.start = pyo.Var(starts, domain=pyo.Binary)
    start_of = defaultdict(list)
    for c, t in starts:
        start_of[c].append(t)

    def done(c: str, t: int):
        lead = inst.schemes[c].lead
        return sum(m.start[c, tau] for tau in start_of[c] if tau <= t - lead)

    for c, sch in inst.schemes.items():
        total = sum(m.start[c, t] for t in start_of[c])
        if sch.mandatory:
            add(total == 1, "mandatory", scheme=c)
        elif start_of[c]:
            add(total <= 1)
    groups = defaultdict(list)
    for c, sch in inst.schemes.items():
        if sch.group:
            groups[sch.group].append(c)
    for cs in groups.values():
        add(sum(m.start[c, t] for c in cs for t in start_of[c]) <= 1)
    for c2, c1, kind in inst.prereqs:
        for t in T:
            if kind == "start_after_done":
                if (c2, t) in m.start:
                    add(m.start[c2, t] <= done(c1, t), "prerequisite", scheme=c2, requires=c1, kind=kind, t=t)
            else:
                add(done(c2, t) <= done(c1, t), "prerequisite", scheme=c2, requires=c1, kind=kind, t=t)
    horizon_end = nT + max((max(s.profile, default=0) for s in inst.schemes.values()), default=0)
    spend = {t: sum(m.start[c, tau] * sch.profile.get(t - tau, 0.0)
                    for c, sch in inst.schemes.items() for tau in start_of[c] if sch.profile.get(t - tau))
             for t in range(horizon_end)}
    scheme_spend = {(c, t): sum(m.start[c, tau] * sch.profile.get(t - tau, 0.0) for tau in start_of[c]
                                if sch.profile.get(t - tau))
                    for c, sch in inst.schemes.items() for t in T}

    # --- service enablement ---
    enablers = defaultdict(list)
    for c, sch in inst.schemes.items():
        for (k, s) in sch.enables:
            enablers[k, s].append(c)
    for (k, s, t) in ykeys:
        if (k, s) not in inst.base_can:
            add(m.y[k, s, t] <= sum(done(c, t) for c in enablers[k, s]), "enablement", service=k, site=s, t=t)

    # --- assignment ---
    unmet_ok = sc.constraints.allow_unmet
    pairs: dict[tuple[str, int], list[tuple[int, str]]] = {}
    xkeys = []
    col = inst.site_col
    for k in assign:
        svc = inst.services[k]
        tt = inst.tt(k).reindex(index=inst.zones, columns=hosts[k]).to_numpy()
        reach = np.isfinite(tt) & (tt <= (svc.max_minutes if svc.max_minutes is not None else np.inf))
        host_names = np.array(hosts[k], dtype=object)
        for t in T:
            zs, js = np.nonzero(reach & (inst.demand[k][:, t] > 0)[:, None])
            lst = list(zip(zs.tolist(), host_names[js].tolist(), strict=True))
            pairs[k, t] = lst
            xkeys += [(zi, k, s, t) for zi, s in lst]
    binary_x = {k for k in assign if inst.services[k].single_source or "max_travel" in wanted}
    m.x = pyo.Var(xkeys, bounds=(0, 1))
    for key in xkeys:
        if key[1] in binary_x:
            m.x[key].domain = pyo.Binary
    m.unmet = pyo.Var([(zi, k, t) for k in assign for t in T for zi in np.nonzero(inst.demand[k][:, t] > 0)[0]]
                      if unmet_ok else [], bounds=(0, 1))
    by_zone = defaultdict(list)
    for (zi, k, s, t) in xkeys:
        by_zone[zi, k, t].append(s)
        add(m.x[zi, k, s, t] <= m.y[k, s, t])
    for k in assign:
        for t in T:
            for zi in np.nonzero(inst.demand[k][:, t] > 0)[0]:
                zi = int(zi)
                lhs = sum(m.x[zi, k, s, t] for s in by_zone[zi, k, t])
                if unmet_ok:
                    add(lhs + m.unmet[zi, k, t] == 1)
                elif not by_zone[zi, k, t]:
                    raise InputError([Problem(
                        "services.csv", f"zone '{inst.zones[zi]}' has no site able to provide '{k}' within "
                        f"{inst.services[k].max_minutes} minutes", column="access_max_minutes", value=k)])
                else:
                    add(lhs == 1)
    at_site = defaultdict(list)
    for (zi, k, s, t) in xkeys:
        at_site[k, s, t].append(float(inst.demand[k][zi, t]) * m.x[zi, k, s, t])
    load = {(k, s, t): sum(at_site[k, s, t]) for k in assign for s in hosts[k] for t in T}
    # closest assignment (emergency services): nothing nearer may be open and unused
    for k in assign:
        if not inst.services[k].closest:
            continue
        tt = inst.tt(k).reindex(index=inst.zones, columns=inst.sites).to_numpy()
        for t in T:
            for zi, s in pairs[k, t]:
                d = tt[zi, col[s]]
                near = [s2 for s2 in by_zone[zi, k, t] if tt[zi, col[s2]] <= d]
                add(sum(m.x[zi, k, s2, t] for s2 in near) >= m.y[k, s, t])

    # reachability for radius services (each zone with demand needs an open site within reach)
    for k in radius:
        svc = inst.services[k]
        tt = inst.tt(k).reindex(index=inst.zones, columns=hosts[k]).to_numpy()
        reach = np.isfinite(tt) & (tt <= (svc.max_minutes if svc.max_minutes is not None else np.inf))
        for t in T:
            rows = reach[inst.demand[k][:, t] > 0]
            if not rows.any(axis=1).all():
                zi = int(np.nonzero((inst.demand[k][:, t] > 0) & ~reach.any(axis=1))[0][0])
                raise InputError([Problem(
                    "services.csv", f"zone '{inst.zones[zi]}' has no site able to provide '{k}' within "
                    f"{svc.max_minutes} minutes", column="access_max_minutes", value=k)])
            for ok in np.unique(rows, axis=0):  # one row per distinct set of reachable sites
                add(sum(m.y[k, hosts[k][j], t] for j in np.nonzero(ok)[0]) >= 1)

    # --- demand schemes ---
    ds = inst.demand_schemes
    dkeys = [(r.scheme_id, t) for r in ds.drop_duplicates("scheme_id").itertuples() for t in T]
    m.dstart = pyo.Var(dkeys, domain=pyo.Binary)
    eff = {}
    for r in ds.drop_duplicates("scheme_id").itertuples():
        d = r.scheme_id
        add(sum(m.dstart[d, t] for t in T) <= 1 if not r.mandatory else sum(m.dstart[d, t] for t in T) == 1)
        for t in T:
            eff[d, t] = sum(m.dstart[d, tau] for tau in T if tau <= t - int(r.effect_lag_years))
    rkeys = []
    rate = {}
    for r in ds.itertuples():
        ks = [k for k in assign if inst.services[k].bed_type] if r.service_id == "*" else [r.service_id]
        for k in ks:
            if k in assign:
                rate[r.scheme_id, k] = float(r.reduction_pct) / 100
                rkeys += [(r.scheme_id, k, s, t) for s in hosts[k] for t in T]
    m.red = pyo.Var(rkeys, domain=pyo.NonNegativeReals)
    reductions = defaultdict(list)  # (service, site, year) -> bed-demand reductions there
    for (d, k, s, t) in rkeys:
        reductions[k, s, t].append(m.red[d, k, s, t])
        add(m.red[d, k, s, t] <= rate[d, k] * load[k, s, t])
        add(m.red[d, k, s, t] <= rate[d, k] * float(inst.demand[k][:, t].sum()) * eff[d, t])
    _ramped_reductions(m, inst, add, rkeys, rate, load, T)

    # --- beds ---
    bt = inst.bed_types
    bkeys = sorted({(inst.services[k].bed_type, s) for k in assign if inst.services[k].bed_type for s in hosts[k]})
    m.beds = pyo.Var([(b, s, t) for b, s in bkeys for t in T], domain=pyo.NonNegativeIntegers)
    m.wards = pyo.Var([(b, s, t) for b, s in bkeys for t in T], domain=pyo.NonNegativeIntegers)
    added = defaultdict(list)
    for c, sch in inst.schemes.items():
        for s, n in sch.capacity.items():
            added[s].append((c, n))
    cap_s = inst.site_info["bed_capacity"].astype(float)
    for b, s in bkeys:
        ks = [k for k in assign if inst.services[k].bed_type == b and s in hosts[k]]
        occ = float(bt.loc[b, "occupancy"])
        size = int(bt.loc[b, "ward_size"])
        big = cap_s[s] + sum(max(n, 0) for _, n in added[s])
        for t in T:
            need = sum(inst.services[k].los * (load[k, s, t] - sum(reductions[k, s, t])) for k in ks)
            add(need <= 365 * occ * m.beds[b, s, t], "bed_days", bed_type=b, site=s, t=t)
            if sc.constraints.bed_granularity == "ward":
                add(m.beds[b, s, t] == size * m.wards[b, s, t])
            else:
                add(m.beds[b, s, t] <= size * m.wards[b, s, t])
            add(m.beds[b, s, t] <= big * sum(m.y[k, s, t] for k in ks), "bed_link", bed_type=b, site=s, t=t)
    for s in inst.sites:
        for t in T:
            here = [(b, s2) for b, s2 in bkeys if s2 == s]
            if here:
                add(sum(m.beds[b, s, t] for b, _ in here) <= cap_s[s] + sum(n * done(c, t) for c, n in added[s]),
                    "bed_capacity", site=s, t=t)
    if sc.constraints.max_ward_changes_per_year is not None:
        m.wchg = pyo.Var([(b, s, t) for b, s in bkeys for t in T], domain=pyo.NonNegativeReals)
        for b, s in bkeys:
            prev0 = math.ceil(inst.beds_today.get((b, s), 0) / int(bt.loc[b, "ward_size"]))
            for t in T:
                prev = m.wards[b, s, t - 1] if t else prev0
                add(m.wchg[b, s, t] >= m.wards[b, s, t] - prev)
                add(m.wchg[b, s, t] >= prev - m.wards[b, s, t])
        for t in T:
            add(sum(m.wchg[b, s, t] for b, s in bkeys) <= sc.constraints.max_ward_changes_per_year, "ward_changes",
                t=t)

    # --- volumes and counts ---
    for k in active:
        svc = inst.services[k]
        for t in T:
            if k in assign:
                for s in hosts[k]:
                    if svc.min_volume:
                        add(load[k, s, t] >= svc.min_volume * m.y[k, s, t], "min_volume", service=k, site=s, t=t)
                    if svc.max_volume is not None:
                        add(load[k, s, t] <= svc.max_volume * m.y[k, s, t], "max_volume", service=k, site=s, t=t)
            n = sum(m.y[k, s, t] for s in hosts[k])
            if svc.min_sites:
                add(n >= svc.min_sites, "min_sites", service=k, t=t)
            if svc.max_sites is not None:
                add(n <= svc.max_sites, "max_sites", service=k, t=t)

    # --- rules ---
    yv = m.y
    years = inst.years
    for r in inst.rules.itertuples():
        t0 = years.index(r.from_year) if r.from_year else 0
        t1 = years.index(r.to_year) if r.to_year else nT - 1
        sites = [r.site_id] if r.site_id else inst.sites
        rule = {"service": r.service_id, "other": r.other_service_id, "row": int(r._1)}
        for t in range(t0, t1 + 1):
            if r.rule == "requires":
                for s in sites:
                    if (r.service_id, s, t) in yv:
                        add(yv[r.service_id, s, t] <= (yv[r.other_service_id, s, t]
                                                       if (r.other_service_id, s, t) in yv else 0),
                            "requires", site=s, t=t, **rule)
            elif r.rule == "excludes":
                for s in sites:
                    if (r.service_id, s, t) in yv and (r.other_service_id, s, t) in yv:
                        add(yv[r.service_id, s, t] + yv[r.other_service_id, s, t] <= 1, "excludes", site=s, t=t,
                            **rule)
            elif r.rule == "forbid":
                for s in sites:
                    if (r.service_id, s, t) in yv:
                        if elastic:
                            add(yv[r.service_id, s, t] <= 0, "forbid", site=s, t=t, **rule)
                        else:
                            yv[r.service_id, s, t].fix(0)
            elif r.rule == "must":
                if r.site_id:
                    if (r.service_id, r.site_id, t) not in yv:
                        raise InputError([Problem(inst.system.files["rules"], f"'{r.service_id}' must run at "
                                                  f"'{r.site_id}' but that site can never host it", row=int(r._1))])
                    if elastic:
                        add(yv[r.service_id, r.site_id, t] >= 1, "must", site=r.site_id, t=t, **rule)
                    else:
                        yv[r.service_id, r.site_id, t].fix(1)
                else:
                    add(sum(yv[r.service_id, s, t] for s in hosts.get(r.service_id, [])) >= 1, "must_any", t=t,
                        **rule)

    # --- site roles (reconfig/roles.py) ---
    role_cost = add_role_constraints(m, inst, add, active, pairs, fix)

    # --- disposals ---
    dsp = inst.disposals
    sold_keys = []
    for r in dsp.itertuples():
        t0 = years.index(r.earliest_year) if r.earliest_year else 0
        sold_keys += [(r.disposal_id, t) for t in range(t0, nT)]
    m.sold = pyo.Var(sold_keys, domain=pyo.Binary)
    sold_t = defaultdict(list)
    for d, t in sold_keys:
        sold_t[d].append(t)
    proceeds = {t: 0.0 for t in T}
    receipts = defaultdict(float)
    for r in dsp.itertuples():
        d = r.disposal_id
        if not sold_t[d]:
            continue
        add(sum(m.sold[d, t] for t in sold_t[d]) <= 1)
        for t in T:
            soldby = sum(m.sold[d, tau] for tau in sold_t[d] if tau <= t)
            if isinstance(soldby, int):
                continue
            if "*" in r.vacates:
                add(m.open[r.site_id, t] + soldby <= 1, "vacate", disposal=d, site=r.site_id, t=t, sold=t)
            for k in r.vacates:
                for t2 in range(t, nT):
                    if (k, r.site_id, t2) in yv:
                        add(yv[k, r.site_id, t2] + soldby <= 1, "vacate", disposal=d, site=r.site_id, service=k,
                            t=t2, sold=t)
            if r.requires_scheme_id:
                add(soldby <= done(r.requires_scheme_id, t), "disposal_scheme", disposal=d,
                    scheme=r.requires_scheme_id, t=t)
            if (d, t) in m.sold:
                proceeds[t] = proceeds[t] + float(r.value_gbp_k) * m.sold[d, t]
                if r.funding_id:
                    receipts[r.funding_id, t] = receipts[r.funding_id, t] + float(r.value_gbp_k) * m.sold[d, t]

    # --- funding ---
    if inst.funding_year or inst.funding_total:
        fkeys = [(f, c, t) for f, cs in inst.eligible.items() for c in cs for t in T
                 if not isinstance(scheme_spend[c, t], (int, float))]
        m.fund = pyo.Var(fkeys, domain=pyo.NonNegativeReals)
        by_c = defaultdict(list)
        by_f = defaultdict(list)
        for f, c, t in fkeys:
            by_c[c, t].append(m.fund[f, c, t])
            by_f[f, t].append(m.fund[f, c, t])
        for (c, t), e in scheme_spend.items():
            if isinstance(e, (int, float)):
                continue
            add(sum(by_c[c, t]) == e)
        funders = {f for f, _ in inst.funding_year} | set(inst.funding_total) | {f for f, _ in receipts}
        for f in funders:
            yearly = any(f2 == f for f2, _ in inst.funding_year)
            for t in T:
                if not by_f[f, t]:
                    continue
                if yearly or (f, t) in receipts or any(f2 == f for f2, _ in receipts):
                    add(sum(by_f[f, t]) <= inst.funding_year.get((f, years[t]), 0.0) + receipts.get((f, t), 0.0),
                        "funding", source=f, t=t)
            if f in inst.funding_total:
                add(sum(v for t in T for v in by_f[f, t]) <= inst.funding_total[f], "funding_total", source=f)
    for label, limit in sc.constraints.capital_limit_gbp_k.items():
        t = years.index(label)
        add(spend.get(t, 0) - proceeds[t] <= limit, "capital_limit", t=t)
    if sc.constraints.capital_total_gbp_k is not None:
        add(sum(spend.get(t, 0) for t in T) - sum(proceeds.values()) <= sc.constraints.capital_total_gbp_k,
            "capital_total")

    # --- stability and consultation ---
    if sc.constraints.fixed_until:
        for t in range(years.index(sc.constraints.fixed_until)):
            for (k, s, t2) in ykeys:
                if t2 == t:
                    m.y[k, s, t].fix(1 if (k, s) in inst.today else 0)
            for d in sold_t:
                if (d, t) in m.sold:
                    m.sold[d, t].fix(0)
    if sc.constraints.monotone_closures:
        for s in with_open:
            if inst.site_info.loc[s, "open_today"]:
                for t in T[1:]:
                    add(m.open[s, t] <= m.open[s, t - 1])

    # --- recurrent cost by year (£000) ---
    rate_cc = sc.finance.capital_charge_rate
    recurrent = {}
    for t in T:
        site_fixed = sum(float(fixed[s]) * m.open[s, t] for s in with_open)
        svc_fixed = sum(inst.services[k].fixed_cost * m.y[k, s, t2] for (k, s, t2) in ykeys if t2 == t)
        beds_cost = sum(float(bt.loc[b, "cost_per_bed_gbp_k"]) * m.beds[b, s, t]
                        + float(bt.loc[b, "cost_per_ward_gbp_k"] or 0) * m.wards[b, s, t] for b, s in bkeys)
        variable = sum(inst.services[k].variable_cost_gbp / 1000 * float(inst.demand[k][:, t].sum()) for k in active)
        charges = rate_cc * sum(spend.get(tau, 0) for tau in T if tau <= t)
        savings = sum(sch.saving * done(c, t) for c, sch in inst.schemes.items() if sch.saving)
        dcost = 0
        for r in ds.drop_duplicates("scheme_id").itertuples():
            dcost = dcost + float(r.recurrent_cost_gbp_k or 0) * eff[r.scheme_id, t] + sum(
                m.dstart[r.scheme_id, tau] * inst.dscheme_costs.get(r.scheme_id, {}).get(t - tau, 0.0)
                for tau in T if tau <= t)
        recurrent[t] = site_fixed + svc_fixed + beds_cost + variable + charges - savings + dcost + role_cost[t]
    if sc.constraints.savings_target_gbp_k is not None and do_nothing_cost is not None and fix != "do_nothing":
        t = years.index(sc.constraints.savings_year)
        add(recurrent[t] <= do_nothing_cost - sc.constraints.savings_target_gbp_k, "savings", t=t)

    r_ = sc.finance.discount_rate
    df = [1 / (1 + r_) ** t for t in range(max(horizon_end, nT + sc.finance.steady_state_years))]
    npv = sum(df[t] * (spend.get(t, 0) - proceeds[t] + recurrent[t]) for t in T)
    npv += sum(df[t] * spend.get(t, 0) for t in range(nT, horizon_end))
    npv += sum(df[t] for t in range(nT, nT + sc.finance.steady_state_years)) * recurrent[nT - 1]
    penalty = sc.constraints.unmet_penalty_gbp_k * sum(
        float(inst.demand[k][zi, t]) * m.unmet[zi, k, t] for (zi, k, t) in m.unmet) if unmet_ok else 0

    built = Built(m, inst, assign, radius, pairs, add, recurrent=recurrent, spend=spend, proceeds=proceeds, npv=npv)
    built.labels = labels
    terms = built.objective_terms
    terms["npv_cost"] = npv
    terms["capital"] = sum(spend.values())  # gross capital of schemes started, incl. spend falling after the horizon
    terms["savings"] = recurrent[nT - 1] if sc.constraints.savings_year is None else recurrent[
        years.index(sc.constraints.savings_year)]  # recurrent cost minimised = saving against do-nothing maximised
    terms["change"] = sum((1 - m.y[k, s, t]) if (k, s) in inst.today else m.y[k, s, t] for (k, s, t) in ykeys)
    if travel_wanted:
        _travel_terms(built, hosts, T, wanted)
    if "coverage" in wanted:
        _coverage_term(built, hosts, T)
    _coverage_constraints(built, hosts, T)
    built.objective_terms["_penalty"] = penalty
    _apply_fixings(built, fix, ykeys, starts, dkeys, sold_keys, idle)
    return built


def _ramped_reductions(m: pyo.ConcreteModel, inst: Instance, add, rkeys, rate, load, T: list[int]) -> None:
    """Demand schemes with a ramp (demand_scheme_ramp): in year t a scheme started in τ removes at most
    share(t − τ − lag) of its full reduction. Exact by start year: red ≤ Σ_τ r[τ], r[τ] ≤ share·rate·load and
    r[τ] ≤ share·rate·demand·start[τ] (a scheme starts at most once)."""
    ramp = inst.system["demand_scheme_ramp"]
    if ramp.empty:
        return
    shares: dict[str, dict[int, float]] = defaultdict(dict)
    for r in ramp.itertuples():
        shares[r.scheme_id][int(r.year_offset)] = float(r.share_pct) / 100
    lag = {r.scheme_id: int(r.effect_lag_years) for r in inst.demand_schemes.itertuples()}

    def share(d: str, offset: int) -> float:
        known = [o for o in shares[d] if o <= offset]
        return shares[d][max(known)] if known else 0.0

    keys = [(d, k, s, t, tau) for (d, k, s, t) in rkeys if d in shares for tau in T if tau <= t - lag[d]]
    m.red_by_start = pyo.Var(keys, domain=pyo.NonNegativeReals)
    by_key = defaultdict(list)
    for (d, k, s, t, tau) in keys:
        level = share(d, t - tau - lag[d]) * rate[d, k]
        v = m.red_by_start[d, k, s, t, tau]
        by_key[d, k, s, t].append(v)
        add(v <= level * load[k, s, t])
        add(v <= level * float(inst.demand[k][:, t].sum()) * m.dstart[d, tau])
    for (d, k, s, t) in rkeys:
        if d in shares:
            add(m.red[d, k, s, t] <= sum(by_key[d, k, s, t]))


def _travel_terms(built: Built, hosts: dict[str, list[str]], T: list[int], wanted: set[str]) -> None:
    """Demand-weighted mean minutes (mean over services and years) and the largest assigned time."""
    m, inst = built.model, built.inst
    means = []
    m.maxt = pyo.Var([k for k in built.assign_services + built.radius_services] if "max_travel" in wanted else [],
                     domain=pyo.NonNegativeReals)  # only when asked: unused variables are never given values
    col = inst.site_col
    for k in built.assign_services:
        tt = inst.tt(k).reindex(index=inst.zones, columns=inst.sites).to_numpy()
        for t in T:
            tot = float(inst.demand[k][:, t].sum())
            means.append(sum(float(inst.demand[k][zi, t]) * float(tt[zi, col[s]]) * m.x[zi, k, s, t]
                             for zi, s in built.pairs[k, t]) / tot)
            if "max_travel" in wanted:
                for zi, s in built.pairs[k, t]:
                    built.add(m.maxt[k] >= float(tt[zi, col[s]]) * m.x[zi, k, s, t])
    # radius formulation, built lazily (reconfig/radius.py): the solve loop adds levels where needed
    radius_pairs = [(k, t) for k in built.radius_services for t in T if float(inst.demand[k][:, t].sum()) > 0]
    n_means = len(means) + len(radius_pairs)
    scale = {(k, t): 1 / (float(inst.demand[k][:, t].sum()) * n_means) for k, t in radius_pairs}
    rc = radius.build_chains(inst, hosts, built.radius_services, T, "max_travel" in wanted, scale)
    built.chains = rc
    m.travel_term = pyo.Expression(expr=sum(means) / max(n_means, 1) + radius.initial(built, rc))
    built.objective_terms["travel"] = m.travel_term
    built.objective_terms["max_travel"] = sum(m.maxt[k] for k in m.maxt) / max(len(m.maxt), 1)


def _coverage_vars(built: Built, hosts, T, services) -> dict:
    inst = built.inst
    out = {}
    for k in services:
        svc = inst.services[k]
        tt = inst.tt(k).reindex(columns=hosts[k]).to_numpy()
        for zi in range(len(inst.zones)):
            near = [hosts[k][j] for j in np.nonzero(tt[zi] <= svc.coverage_minutes)[0]]
            for t in T:
                out[k, zi, t] = near
    return out


def _coverage_constraints(built: Built, hosts, T) -> None:
    """Share of population within coverage_minutes of an open site (constraint 3, coverage form)."""
    m, inst = built.model, built.inst
    ks = [k for k in hosts if inst.services[k].coverage_minutes and inst.services[k].coverage_share]
    near = _coverage_vars(built, hosts, T, ks)
    m.cov = pyo.Var(list(near), bounds=(0, 1))
    pop = inst.population
    for (k, zi, t), ss in near.items():
        built.add(m.cov[k, zi, t] <= sum(m.y[k, s, t] for s in ss))
    for k in ks:
        for t in T:
            built.add(sum(float(pop[zi]) * m.cov[k, zi, t] for zi in range(len(pop)))
                      >= inst.services[k].coverage_share * float(pop.sum()), "coverage", service=k, t=t)


def _coverage_term(built: Built, hosts, T) -> None:
    m, inst = built.model, built.inst
    ks = [k for k in hosts if inst.services[k].coverage_minutes]
    near = _coverage_vars(built, hosts, T, ks)
    m.covo = pyo.Var(list(near), bounds=(0, 1))
    pop = inst.population
    for (k, zi, t), ss in near.items():
        built.add(m.covo[k, zi, t] <= sum(m.y[k, s, t] for s in ss))
    shares = [sum(float(pop[zi]) * m.covo[k, zi, t] for zi in range(len(pop))) / float(pop.sum())
              for k in ks for t in T]
    built.objective_terms["coverage"] = -sum(shares) / max(len(shares), 1)


def _apply_fixings(built: Built, fix: str | None, ykeys, starts, dkeys, sold_keys, idle) -> None:
    m, inst = built.model, built.inst
    if fix is None:
        return
    if fix == "do_nothing":
        for (k, s, t) in ykeys:
            m.y[k, s, t].fix(1 if (k, s) in inst.today else 0)
        for key in starts:
            m.start[key].fix(0)
        for key in dkeys:
            m.dstart[key].fix(0)
        for key in sold_keys:
            m.sold[key].fix(0)
        return
    rows = inst.options[inst.options["option_id"] == fix]
    file = inst.system.files["options"]
    if rows.empty:
        known = sorted(set(inst.options["option_id"]))
        raise InputError([Problem(file, f"no option named '{fix}'", expected=", ".join(known) or "an option")])
    years = inst.years
    probs = []
    for r in rows.itertuples():
        t0 = years.index(r.from_year) if r.from_year else 0
        t1 = years.index(r.to_year) if r.to_year else len(years) - 1
        if r.item == "service":
            for t in range(t0, t1 + 1):
                if (r.service_id, r.site_id, t) in m.y:
                    m.y[r.service_id, r.site_id, t].fix(int(r.value))
                elif r.value and r.service_id not in idle:
                    probs.append(Problem(file, f"'{r.site_id}' can never host '{r.service_id}'", row=int(r._1),
                                         column="value", value=r.value, expected="0, or a site that can host it"))
        elif r.item == "beds":
            for t in range(t0, t1 + 1):
                if (r.bed_type, r.site_id, t) in m.beds:
                    m.beds[r.bed_type, r.site_id, t].fix(int(r.value))
                elif r.value:
                    probs.append(Problem(file, f"'{r.site_id}' has no service using '{r.bed_type}' beds",
                                         row=int(r._1), column="value", value=r.value))
        elif r.item == "scheme_start":
            for t in range(len(years)):
                if (r.scheme_id, t) in m.start:
                    m.start[r.scheme_id, t].fix(1 if t == t0 else 0)
            if (r.scheme_id, t0) not in m.start:
                probs.append(Problem(file, f"scheme '{r.scheme_id}' cannot start in {r.from_year}", row=int(r._1),
                                     column="from_year", value=r.from_year, expected="within its start window"))
        elif r.item == "no_scheme":
            for t in range(len(years)):
                if (r.scheme_id, t) in m.start:
                    m.start[r.scheme_id, t].fix(0)
        elif r.item == "demand_scheme_start":
            for t in range(len(years)):
                m.dstart[r.scheme_id, t].fix(1 if t == t0 else 0)
        elif r.item == "disposal":
            for t in range(len(years)):
                if (r.disposal_id, t) in m.sold:
                    m.sold[r.disposal_id, t].fix(1 if t == t0 else 0)
            if (r.disposal_id, t0) not in m.sold:
                probs.append(Problem(file, f"disposal '{r.disposal_id}' cannot happen in {r.from_year}",
                                     row=int(r._1), column="from_year", value=r.from_year))
    if probs:
        raise InputError(probs)
