"""Stability and consultation (FORMULATION.md §12).

    fixed_until:        y[k,s,t] fixed to today's configuration and no disposal, for every year before it
    monotone_closure[s,t]:  open[s,t] ≤ open[s,t−1] for sites open today (a closed site does not reopen)
The workforce limit on ward changes is in formulation/beds.py.
"""

from __future__ import annotations

from reconfig.formulation.built import Built, family


def add_stability(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    c = inst.scenario.constraints
    if c.fixed_until:
        for t in range(inst.years.index(c.fixed_until)):
            for (k, s, t2) in S.ykeys:
                if t2 == t:
                    m.y[k, s, t].fix(1 if (k, s) in inst.today else 0)
            for d in S.sold_t:
                if (d, t) in m.sold:
                    m.sold[d, t].fix(0)
    with family(built, "monotone_closure", ("site", "t")) as rows:
        if c.monotone_closures:
            for s in S.with_open:
                if inst.site_info.loc[s, "open_today"]:
                    for t in S.T[1:]:
                        rows[s, inst.years[t]] = m.open[s, t] <= m.open[s, t - 1]
