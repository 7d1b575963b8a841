"""Capital spend, funding and limits (FORMULATION.md §10).

    fund[f,c,t] ≥ 0 for each source f eligible for scheme c
    fund_balance[c,t]:   Σ_f fund[f,c,t] = spend[c,t]
    funding[f,t]:        Σ_c fund[f,c,t] ≤ avail[f,t] + receipts[f,t]   (yearly sources, and sources fed by
                         disposal receipts in the year they are realised)
    funding_total[f]:    Σ_t Σ_c fund[f,c,t] ≤ total[f]
    capital_limit[t]:    spend[t] − proceeds[t] ≤ capital_limit[t]      (£000, net of disposal receipts)
    capital_total:       Σ_t spend[t] − Σ_t proceeds[t] ≤ capital_total
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from reconfig.formulation.built import Built, family


def add_funding(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    if not (inst.funding_year or inst.funding_total):
        return
    T, years = S.T, inst.years
    fkeys = [(f, c, t) for f, cs in inst.eligible.items() for c in cs for t in T
             if not isinstance(S.scheme_spend[c, t], (int, float))]
    m.fund = pyo.Var(fkeys, domain=pyo.NonNegativeReals)
    by_c = defaultdict(list)
    by_f = defaultdict(list)
    for f, c, t in fkeys:
        by_c[c, t].append(m.fund[f, c, t])
        by_f[f, t].append(m.fund[f, c, t])
    with family(built, "fund_balance", ("scheme", "t")) as rows:
        for (c, t), e in S.scheme_spend.items():
            if not isinstance(e, (int, float)):
                rows[c, years[t]] = sum(by_c[c, t]) == e
    receipts = S.receipts
    funders = {f for f, _ in inst.funding_year} | set(inst.funding_total) | {f for f, _ in receipts}
    with family(built, "funding", ("source", "t")) as yearly_rows, family(built, "funding_total", ("source",)) as tot:
        for f in sorted(funders):
            yearly = any(f2 == f for f2, _ in inst.funding_year)
            for t in T:
                if not by_f[f, t]:
                    continue
                if yearly or (f, t) in receipts or any(f2 == f for f2, _ in receipts):
                    yearly_rows[f, years[t]] = sum(by_f[f, t]) <= inst.funding_year.get((f, years[t]), 0.0) + \
                        receipts.get((f, t), 0.0)
            if f in inst.funding_total:
                tot[f] = sum(v for t in T for v in by_f[f, t]) <= inst.funding_total[f]


def add_capital_limits(built: Built) -> None:
    inst, S = built.inst, built.sets
    c = inst.scenario.constraints
    years = inst.years
    with family(built, "capital_limit", ("t",)) as rows:
        for label, limit in c.capital_limit_gbp_k.items():
            t = years.index(label)
            rows[label] = S.spend.get(t, 0) - S.proceeds[t] <= limit
    with family(built, "capital_total", ()) as rows:
        if c.capital_total_gbp_k is not None:
            rows[None] = sum(S.spend.get(t, 0) for t in S.T) - sum(S.proceeds.values()) <= c.capital_total_gbp_k
