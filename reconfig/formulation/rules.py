"""Rules (FORMULATION.md §8, rules.csv): co-location, exclusions, and services that must or must not run.

    requires[k,k',s,t]: y[k,s,t] ≤ y[k',s,t]   (0 where s can never host k')
    excludes[k,k',s,t]: y[k,s,t] + y[k',s,t] ≤ 1
    forbid[k,s,t]:      y[k,s,t] = 0            (a fixing; a row in elastic mode, so diagnosis can relax it)
    must[k,s,t]:        y[k,s,t] = 1            (likewise)
    must_any[k,t]:      Σ_s y[k,s,t] ≥ 1        (a rule without a site)
Keys carry the rules.csv row, so a relaxation names the rule. Raises InputError for a `must` at a site that can
never host the service.
"""

from __future__ import annotations

from reconfig.formulation.built import Built, family
from reconfig.inputs.errors import InputError, Problem


def _blank(v: object) -> object:
    return "" if v is None or (isinstance(v, float) and v != v) else v


def add_rules(built: Built, elastic: bool) -> None:
    m, inst, S = built.model, built.inst, built.sets
    y, years, nT = m.y, inst.years, len(S.T)
    fields = ("service", "other", "site", "t", "row")
    with (family(built, "requires", fields) as requires, family(built, "excludes", fields) as excludes,
          family(built, "forbid", fields) as forbid, family(built, "must", fields) as must,
          family(built, "must_any", ("service", "other", "t", "row")) as must_any):
        for r in inst.rules.itertuples():
            t0 = years.index(r.from_year) if r.from_year else 0
            t1 = years.index(r.to_year) if r.to_year else nT - 1
            sites = [r.site_id] if r.site_id else inst.sites
            k, k2, row = r.service_id, _blank(r.other_service_id), int(r._1)
            for t in range(t0, t1 + 1):
                Yt = years[t]
                if r.rule == "requires":
                    for s in sites:
                        if (k, s, t) in y:
                            requires[k, k2, s, Yt, row] = y[k, s, t] <= (y[k2, s, t] if (k2, s, t) in y else 0)
                elif r.rule == "excludes":
                    for s in sites:
                        if (k, s, t) in y and (k2, s, t) in y:
                            excludes[k, k2, s, Yt, row] = y[k, s, t] + y[k2, s, t] <= 1
                elif r.rule == "forbid":
                    for s in sites:
                        if (k, s, t) in y:
                            if elastic:
                                forbid[k, k2, s, Yt, row] = y[k, s, t] <= 0
                            else:
                                y[k, s, t].fix(0)
                elif r.rule == "must":
                    if r.site_id:
                        if (k, r.site_id, t) not in y:
                            raise InputError([Problem(inst.system.files["rules"], f"'{k}' must run at "
                                                      f"'{r.site_id}' but that site can never host it", row=row)])
                        if elastic:
                            must[k, k2, r.site_id, Yt, row] = y[k, r.site_id, t] >= 1
                        else:
                            y[k, r.site_id, t].fix(1)
                    else:
                        must_any[k, k2, Yt, row] = sum(y[k, s, t] for s in S.hosts.get(k, [])) >= 1
