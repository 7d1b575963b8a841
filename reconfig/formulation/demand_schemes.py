"""Demand schemes (FORMULATION.md `use[d,t]`): schemes that reduce bed demand once started, optionally ramped.

    dstart[d,t] ∈ {0,1};  demand_scheme_once[d]: Σ_t dstart[d,t] ≤ 1 (= 1 if mandatory)
    effect[d,t] = Σ_{τ ≤ t − lag[d]} dstart[d,τ]
    red[d,k,s,t] ≥ 0, the bed demand removed at site s:
        reduction_load[d,k,s,t]:   red ≤ rate[d,k]·load[k,s,t]
        reduction_effect[d,k,s,t]: red ≤ rate[d,k]·demand[k,t]·effect[d,t]
    With a ramp (demand_scheme_ramp), exact by start year τ: red ≤ Σ_τ r[τ], r[τ] ≤ share(t−τ−lag)·rate·load and
    r[τ] ≤ share(t−τ−lag)·rate·demand·dstart[d,τ] (rows ramp_load, ramp_start, ramp_total).
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from reconfig.formulation.built import Built, family


def add_demand_schemes(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    T, Y = S.T, inst.years
    ds = inst.demand_schemes
    S.dkeys = [(r.scheme_id, t) for r in ds.drop_duplicates("scheme_id").itertuples() for t in T]
    m.dstart = pyo.Var(S.dkeys, domain=pyo.Binary)
    with family(built, "demand_scheme_once", ("demand_scheme",)) as rows:
        for r in ds.drop_duplicates("scheme_id").itertuples():
            d = r.scheme_id
            total = sum(m.dstart[d, t] for t in T)
            rows[d] = total == 1 if r.mandatory else total <= 1
            for t in T:
                S.effect[d, t] = sum(m.dstart[d, tau] for tau in T if tau <= t - int(r.effect_lag_years))
    rkeys = []
    rate = {}
    for r in ds.itertuples():
        ks = [k for k in S.assign if inst.services[k].bed_type] if r.service_id == "*" else [r.service_id]
        for k in ks:
            if k in S.assign:
                rate[r.scheme_id, k] = float(r.reduction_pct) / 100
                rkeys += [(r.scheme_id, k, s, t) for s in S.hosts[k] for t in T]
    m.red = pyo.Var(rkeys, domain=pyo.NonNegativeReals)
    S.reductions = defaultdict(list)
    with (family(built, "reduction_load", ("demand_scheme", "service", "site", "t")) as by_load,
          family(built, "reduction_effect", ("demand_scheme", "service", "site", "t")) as by_effect):
        for (d, k, s, t) in rkeys:
            S.reductions[k, s, t].append(m.red[d, k, s, t])
            by_load[d, k, s, Y[t]] = m.red[d, k, s, t] <= rate[d, k] * S.load[k, s, t]
            by_effect[d, k, s, Y[t]] = m.red[d, k, s, t] <= rate[d, k] * float(inst.demand[k][:, t].sum()) * \
                S.effect[d, t]
    _ramped_reductions(built, rkeys, rate)


def _ramped_reductions(built: Built, rkeys: list, rate: dict) -> None:
    m, inst, S = built.model, built.inst, built.sets
    T, Y = S.T, inst.years
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
    fields = ("demand_scheme", "service", "site", "t", "start")
    with family(built, "ramp_load", fields) as by_load, family(built, "ramp_start", fields) as by_start:
        for (d, k, s, t, tau) in keys:
            level = share(d, t - tau - lag[d]) * rate[d, k]
            v = m.red_by_start[d, k, s, t, tau]
            by_key[d, k, s, t].append(v)
            by_load[d, k, s, Y[t], Y[tau]] = v <= level * S.load[k, s, t]
            by_start[d, k, s, Y[t], Y[tau]] = v <= level * float(inst.demand[k][:, t].sum()) * m.dstart[d, tau]
    with family(built, "ramp_total", fields[:4]) as rows:
        for (d, k, s, t) in rkeys:
            if d in shares:
                rows[d, k, s, Y[t]] = m.red[d, k, s, t] <= sum(by_key[d, k, s, t])
