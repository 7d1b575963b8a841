"""Configuration and linking (FORMULATION.md §2): which services run at which sites, and which sites are open.

    y[k,s,t] ∈ {0,1}  for every service k with demand, site s that can ever host it, year t
    open[s,t] ∈ {0,1} only where it matters (a site fixed cost, a whole-site sale, monotone closures)
    site_open[k,s,t]:  y[k,s,t] ≤ open[s,t]
"""

from __future__ import annotations

import pyomo.environ as pyo

from reconfig.formulation.built import Built, Sets, family
from reconfig.instance.build import Instance


def model_sets(inst: Instance, wanted: set[str]) -> Sets:
    """Which services are in the model, and which need assignment variables x[z,k,s,t].

    Services with beds, volume limits, single sourcing, unmet demand or a role catchment band are assigned
    explicitly; the others are uncapacitated, so each zone uses its nearest open site (radius formulation)."""
    sc = inst.scenario
    active = [k for k, s in inst.services.items()
              if inst.demand[k].sum() > 0 and any((k, st) in inst.hostable for st in inst.sites)]
    assign = [k for k in active if inst.services[k].bed_type or inst.services[k].min_volume is not None
              or inst.services[k].max_volume is not None or inst.services[k].single_source
              or sc.constraints.allow_unmet  # unmet demand is priced only through assignment variables
              or k in inst.roles.anchors()]  # role catchment bands are measured on assignment
    return Sets(T=list(range(len(inst.years))), wanted=wanted, active=active,
                idle=[k for k in inst.services if k not in active], assign=assign,
                radius=[k for k in active if k not in assign],
                hosts={k: [s for s in inst.sites if (k, s) in inst.hostable] for k in active})


def add_configuration(built: Built) -> None:
    """y[k,s,t], open[s,t] and the link y ≤ open."""
    m, inst, S = built.model, built.inst, built.sets
    sc = inst.scenario
    S.ykeys = [(k, s, t) for k in S.active for s in inst.sites if (k, s) in inst.hostable for t in S.T]
    m.y = pyo.Var(S.ykeys, domain=pyo.Binary)
    whole_sale = {r.site_id for r in inst.disposals.itertuples() if "*" in r.vacates}
    fixed = inst.site_info["fixed_cost_gbp_k"].astype(float)
    S.with_open = [s for s in inst.sites if fixed[s] > 0 or s in whole_sale or sc.constraints.monotone_closures]
    m.open = pyo.Var([(s, t) for s in S.with_open for t in S.T], domain=pyo.Binary)
    Y = inst.years
    with family(built, "site_open", ("service", "site", "t")) as rows:
        for (k, s, t) in S.ykeys:
            if (s, t) in m.open:
                rows[k, s, Y[t]] = m.y[k, s, t] <= m.open[s, t]
