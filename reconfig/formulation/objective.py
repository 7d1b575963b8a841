"""Recurrent cost by year, the net present cost and the other objective terms (FORMULATION.md "Objectives").

Recurrent cost in year t (£000): site fixed costs of open sites + service fixed costs + bed and ward costs +
variable cost per unit of demand + capital charges (capital_charge_rate × cumulative capital spend) − scheme
savings + demand-scheme running costs + role fixed costs.
    npv_cost = Σ_{t<T} df[t]·(spend[t] − proceeds[t] + recurrent[t]) + Σ_{t≥T} df[t]·spend[t]
               + Σ_{t=T}^{T+steady−1} df[t]·recurrent[T−1],   df[t] = 1/(1+r)^t
    capital  = Σ_t spend[t] (gross, including spend falling after the horizon)
    savings  = recurrent cost in the savings year (minimised: the saving against do-nothing maximised)
    change   = Σ (1 − y) over today's service-site pairs + Σ y over new ones
Unmet demand, where the scenario allows it, is priced at unmet_penalty_gbp_k per unit in every objective.
"""

from __future__ import annotations

from reconfig.formulation.built import Built


def add_recurrent_cost(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    sc = inst.scenario
    fixed = inst.site_info["fixed_cost_gbp_k"].astype(float)
    bt = inst.bed_types
    ds = inst.demand_schemes
    rate_cc = sc.finance.capital_charge_rate
    for t in S.T:
        site_fixed = sum(float(fixed[s]) * m.open[s, t] for s in S.with_open)
        svc_fixed = sum(inst.services[k].fixed_cost * m.y[k, s, t2] for (k, s, t2) in S.ykeys if t2 == t)
        beds_cost = sum(float(bt.loc[b, "cost_per_bed_gbp_k"]) * m.beds[b, s, t]
                        + float(bt.loc[b, "cost_per_ward_gbp_k"] or 0) * m.wards[b, s, t] for b, s in S.bkeys)
        variable = sum(inst.services[k].variable_cost_gbp / 1000 * float(inst.demand[k][:, t].sum())
                       for k in S.active)
        charges = rate_cc * sum(S.spend.get(tau, 0) for tau in S.T if tau <= t)
        savings = sum(sch.saving * S.done(c, t) for c, sch in inst.schemes.items() if sch.saving)
        dcost = 0
        for r in ds.drop_duplicates("scheme_id").itertuples():
            dcost = dcost + float(r.recurrent_cost_gbp_k or 0) * S.effect[r.scheme_id, t] + sum(
                m.dstart[r.scheme_id, tau] * inst.dscheme_costs.get(r.scheme_id, {}).get(t - tau, 0.0)
                for tau in S.T if tau <= t)
        built.recurrent[t] = site_fixed + svc_fixed + beds_cost + variable + charges - savings + dcost + \
            S.role_cost[t]


def add_objective_terms(built: Built) -> None:
    m, inst, S = built.model, built.inst, built.sets
    sc = inst.scenario
    nT, years = len(S.T), inst.years
    spend, proceeds, recurrent = S.spend, S.proceeds, built.recurrent
    r_ = sc.finance.discount_rate
    df = [1 / (1 + r_) ** t for t in range(max(S.horizon_end, nT + sc.finance.steady_state_years))]
    npv = sum(df[t] * (spend.get(t, 0) - proceeds[t] + recurrent[t]) for t in S.T)
    npv += sum(df[t] * spend.get(t, 0) for t in range(nT, S.horizon_end))
    npv += sum(df[t] for t in range(nT, nT + sc.finance.steady_state_years)) * recurrent[nT - 1]
    built.spend, built.proceeds, built.npv = spend, proceeds, npv
    terms = built.objective_terms
    terms["npv_cost"] = npv
    terms["capital"] = sum(spend.values())
    terms["savings"] = recurrent[nT - 1] if sc.constraints.savings_year is None else recurrent[
        years.index(sc.constraints.savings_year)]
    terms["change"] = sum((1 - m.y[k, s, t]) if (k, s) in inst.today else m.y[k, s, t] for (k, s, t) in S.ykeys)
    terms["_penalty"] = sc.constraints.unmet_penalty_gbp_k * sum(
        float(inst.demand[k][zi, t]) * m.unmet[zi, k, t] for (zi, k, t) in m.unmet) if sc.constraints.allow_unmet \
        else 0
