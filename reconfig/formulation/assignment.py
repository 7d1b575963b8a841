"""Assignment and flows (FORMULATION.md §1, §3 hard form, §4): where each zone's patients are served.

For services on explicit assignment (beds, volumes, single sourcing, unmet demand, role catchments):
    x[z,k,s,t] ∈ [0,1] (binary where single-sourced or the max_travel objective is asked), only for pairs with
    tt[z,s] ≤ access_max[k] (the hard travel limit)
    assign_link[z,k,s,t]:  x[z,k,s,t] ≤ y[k,s,t]
    demand_met[z,k,t]:     Σ_s x[z,k,s,t] (+ unmet[z,k,t]) = 1
    closest[z,k,s,t]:      Σ_{s': tt[z,s'] ≤ tt[z,s]} x[z,k,s',t] ≥ y[k,s,t]   (closest-assignment services)
For radius services (nearest open site):
    reach[k,t,g]:          Σ_{s ∈ reachable set g} y[k,s,t] ≥ 1, one row per distinct set of sites within
                           access_max[k] of a zone with demand

Raises InputError when a zone with demand has no site able to provide a service within its access limit.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyomo.environ as pyo

from reconfig.formulation.built import Built, family
from reconfig.inputs.errors import InputError, Problem


def _reach(built: Built, k: str) -> np.ndarray:
    """zone × host: reachable within the service's access limit."""
    inst, svc = built.inst, built.inst.services[k]
    tt = inst.tt(k).reindex(index=inst.zones, columns=built.sets.hosts[k]).to_numpy()
    return np.isfinite(tt) & (tt <= (svc.max_minutes if svc.max_minutes is not None else np.inf))


def _unreachable(built: Built, k: str, zi: int) -> InputError:
    inst = built.inst
    return InputError([Problem(
        "services.csv", f"zone '{inst.zones[zi]}' has no site able to provide '{k}' within "
        f"{inst.services[k].max_minutes} minutes", column="access_max_minutes", value=k)])


def add_assignment(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    T, Z, Y = S.T, inst.zones, inst.years
    unmet_ok = inst.scenario.constraints.allow_unmet
    xkeys = []
    for k in S.assign:
        reach = _reach(built, k)
        host_names = np.array(S.hosts[k], dtype=object)
        for t in T:
            zs, js = np.nonzero(reach & (inst.demand[k][:, t] > 0)[:, None])
            lst = list(zip(zs.tolist(), host_names[js].tolist(), strict=True))
            built.pairs[k, t] = lst
            xkeys += [(zi, k, s, t) for zi, s in lst]
    binary_x = {k for k in S.assign if inst.services[k].single_source or "max_travel" in S.wanted}
    m.x = pyo.Var(xkeys, bounds=(0, 1))
    for key in xkeys:
        if key[1] in binary_x:
            m.x[key].domain = pyo.Binary
    m.unmet = pyo.Var([(zi, k, t) for k in S.assign for t in T for zi in np.nonzero(inst.demand[k][:, t] > 0)[0]]
                      if unmet_ok else [], bounds=(0, 1))
    by_zone = defaultdict(list)
    with family(built, "assign_link", ("zone", "service", "site", "t")) as rows:
        for (zi, k, s, t) in xkeys:
            by_zone[zi, k, t].append(s)
            rows[Z[zi], k, s, Y[t]] = m.x[zi, k, s, t] <= m.y[k, s, t]
    S.by_zone = by_zone
    with family(built, "demand_met", ("zone", "service", "t")) as rows:
        for k in S.assign:
            for t in T:
                for zi in np.nonzero(inst.demand[k][:, t] > 0)[0]:
                    zi = int(zi)
                    lhs = sum(m.x[zi, k, s, t] for s in by_zone[zi, k, t])
                    if unmet_ok:
                        rows[Z[zi], k, Y[t]] = lhs + m.unmet[zi, k, t] == 1
                    elif not by_zone[zi, k, t]:
                        raise _unreachable(built, k, zi)
                    else:
                        rows[Z[zi], k, Y[t]] = lhs == 1
    at_site = defaultdict(list)
    for (zi, k, s, t) in xkeys:
        at_site[k, s, t].append(float(inst.demand[k][zi, t]) * m.x[zi, k, s, t])
    S.load = {(k, s, t): sum(at_site[k, s, t]) for k in S.assign for s in S.hosts[k] for t in T}


def add_closest_assignment(built: Built) -> None:
    """Emergency services: nothing nearer may be open and unused."""
    m, inst, S = built.model, built.inst, built.sets
    col, Z, Y = inst.site_col, inst.zones, inst.years
    with family(built, "closest", ("zone", "service", "site", "t")) as rows:
        for k in S.assign:
            if not inst.services[k].closest:
                continue
            tt = inst.tt(k).reindex(index=inst.zones, columns=inst.sites).to_numpy()
            for t in S.T:
                for zi, s in built.pairs[k, t]:
                    d = tt[zi, col[s]]
                    near = [s2 for s2 in S.by_zone[zi, k, t] if tt[zi, col[s2]] <= d]
                    rows[Z[zi], k, s, Y[t]] = sum(m.x[zi, k, s2, t] for s2 in near) >= m.y[k, s, t]


def add_reachability(built: Built) -> None:
    """Radius services: each zone with demand needs an open site within reach."""
    m, inst, S = built.model, built.inst, built.sets
    with family(built, "reach", ("service", "t", "group")) as rows:
        for k in S.radius:
            reach = _reach(built, k)
            for t in S.T:
                wants = inst.demand[k][:, t] > 0
                if not reach[wants].any(axis=1).all():
                    raise _unreachable(built, k, int(np.nonzero(wants & ~reach.any(axis=1))[0][0]))
                for g, ok in enumerate(np.unique(reach[wants], axis=0)):  # one row per distinct reachable set
                    rows[k, inst.years[t], g] = sum(m.y[k, S.hosts[k][j], t] for j in np.nonzero(ok)[0]) >= 1
