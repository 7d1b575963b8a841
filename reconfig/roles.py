"""Site roles (docs/formulation.md, "Site roles"): bundles of services a site takes on together.

A role r held by site s in year t (binary role[r,s,t], only for the pairs listed in site_roles) implies
every service of its bundle (y[k,s,t] >= role[r,s,t]); a site holds at most one role a year; services
marked needs_role run at a site that may take such a role only while it holds one; role counts and
catchment population bands apply to the years in which the configuration is free. The catchment of a
site in a role is the base-year population the model assigns to that site for the role's anchor service.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo

from reconfig.errors import InputError, Problem, ProblemLog

if TYPE_CHECKING:
    from reconfig.instance import Instance
    from reconfig.tables import System


@dataclass
class Role:
    id: str
    name: str
    rank: int
    anchor: str | None
    min_pop: float | None
    max_pop: float | None
    min_sites: int | None
    max_sites: int | None
    fixed_cost: float
    from_bundle: bool = False
    bundle: list[str] = field(default_factory=list)
    needs: set[str] = field(default_factory=set)  # bundle services with needs_role

    @property
    def banded(self) -> bool:
        return self.anchor is not None and (self.min_pop is not None or self.max_pop is not None)


@dataclass
class RoleData:
    """Roles of a system: definitions, the (role, site) pairs allowed, and those held today."""

    roles: dict[str, Role] = field(default_factory=dict)
    allowed: list[tuple[str, str]] = field(default_factory=list)  # (role, site)
    today: set[tuple[str, str]] = field(default_factory=set)  # (role, site)

    def anchors(self) -> set[str]:
        """Services whose assignment measures a catchment band: they need assignment variables."""
        return {r.anchor for r in self.roles.values() if r.banded and r.anchor}


def _none(v: object) -> Any:
    return None if v is None or v == "" or (isinstance(v, float) and v != v) else v


def role_data(system: System) -> RoleData:
    out = RoleData()
    for r in system["roles"].itertuples():
        out.roles[r.role_id] = Role(r.role_id, r.name, int(r.rank), _none(r.catchment_service_id),
                                    _none(r.catchment_min_pop), _none(r.catchment_max_pop), _none(r.min_sites),
                                    _none(r.max_sites), float(_none(r.fixed_cost_gbp_k) or 0.0),
                                    bool(r.from_bundle))
    for r in system["role_services"].itertuples():
        if r.role_id in out.roles:
            out.roles[r.role_id].bundle.append(r.service_id)
            if r.needs_role:
                out.roles[r.role_id].needs.add(r.service_id)
    for r in system["site_roles"].itertuples():
        out.allowed.append((r.role_id, r.site_id))
        if r.today:
            out.today.add((r.role_id, r.site_id))
    return out


# ------------------------------------------------------------------ validation

def check_roles(system: System, log: ProblemLog) -> None:
    """Meaning checks of roles, role_services, site_roles and role options (cell types and references
    are checked by the table loader)."""
    t, f = system.tables, system.files
    roles = t["roles"]
    for _, r in roles.iterrows():
        lo, hi = r["catchment_min_pop"], r["catchment_max_pop"]
        if lo is not None and hi is not None and lo > hi:
            log.add(f["roles"], "catchment_min_pop exceeds catchment_max_pop", row=int(r["_row"]),
                    column="catchment_min_pop", value=lo, expected=f"at most {hi:g}")
        if (lo is not None or hi is not None) and not r["catchment_service_id"]:
            log.add(f["roles"], "a catchment band needs the service that measures it", row=int(r["_row"]),
                    column="catchment_service_id", expected="a service id (e.g. the emergency department)")
        if r["min_sites"] is not None and r["max_sites"] is not None and r["min_sites"] > r["max_sites"]:
            log.add(f["roles"], "min_sites exceeds max_sites", row=int(r["_row"]), column="min_sites",
                    value=r["min_sites"], expected=f"at most {r['max_sites']}")
    site_roles = t["site_roles"]
    allowed_n = site_roles.groupby("role_id").size().to_dict() if len(site_roles) else {}
    for _, r in roles.iterrows():
        n = allowed_n.get(r["role_id"], 0)
        if r["min_sites"] is not None and r["min_sites"] > n:
            log.add(f["roles"], f"min_sites is {r['min_sites']} but only {n} site(s) may take the role",
                    row=int(r["_row"]), column="min_sites", value=r["min_sites"],
                    expected=f"at most {n}, or more rows in site_roles")
    bundle: dict[str, list[str]] = defaultdict(list)
    needs: dict[str, set[str]] = defaultdict(set)
    for _, r in t["role_services"].iterrows():
        bundle[r["role_id"]].append(r["service_id"])
        if r["needs_role"]:
            needs[r["role_id"]].add(r["service_id"])
    ss = t["site_services"]
    today_services = {(r["site_id"], r["service_id"]) for _, r in ss.iterrows() if r["today"]}
    held: dict[str, str] = {}
    for _, r in site_roles.iterrows():
        if not r["today"]:
            continue
        site, role = r["site_id"], r["role_id"]
        if site in held:
            log.add(f["site_roles"], f"site '{site}' already holds role '{held[site]}' today; a site holds at "
                    "most one role", row=int(r["_row"]), column="today", value="true", expected="false")
            continue
        held[site] = role
        for k in bundle.get(role, []):
            if (site, k) not in today_services:
                log.add(f["site_roles"], f"site '{site}' holds role '{role}' today but does not provide '{k}' "
                        "today (site_services)", row=int(r["_row"]), column="today", value="true",
                        expected=f"false, or '{k}' provided at '{site}' today")
    rank = {r["role_id"]: r["rank"] for _, r in roles.iterrows()}
    derived = {r["role_id"] for _, r in roles.iterrows() if r["from_bundle"]}
    for _, r in site_roles.iterrows():
        site, role = r["site_id"], r["role_id"]
        ks = bundle.get(role, [])
        if role in derived and ks and all((site, k) in today_services for k in ks) and role in rank:
            held_rank = rank.get(held.get(site), None)
            if held_rank is None or held_rank > rank[role]:
                log.add(f["site_roles"], f"site '{site}' provides every service of role '{role}' today, so it "
                        f"holds '{role}' or a role of the same or a higher rank today, but it holds "
                        f"{repr(held[site]) if site in held else 'none'}", row=int(r["_row"]), column="today",
                        value=str(r["today"]).lower(), expected=f"'{role}' or a higher-ranked role held today")
    governed: dict[tuple[str, str], list[str]] = defaultdict(list)  # (site, service) -> roles needed
    for _, r in site_roles.iterrows():
        for k in needs.get(r["role_id"], ()):
            governed[r["site_id"], k].append(r["role_id"])
    for _, r in ss.iterrows():
        rs = governed.get((r["site_id"], r["service_id"]))
        if r["today"] and rs and held.get(r["site_id"]) not in rs:
            log.add(f["site_services"], f"'{r['service_id']}' runs at '{r['site_id']}' today only under a role "
                    f"({', '.join(rs)}), but the site holds none of them today", row=int(r["_row"]),
                    column="today", value="true", expected=f"a site_roles row for '{r['site_id']}' with today true")
    _check_role_options(system, log)


def _check_role_options(system: System, log: ProblemLog) -> None:
    opts = system.tables["options"]
    if opts.empty:
        return
    file = system.files["options"]
    allowed = {(r["role_id"], r["site_id"]) for _, r in system.tables["site_roles"].iterrows()}
    for _, r in opts[opts["item"] == "role"].iterrows():
        missing = [c for c in ("site_id", "role_id", "value") if r[c] in (None, "")]
        for c in missing:
            log.add(file, f"a 'role' row needs {c}", row=int(r["_row"]), column=c, expected=f"{c} for a 'role' option")
        if not missing and (r["role_id"], r["site_id"]) not in allowed:
            log.add(file, f"site '{r['site_id']}' may not take role '{r['role_id']}'", row=int(r["_row"]),
                    column="role_id", value=r["role_id"], expected="a (site, role) pair listed in site_roles")
        if r["value"] is not None and r["value"] not in (0, 1):
            log.add(file, "a role is held or not", row=int(r["_row"]), column="value", value=r["value"],
                    expected="1 or 0")


# ------------------------------------------------------------------ model

def add_role_constraints(m: pyo.ConcreteModel, inst: Instance, add, active: list[str],
                         pairs: dict[tuple[str, int], list[tuple[int, str]]], fix: str | None) -> dict[int, Any]:
    """Build role[r,s,t] and its constraints; return the role fixed cost by year (£000)."""
    rd = inst.roles
    years = inst.years
    T = range(len(years))
    m.role = pyo.Var([(r, s, t) for r, s in rd.allowed for t in T], domain=pyo.Binary)
    if not rd.allowed:
        return {t: 0 for t in T}
    _one_role_per_site(m, rd, add, T)
    impossible = _bundles(m, rd, add, set(active), T)
    _bundle_implies_role(m, rd, add, set(active), T)
    _needs_role(m, rd, add, T)
    c = inst.scenario.constraints
    first_free = len(years) if fix == "do_nothing" else (years.index(c.fixed_until) if c.fixed_until else 0)
    for t in range(first_free):  # today's roles while the configuration is today's
        for r, s in rd.allowed:
            if (r, s, t) not in impossible:
                m.role[r, s, t].fix(1 if (r, s) in rd.today else 0)
    total = float(inst.population.sum())
    for role in rd.roles.values():
        sites = [s for r, s in rd.allowed if r == role.id]
        for t in range(first_free, len(years)):
            _counts(m, role, sites, add, t)
            if role.banded:
                _catchment_band(m, inst, add, role, sites, t, pairs, total)
    if fix not in (None, "do_nothing"):
        _fix_from_option(m, inst, fix, impossible)
    return {t: sum(rd.roles[r].fixed_cost * m.role[r, s, t] for r, s in rd.allowed if rd.roles[r].fixed_cost)
            for t in T}


def _one_role_per_site(m, rd: RoleData, add, T) -> None:
    by_site: dict[str, list[str]] = defaultdict(list)
    for r, s in rd.allowed:
        by_site[s].append(r)
    for s, rs in by_site.items():
        if len(rs) > 1:
            for t in T:
                add(sum(m.role[r, s, t] for r in rs) <= 1)


def _bundles(m, rd: RoleData, add, live: set[str], T) -> set[tuple[str, str, int]]:
    """y[k,s,t] >= role[r,s,t] for k in bundle(r); a role whose bundle the site can never host is fixed to 0
    (returned). Services without demand anywhere are not in the model and are skipped."""
    impossible: set[tuple[str, str, int]] = set()
    for r, s in rd.allowed:
        for k in rd.roles[r].bundle:
            if k not in live:
                continue
            for t in T:
                if (k, s, t) in m.y:
                    add(m.y[k, s, t] >= m.role[r, s, t])
                else:
                    impossible.add((r, s, t))
                    m.role[r, s, t].fix(0)
    return impossible


def _bundle_implies_role(m, rd: RoleData, add, live: set[str], T) -> None:
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
        for t in T:
            add(sum(m.y[k, s, t] for k in bundle) - (len(bundle) - 1) <= sum(m.role[r2, s, t] for r2 in peers))


def _needs_role(m, rd: RoleData, add, T) -> None:
    """y[k,s,t] <= Σ role[r,s,t] over the roles site s may take that list k with needs_role."""
    governed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r, s in rd.allowed:
        for k in rd.roles[r].needs:
            governed[k, s].append(r)
    for (k, s), rs in governed.items():
        for t in T:
            if (k, s, t) in m.y:
                add(m.y[k, s, t] <= sum(m.role[r, s, t] for r in rs))


def _counts(m, role: Role, sites: list[str], add, t: int) -> None:
    n = sum(m.role[role.id, s, t] for s in sites)
    if role.min_sites:
        add(n >= role.min_sites)
    if role.max_sites is not None:
        add(n <= role.max_sites)


def _catchment_band(m, inst: Instance, add, role: Role, sites: list[str], t: int,
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
            add(pop_s >= role.min_pop * held)
        if role.max_pop is not None and role.max_pop < total:
            add(pop_s <= role.max_pop + (total - role.max_pop) * (1 - held))


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
