"""Disposals (FORMULATION.md §11): sites or parts of sites sold, and the receipts they bring.

    sold[d,t] ∈ {0,1} from the disposal's earliest year;  disposal_once[d]: Σ_t sold[d,t] ≤ 1
    vacate[d,s,k,t,τ]:      y[k,s,t] + Σ_{τ' ≤ τ} sold[d,τ'] ≤ 1 for every t ≥ τ (the services it vacates;
                            k = "" for a whole-site sale: open[s,τ] + sold-by-τ ≤ 1)
    disposal_scheme[d,c,t]: sold-by-t ≤ done[c,t]   (a sale that needs a scheme finished first)
Receipts value[d]·sold[d,t] (£000) count against the capital limits in the year of sale and feed the disposal's
funding source.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from reconfig.formulation.built import Built, family


def add_disposals(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    T, years, nT = S.T, inst.years, len(S.T)
    dsp = inst.disposals
    S.sold_keys = []
    for r in dsp.itertuples():
        t0 = years.index(r.earliest_year) if r.earliest_year else 0
        S.sold_keys += [(r.disposal_id, t) for t in range(t0, nT)]
    m.sold = pyo.Var(S.sold_keys, domain=pyo.Binary)
    sold_t = defaultdict(list)
    for d, t in S.sold_keys:
        sold_t[d].append(t)
    S.sold_t = sold_t
    S.proceeds = {t: 0.0 for t in T}
    S.receipts = defaultdict(float)
    with (family(built, "disposal_once", ("disposal",)) as once,
          family(built, "vacate", ("disposal", "site", "service", "t", "sold")) as vacate,
          family(built, "disposal_scheme", ("disposal", "scheme", "t")) as needs_scheme):
        for r in dsp.itertuples():
            d = r.disposal_id
            if not sold_t[d]:
                continue
            once[d] = sum(m.sold[d, t] for t in sold_t[d]) <= 1
            for t in T:
                soldby = sum(m.sold[d, tau] for tau in sold_t[d] if tau <= t)
                if isinstance(soldby, int):
                    continue
                if "*" in r.vacates:
                    vacate[d, r.site_id, "", years[t], years[t]] = m.open[r.site_id, t] + soldby <= 1
                for k in r.vacates:
                    for t2 in range(t, nT):
                        if (k, r.site_id, t2) in m.y:
                            vacate[d, r.site_id, k, years[t2], years[t]] = m.y[k, r.site_id, t2] + soldby <= 1
                if r.requires_scheme_id:
                    needs_scheme[d, r.requires_scheme_id, years[t]] = soldby <= S.done(r.requires_scheme_id, t)
                if (d, t) in m.sold:
                    S.proceeds[t] = S.proceeds[t] + float(r.value_gbp_k) * m.sold[d, t]
                    if r.funding_id:
                        S.receipts[r.funding_id, t] = S.receipts[r.funding_id, t] + float(r.value_gbp_k) * m.sold[
                            d, t]
