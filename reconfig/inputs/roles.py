"""Site roles as input (docs/input-format.md): role definitions, the sites that may hold them, and their checks.

The constraints are in reconfig/formulation/roles.py. Site roles (docs/formulation.md, "Site roles"): bundles of
services a site takes on together.

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

from reconfig.inputs.errors import ProblemLog

if TYPE_CHECKING:
    from reconfig.inputs.system import System


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
