"""Named options (options.csv) and do-nothing: fixings of the decisions, not constraints.

Services by site and year, beds, scheme starts (or none), demand-scheme starts and disposals are fixed as the
option states; roles are fixed in formulation/roles.py. Do-nothing keeps today's configuration and builds,
starts and sells nothing.
"""

from __future__ import annotations

from reconfig.formulation.built import Built
from reconfig.inputs.errors import InputError, Problem


def apply_option(built: Built, fix: str | None) -> None:
    """Fix the decisions of option `fix` (options.csv), or today's configuration and nothing built for
    'do_nothing'. Raises InputError naming the options.csv row of an item the model cannot take."""
    m, inst, S = built.model, built.inst, built.sets
    ykeys, starts, dkeys, sold_keys, idle = S.ykeys, S.starts, S.dkeys, S.sold_keys, S.idle
    if fix is None:
        return
    if fix == "do_nothing":
        for (k, s, t) in ykeys:
            m.y[k, s, t].fix(1 if (k, s) in inst.today else 0)
        for key in starts:
            m.start[key].fix(0)
        for key in dkeys:
            m.dstart[key].fix(0)
        for key in sold_keys:
            m.sold[key].fix(0)
        return
    rows = inst.options[inst.options["option_id"] == fix]
    file = inst.system.files["options"]
    if rows.empty:
        known = sorted(set(inst.options["option_id"]))
        raise InputError([Problem(file, f"no option named '{fix}'", expected=", ".join(known) or "an option")])
    years = inst.years
    probs = []
    for r in rows.itertuples():
        t0 = years.index(r.from_year) if r.from_year else 0
        t1 = years.index(r.to_year) if r.to_year else len(years) - 1
        if r.item == "service":
            for t in range(t0, t1 + 1):
                if (r.service_id, r.site_id, t) in m.y:
                    m.y[r.service_id, r.site_id, t].fix(int(r.value))
                elif r.value and r.service_id not in idle:
                    probs.append(Problem(file, f"'{r.site_id}' can never host '{r.service_id}'", row=int(r._1),
                                         column="value", value=r.value, expected="0, or a site that can host it"))
        elif r.item == "beds":
            for t in range(t0, t1 + 1):
                if (r.bed_type, r.site_id, t) in m.beds:
                    m.beds[r.bed_type, r.site_id, t].fix(int(r.value))
                elif r.value:
                    probs.append(Problem(file, f"'{r.site_id}' has no service using '{r.bed_type}' beds",
                                         row=int(r._1), column="value", value=r.value))
        elif r.item == "scheme_start":
            for t in range(len(years)):
                if (r.scheme_id, t) in m.start:
                    m.start[r.scheme_id, t].fix(1 if t == t0 else 0)
            if (r.scheme_id, t0) not in m.start:
                probs.append(Problem(file, f"scheme '{r.scheme_id}' cannot start in {r.from_year}", row=int(r._1),
                                     column="from_year", value=r.from_year, expected="within its start window"))
        elif r.item == "no_scheme":
            for t in range(len(years)):
                if (r.scheme_id, t) in m.start:
                    m.start[r.scheme_id, t].fix(0)
        elif r.item == "demand_scheme_start":
            for t in range(len(years)):
                m.dstart[r.scheme_id, t].fix(1 if t == t0 else 0)
        elif r.item == "disposal":
            for t in range(len(years)):
                if (r.disposal_id, t) in m.sold:
                    m.sold[r.disposal_id, t].fix(1 if t == t0 else 0)
            if (r.disposal_id, t0) not in m.sold:
                probs.append(Problem(file, f"disposal '{r.disposal_id}' cannot happen in {r.from_year}",
                                     row=int(r._1), column="from_year", value=r.from_year))
    if probs:
        raise InputError(probs)
