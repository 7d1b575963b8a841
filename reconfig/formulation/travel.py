"""Travel objective terms: demand-weighted mean minutes and the largest assigned time (FORMULATION.md "Objectives").

    travel     = mean over (service, year) of Σ_z demand[z,k,t]·minutes to the site serving z / Σ_z demand[z,k,t]
                 (explicit x for assigned services; the lazily built radius chains of formulation/radius.py for the
                 others, so that each zone's nearest open site is charged)
    max_travel = mean over services of maxt[k];  max_travel[k,z,s,t]: maxt[k] ≥ tt[z,s]·x[z,k,s,t]
"""

from __future__ import annotations

import pyomo.environ as pyo

from reconfig.formulation import radius
from reconfig.formulation.built import Built, family


def add_travel_terms(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    want_max = "max_travel" in S.wanted
    means = []
    m.maxt = pyo.Var(S.assign + S.radius if want_max else [], domain=pyo.NonNegativeReals)  # only when asked
    col, Z, Y = inst.site_col, inst.zones, inst.years
    with family(built, "max_travel", ("service", "zone", "site", "t")) as rows:
        for k in S.assign:
            tt = inst.tt(k).reindex(index=inst.zones, columns=inst.sites).to_numpy()
            for t in S.T:
                tot = float(inst.demand[k][:, t].sum())
                means.append(sum(float(inst.demand[k][zi, t]) * float(tt[zi, col[s]]) * m.x[zi, k, s, t]
                                 for zi, s in built.pairs[k, t]) / tot)
                if want_max:
                    for zi, s in built.pairs[k, t]:
                        rows[k, Z[zi], s, Y[t]] = m.maxt[k] >= float(tt[zi, col[s]]) * m.x[zi, k, s, t]
    radius_pairs = [(k, t) for k in S.radius for t in S.T if float(inst.demand[k][:, t].sum()) > 0]
    n_means = len(means) + len(radius_pairs)
    scale = {(k, t): 1 / (float(inst.demand[k][:, t].sum()) * n_means) for k, t in radius_pairs}
    rc = radius.build_chains(inst, S.hosts, S.radius, S.T, want_max, scale)
    built.chains = rc
    m.travel_term = pyo.Expression(expr=sum(means) / max(n_means, 1) + radius.initial(built, rc))
    built.objective_terms["travel"] = m.travel_term
    built.objective_terms["max_travel"] = sum(m.maxt[k] for k in m.maxt) / max(len(m.maxt), 1)
