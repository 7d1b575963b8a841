"""Access coverage (FORMULATION.md §3, coverage form) and the coverage objective.

    cov[k,z,t] ∈ [0,1];  coverage_zone[k,z,t]: cov[k,z,t] ≤ Σ_{s: tt[z,s] ≤ coverage_minutes[k]} y[k,s,t]
    coverage[k,t]:       Σ_z pop[z]·cov[k,z,t] ≥ coverage_share[k]·Σ_z pop[z]
    coverage objective:  − mean over (k, t) of Σ_z pop[z]·covo[k,z,t] / Σ_z pop[z]  (rows coverage_objective_zone)
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from reconfig.formulation.built import Built, family


def _near(built: Built, services: list[str]) -> dict[tuple[str, int, int], list[str]]:
    inst, S = built.inst, built.sets
    out = {}
    for k in services:
        svc = inst.services[k]
        tt = inst.tt(k).reindex(columns=S.hosts[k]).to_numpy()
        for zi in range(len(inst.zones)):
            near = [S.hosts[k][j] for j in np.nonzero(tt[zi] <= svc.coverage_minutes)[0]]
            for t in S.T:
                out[k, zi, t] = near
    return out


def _zone_rows(built: Built, name: str, var: pyo.Var, near: dict) -> None:
    m, inst = built.model, built.inst
    with family(built, name, ("service", "zone", "t")) as rows:
        for (k, zi, t), ss in near.items():
            rows[k, inst.zones[zi], inst.years[t]] = var[k, zi, t] <= sum(m.y[k, s, t] for s in ss)


def add_coverage(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    ks = [k for k in S.hosts if inst.services[k].coverage_minutes and inst.services[k].coverage_share]
    near = _near(built, ks)
    m.cov = pyo.Var(list(near), bounds=(0, 1))
    _zone_rows(built, "coverage_zone", m.cov, near)
    pop = inst.population
    with family(built, "coverage", ("service", "t")) as rows:
        for k in ks:
            for t in S.T:
                rows[k, inst.years[t]] = sum(float(pop[zi]) * m.cov[k, zi, t] for zi in range(len(pop))) >= \
                    inst.services[k].coverage_share * float(pop.sum())


def add_coverage_term(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    ks = [k for k in S.hosts if inst.services[k].coverage_minutes]
    near = _near(built, ks)
    m.covo = pyo.Var(list(near), bounds=(0, 1))
    _zone_rows(built, "coverage_objective_zone", m.covo, near)
    pop = inst.population
    shares = [sum(float(pop[zi]) * m.covo[k, zi, t] for zi in range(len(pop))) / float(pop.sum())
              for k in ks for t in S.T]
    built.objective_terms["coverage"] = -sum(shares) / max(len(shares), 1)
