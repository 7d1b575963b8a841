"""Scheme timing (FORMULATION.md §9) and service enablement (§6).

    start[c,t] ∈ {0,1} within the scheme's start window;  done[c,t] = Σ_{τ ≤ t − lead[c]} start[c,τ]
    mandatory[c]:        Σ_t start[c,t] = 1               one_start[c]: Σ_t start[c,t] ≤ 1
    scheme_group[g]:     Σ_{c ∈ g} Σ_t start[c,t] ≤ 1     (mutually exclusive schemes)
    prerequisite[c2,c1,kind,t]:  start[c2,t] ≤ done[c1,t]  (start_after_done)  or  done[c2,t] ≤ done[c1,t]
    enablement[k,s,t]:   y[k,s,t] ≤ Σ_{c enables (k,s)} done[c,t]   where s cannot host k today
Capital spend by year is spend[t] = Σ_c Σ_τ start[c,τ]·profile[c,t−τ] (£000), which may run past the horizon.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from reconfig.formulation.built import Built, family


def add_schemes(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    T, Y = S.T, inst.years
    S.starts = [(c, t) for c, sch in inst.schemes.items() for t in T if sch.earliest <= t <= sch.latest]
    m.start = pyo.Var(S.starts, domain=pyo.Binary)
    start_of: dict[str, list[int]] = defaultdict(list)
    for c, t in S.starts:
        start_of[c].append(t)
    S.start_of = start_of

    def done(c: str, t: int):
        lead = inst.schemes[c].lead
        return sum(m.start[c, tau] for tau in start_of[c] if tau <= t - lead)

    S.done = done
    with family(built, "mandatory", ("scheme",)) as mandatory, family(built, "one_start", ("scheme",)) as once:
        for c, sch in inst.schemes.items():
            total = sum(m.start[c, t] for t in start_of[c])
            if sch.mandatory:
                mandatory[c] = total == 1
            elif start_of[c]:
                once[c] = total <= 1
    groups = defaultdict(list)
    for c, sch in inst.schemes.items():
        if sch.group:
            groups[sch.group].append(c)
    with family(built, "scheme_group", ("group",)) as rows:
        for g, cs in groups.items():
            rows[g] = sum(m.start[c, t] for c in cs for t in start_of[c]) <= 1
    with family(built, "prerequisite", ("scheme", "requires", "kind", "t")) as rows:
        for c2, c1, kind in inst.prereqs:
            for t in T:
                if kind == "start_after_done":
                    if (c2, t) in m.start:
                        rows[c2, c1, kind, Y[t]] = m.start[c2, t] <= done(c1, t)
                else:
                    rows[c2, c1, kind, Y[t]] = done(c2, t) <= done(c1, t)
    S.horizon_end = len(T) + max((max(s.profile, default=0) for s in inst.schemes.values()), default=0)
    S.spend = {t: sum(m.start[c, tau] * sch.profile.get(t - tau, 0.0)
                      for c, sch in inst.schemes.items() for tau in start_of[c] if sch.profile.get(t - tau))
               for t in range(S.horizon_end)}
    S.scheme_spend = {(c, t): sum(m.start[c, tau] * sch.profile.get(t - tau, 0.0) for tau in start_of[c]
                                  if sch.profile.get(t - tau))
                      for c, sch in inst.schemes.items() for t in T}


def add_enablement(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    enablers = defaultdict(list)
    for c, sch in inst.schemes.items():
        for (k, s) in sch.enables:
            enablers[k, s].append(c)
    with family(built, "enablement", ("service", "site", "t")) as rows:
        for (k, s, t) in S.ykeys:
            if (k, s) not in inst.base_can:
                rows[k, s, inst.years[t]] = m.y[k, s, t] <= sum(S.done(c, t) for c in enablers[k, s])
