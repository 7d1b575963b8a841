"""Site roles (docs/formulation.md, "Site roles"): bundles of services a site takes on together.

A role r held by site s in year t (binary role[r,s,t], only for the pairs listed in site_roles) implies
every service of its bundle (y[k,s,t] >= role[r,s,t]); a site holds at most one role a year; services
marked needs_role run at a site that may take such a role only while it holds one; role counts and
catchment population bands apply to the years in which the configuration is free. The catchment of a
site in a role is the base-year population the model assigns to that site for the role's anchor service.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo

from reconfig.formulation.built import Built, Rows, family
from reconfig.inputs.errors import InputError, Problem
from reconfig.inputs.roles import Role, RoleData

if TYPE_CHECKING:
    from reconfig.instance.build import Instance

def add_role_constraints(built: Built, fix: str | None) -> None:
    """Build role[r,s,t] and its constraints; set the role fixed cost by year (£000) in built.sets.role_cost."""
    m, inst = built.model, built.inst
    rd = inst.roles
    years = inst.years
    T = range(len(years))
    m.role = pyo.Var([(r, s, t) for r, s in rd.allowed for t in T], domain=pyo.Binary)
    built.sets.role_cost = {t: 0 for t in T}
    if not rd.allowed:
        return
    live = set(built.sets.active)
    with family(built, "one_role", ("site", "t")) as rows:
        _one_role_per_site(m, rd, rows, years)
    with family(built, "role_bundle", ("role", "site", "service", "t")) as rows:
        impossible = _bundles(m, rd, rows, live, years) or set()
    with family(built, "bundle_implies_role", ("role", "site", "t")) as rows:
        _bundle_implies_role(m, rd, rows, live, years)
    with family(built, "needs_role", ("service", "site", "t")) as rows:
        _needs_role(m, rd, rows, years)
    c = inst.scenario.constraints
    first_free = len(years) if fix == "do_nothing" else (years.index(c.fixed_until) if c.fixed_until else 0)
    for t in range(first_free):  # today's roles while the configuration is today's
        for r, s in rd.allowed:
            if (r, s, t) not in impossible:
                m.role[r, s, t].fix(1 if (r, s) in rd.today else 0)
    total = float(inst.population.sum())
    with (family(built, "role_min_sites", ("role", "t")) as lo, family(built, "role_max_sites", ("role", "t")) as hi,
          family(built, "catchment_min", ("role", "site", "t")) as band_lo,
          family(built, "catchment_max", ("role", "site", "t")) as band_hi):
        for role in rd.roles.values():
            sites = [s for r, s in rd.allowed if r == role.id]
            for t in range(first_free, len(years)):
                _counts(m, role, sites, lo, hi, t, years[t])
                if role.banded:
                    _catchment_band(m, inst, band_lo, band_hi, role, sites, t, built.pairs, total)
    if fix not in (None, "do_nothing"):
        _fix_from_option(m, inst, fix, impossible)
    built.sets.role_cost = {t: sum(rd.roles[r].fixed_cost * m.role[r, s, t] for r, s in rd.allowed
                                   if rd.roles[r].fixed_cost) for t in T}


def _one_role_per_site(m, rd: RoleData, rows: Rows, years: list[str]) -> None:
    by_site: dict[str, list[str]] = defaultdict(list)
    for r, s in rd.allowed:
        by_site[s].append(r)
    for s, rs in by_site.items():
        if len(rs) > 1:
            for t, yt in enumerate(years):
                rows[s, yt] = sum(m.role[r, s, t] for r in rs) <= 1


def _bundles(m, rd: RoleData, rows: Rows, live: set[str], years: list[str]) -> set[tuple[str, str, int]]:
    """y[k,s,t] >= role[r,s,t] for k in bundle(r); a role whose bundle the site can never host is fixed to 0
    (returned). Services without demand anywhere are not in the model and are skipped."""
    impossible: set[tuple[str, str, int]] = set()
    for r, s in rd.allowed:
        for k in rd.roles[r].bundle:
            if k not in live:
                continue
            for t, yt in enumerate(years):
                if (k, s, t) in m.y:
                    rows[r, s, k, yt] = m.y[k, s, t] >= m.role[r, s, t]
                else:
                    impossible.add((r, s, t))
                    m.role[r, s, t].fix(0)
    return impossible


def _bundle_implies_role(m, rd: RoleData, rows: Rows, live: set[str], years: list[str]) -> None:
    """For roles with from_bundle: a site providing every service of the bundle holds the role or another of the
    same or a higher rank (rank 1 = highest): Σ_k y[k,s,t] − (|bundle| − 1) <= Σ_{r' at s, rank(r') <= rank(r)}
    role[r',s,t]."""
    at_site: dict[str, list[str]] = defaultdict(list)
    for r, s in rd.allowed:
        at_site[s].append(r)
    for r, s in rd.allowed:
        bundle = [k for k in rd.roles[r].bundle if k in live]
        if not rd.roles[r].from_bundle or not bundle or any((k, s, 0) not in m.y for k in bundle):
            continue
        peers = [r2 for r2 in at_site[s] if rd.roles[r2].rank <= rd.roles[r].rank]
        for t, yt in enumerate(years):
            rows[r, s, yt] = sum(m.y[k, s, t] for k in bundle) - (len(bundle) - 1) <= sum(
                m.role[r2, s, t] for r2 in peers)


def _needs_role(m, rd: RoleData, rows: Rows, years: list[str]) -> None:
    """y[k,s,t] <= Σ role[r,s,t] over the roles site s may take that list k with needs_role."""
    governed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r, s in rd.allowed:
        for k in rd.roles[r].needs:
            governed[k, s].append(r)
    for (k, s), rs in governed.items():
        for t, yt in enumerate(years):
            if (k, s, t) in m.y:
                rows[k, s, yt] = m.y[k, s, t] <= sum(m.role[r, s, t] for r in rs)


def _counts(m, role: Role, sites: list[str], lo: Rows, hi: Rows, t: int, yt: str) -> None:
    n = sum(m.role[role.id, s, t] for s in sites)
    if role.min_sites:
        lo[role.id, yt] = n >= role.min_sites
    if role.max_sites is not None:
        hi[role.id, yt] = n <= role.max_sites


def _catchment_band(m, inst: Instance, lo: Rows, hi: Rows, role: Role, sites: list[str], t: int,
                    pairs: dict[tuple[str, int], list[tuple[int, str]]], total: float) -> None:
    """min_pop·role <= catchment <= max_pop + (total − max_pop)·(1 − role), catchment = Σ_z pop[z]·x[z,a,s,t]."""
    a = role.anchor
    if (a, t) not in pairs:  # anchor has no demand or cannot be hosted anywhere: catchment 0
        catch: dict[str, Any] = {}
    else:
        catch = defaultdict(float)
        for zi, s in pairs[a, t]:
            catch[s] = catch[s] + float(inst.population[zi]) * m.x[zi, a, s, t]
    for s in sites:
        held = m.role[role.id, s, t]
        pop_s = catch.get(s, 0.0)
        if role.min_pop:
            lo[role.id, s, inst.years[t]] = pop_s >= role.min_pop * held
        if role.max_pop is not None and role.max_pop < total:
            hi[role.id, s, inst.years[t]] = pop_s <= role.max_pop + (total - role.max_pop) * (1 - held)


def _fix_from_option(m, inst: Instance, fix: str, impossible: set[tuple[str, str, int]]) -> None:
    opts = inst.options
    rows = opts[(opts["option_id"] == fix) & (opts["item"] == "role")]
    years = inst.years
    file = inst.system.files["options"]
    probs = []
    for r in rows.itertuples():
        t0 = years.index(r.from_year) if r.from_year else 0
        t1 = years.index(r.to_year) if r.to_year else len(years) - 1
        for t in range(t0, t1 + 1):
            key = (r.role_id, r.site_id, t)
            if key in impossible and r.value:
                probs.append(Problem(file, f"'{r.site_id}' cannot take role '{r.role_id}' in {years[t]}: it can "
                                     "never host every service of the role's bundle", row=int(r._1),
                                     column="value", value=r.value, expected="0, or a site able to host the bundle"))
                break
            if key in m.role:
                m.role[key].fix(int(r.value))
    if probs:
        raise InputError(probs)


def role_rows(built: Any) -> list[dict[str, Any]]:
    """Roles held, by site and year, with the catchment population where the role has a band."""
    m, inst = built.model, built.inst
    if not hasattr(m, "role"):
        return []
    rd = inst.roles
    out = []
    for (r, s, t) in m.role:
        if pyo.value(m.role[r, s, t]) < 0.5:
            continue
        row: dict[str, Any] = {"site": s, "role": r, "year": inst.years[t]}
        a = rd.roles[r].anchor
        if a and (a, t) in built.pairs:
            row["catchment_population"] = round(sum(float(inst.population[zi]) * pyo.value(m.x[zi, a, s2, t])
                                                    for zi, s2 in built.pairs[a, t] if s2 == s))
        out.append(row)
    return sorted(out, key=lambda d: (d["year"], d["site"]))
