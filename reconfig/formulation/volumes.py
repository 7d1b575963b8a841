"""Volumes and site counts (FORMULATION.md §7).

    min_volume[k,s,t]:  load[k,s,t] ≥ min_volume[k]·y[k,s,t]      (assigned services)
    max_volume[k,s,t]:  load[k,s,t] ≤ max_volume[k]·y[k,s,t]
    min_sites[k,t]:     Σ_s y[k,s,t] ≥ min_sites[k]
    max_sites[k,t]:     Σ_s y[k,s,t] ≤ max_sites[k]
"""

from __future__ import annotations

from reconfig.formulation.built import Built, family


def add_volumes(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    Y = inst.years
    fields = ("service", "site", "t")
    with family(built, "min_volume", fields) as lo, family(built, "max_volume", fields) as hi:
        for k in S.assign:
            svc = inst.services[k]
            for t in S.T:
                for s in S.hosts[k]:
                    if svc.min_volume:
                        lo[k, s, Y[t]] = S.load[k, s, t] >= svc.min_volume * m.y[k, s, t]
                    if svc.max_volume is not None:
                        hi[k, s, Y[t]] = S.load[k, s, t] <= svc.max_volume * m.y[k, s, t]


def add_site_counts(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    Y = inst.years
    with family(built, "min_sites", ("service", "t")) as lo, family(built, "max_sites", ("service", "t")) as hi:
        for k in S.active:
            svc = inst.services[k]
            for t in S.T:
                n = sum(m.y[k, s, t] for s in S.hosts[k])
                if svc.min_sites:
                    lo[k, Y[t]] = n >= svc.min_sites
                if svc.max_sites is not None:
                    hi[k, Y[t]] = n <= svc.max_sites
