"""Beds and capacity (FORMULATION.md §5) and the workforce limit on ward changes (§12).

    beds[b,s,t], wards[b,s,t] ∈ ℤ≥0 for each bed type b and site s that can host a service using it
    bed_days[b,s,t]:     Σ_{k of type b} los[k]·(load[k,s,t] − Σ_d red[d,k,s,t]) ≤ 365·occupancy[b]·beds[b,s,t]
    ward_size[b,s,t]:    beds = ward_size[b]·wards  (bed_granularity "ward"), else beds ≤ ward_size[b]·wards
    bed_link[b,s,t]:     beds[b,s,t] ≤ M_s·Σ_{k of type b} y[k,s,t]   (beds only where a service of the type runs;
                         M_s = the site's capacity plus every bed space schemes could add)
    bed_capacity[s,t]:   Σ_b beds[b,s,t] ≤ capacity[s] + Σ_c added[c,s]·done[c,t]
    ward_changes[t]:     Σ_{b,s} |wards[b,s,t] − wards[b,s,t−1]| ≤ max_ward_changes_per_year
                         (|·| by wchg ≥ ±difference: rows ward_change_up, ward_change_down)
"""

from __future__ import annotations

import math
from collections import defaultdict

import pyomo.environ as pyo

from reconfig.formulation.built import Built, family


def add_beds(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    T, Y = S.T, inst.years
    sc = inst.scenario
    bt = inst.bed_types
    S.bkeys = sorted({(inst.services[k].bed_type, s) for k in S.assign if inst.services[k].bed_type
                      for s in S.hosts[k]})
    m.beds = pyo.Var([(b, s, t) for b, s in S.bkeys for t in T], domain=pyo.NonNegativeIntegers)
    m.wards = pyo.Var([(b, s, t) for b, s in S.bkeys for t in T], domain=pyo.NonNegativeIntegers)
    added = defaultdict(list)
    for c, sch in inst.schemes.items():
        for s, n in sch.capacity.items():
            added[s].append((c, n))
    cap_s = inst.site_info["bed_capacity"].astype(float)
    fields = ("bed_type", "site", "t")
    with (family(built, "bed_days", fields) as bed_days, family(built, "ward_size", fields) as ward_size,
          family(built, "bed_link", fields) as bed_link):
        for b, s in S.bkeys:
            ks = [k for k in S.assign if inst.services[k].bed_type == b and s in S.hosts[k]]
            occ = float(bt.loc[b, "occupancy"])
            size = int(bt.loc[b, "ward_size"])
            big = cap_s[s] + sum(max(n, 0) for _, n in added[s])
            for t in T:
                need = sum(inst.services[k].los * (S.load[k, s, t] - sum(S.reductions[k, s, t])) for k in ks)
                bed_days[b, s, Y[t]] = need <= 365 * occ * m.beds[b, s, t]
                if sc.constraints.bed_granularity == "ward":
                    ward_size[b, s, Y[t]] = m.beds[b, s, t] == size * m.wards[b, s, t]
                else:
                    ward_size[b, s, Y[t]] = m.beds[b, s, t] <= size * m.wards[b, s, t]
                bed_link[b, s, Y[t]] = m.beds[b, s, t] <= big * sum(m.y[k, s, t] for k in ks)
    with family(built, "bed_capacity", ("site", "t")) as rows:
        for s in inst.sites:
            here = [b for b, s2 in S.bkeys if s2 == s]
            if here:
                for t in T:
                    rows[s, Y[t]] = sum(m.beds[b, s, t] for b in here) <= cap_s[s] + sum(
                        n * S.done(c, t) for c, n in added[s])


def add_ward_changes(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    limit = inst.scenario.constraints.max_ward_changes_per_year
    if limit is None:
        return
    T, Y = S.T, inst.years
    bt = inst.bed_types
    m.wchg = pyo.Var([(b, s, t) for b, s in S.bkeys for t in T], domain=pyo.NonNegativeReals)
    fields = ("bed_type", "site", "t")
    with family(built, "ward_change_up", fields) as up, family(built, "ward_change_down", fields) as down:
        for b, s in S.bkeys:
            prev0 = math.ceil(inst.beds_today.get((b, s), 0) / int(bt.loc[b, "ward_size"]))
            for t in T:
                prev = m.wards[b, s, t - 1] if t else prev0
                up[b, s, Y[t]] = m.wchg[b, s, t] >= m.wards[b, s, t] - prev
                down[b, s, Y[t]] = m.wchg[b, s, t] >= prev - m.wards[b, s, t]
    with family(built, "ward_changes", ("t",)) as rows:
        for t in T:
            rows[Y[t]] = sum(m.wchg[b, s, t] for b, s in S.bkeys) <= limit
