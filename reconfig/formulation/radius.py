"""Radius formulation for uncapacitated services, built lazily.

For zone z and service k the distinct times to hostable sites are L0 < L1 < … < Lm. With u[l] = 1 when no open
site lies within L_l, the zone's travel is L0 + Σ_l (L_{l+1} − L_l)·u[l] under the chain
u[l] + Σ_{s: tt = L_l} y[s] ≥ u[l−1] (u[−1] = 1) and the last level Σ_{s: tt = Lm} y[s] ≥ u[m−1].

Keeping only the first `keep` levels (and dropping the last-level row) gives a relaxation: the travel it charges
is min(true level, L_keep), never more than the truth. So the truncated model's bound is a valid bound on the full
model, and a solution in which every zone's nearest open site lies within its kept levels is priced exactly. After
each solve, `extend` adds levels for the zones whose nearest open site lies beyond them (and prices the solution
exactly); the solve loop re-solves until none do. This is the approach of García, Labbé and Marín (2011) for large
p-median problems; it changes the model's size, not its optimum.

Rows: radius_level[k,z,t,l] (the chain), radius_last[k,z,t] (the last level) and, with the max_travel
objective, radius_max_travel[k,z,t,l]: maxt[k] ≥ L_l·u[l−1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyomo.environ as pyo

from reconfig.formulation.built import Built, add_row

if TYPE_CHECKING:
    from reconfig.instance.build import Instance

LEVEL = ("service", "zone", "t", "level")  # key fields of the radius rows
MIN_SITES = 16  # sites the first levels cover, at least (zones with fewer reachable sites are built in full)


@dataclass
class Chain:
    """One zone's radius chain for one service."""

    k: str
    zi: int
    levels: np.ndarray  # distinct reachable times, ascending
    groups: list[list[str]]  # sites at each level
    keep: int  # u levels built: u[0..keep-1]; complete when keep == len(levels) - 1

    @property
    def complete(self) -> bool:
        return self.keep >= len(self.levels) - 1


@dataclass
class RadiusChains:
    """All radius chains of a model, the years they apply to, and how they feed the travel objectives."""

    chains: list[Chain]
    years: list[int]
    weight: dict[tuple[str, int, int], float]  # (k, zi, t) -> demand
    travel_scale: dict[tuple[str, int], float]  # (k, t) -> coefficient turning demand-minutes into the objective
    max_travel: bool
    rounds: int = 0
    parts: list[pyo.Var] = field(default_factory=list)

    @staticmethod
    def initial_keep(groups: list[list[str]], n_hosts: int, min_open: int) -> int:
        """Levels to build at first: enough to cover the nearest sites an open site is expected among
        (twice the hosts per open site, and at least MIN_SITES)."""
        target = max(MIN_SITES, math.ceil(2 * n_hosts / max(min_open, 1)))
        covered = np.cumsum([len(g) for g in groups])
        return min(len(groups) - 1, int(np.searchsorted(covered, target)) + 1)


def build_chains(inst: Instance, hosts: dict[str, list[str]], services: list[str], T: list[int], max_travel: bool,
                 travel_scale: dict[tuple[str, int], float]) -> RadiusChains:
    """One chain per (service, zone with demand): its distinct reachable times, the sites at each, first levels."""
    chains: list[Chain] = []
    weight: dict[tuple[str, int, int], float] = {}
    rc = RadiusChains(chains, T, weight, travel_scale, max_travel)
    for k in services:
        svc = inst.services[k]
        limit = svc.max_minutes if svc.max_minutes is not None else np.inf
        tt = inst.tt(k).reindex(columns=hosts[k]).to_numpy()
        dem = inst.demand[k]
        hosts_k = np.array(hosts[k], dtype=object)
        for zi in np.nonzero((dem[:, T] > 0).any(axis=1))[0]:
            row = tt[zi]
            ok = np.isfinite(row) & (row <= limit)
            if not ok.any():
                continue
            levels, inverse = np.unique(row[ok], return_inverse=True)
            sites = hosts_k[ok]
            groups = [list(sites[inverse == li]) for li in range(len(levels))]
            keep = rc.initial_keep(groups, len(hosts[k]), svc.min_sites or 1)
            chains.append(Chain(k, int(zi), levels, groups, keep))
            for t in T:
                if dem[zi, t] > 0:
                    weight[k, int(zi), t] = float(dem[zi, t])
    return rc


def add_levels(built: Built, rc: RadiusChains, spans: list[tuple[Chain, int, int]]) -> object:
    """Add u[lo..hi-1] and their chain rows for each (chain, lo, hi); return the travel cost they add."""
    m = built.model
    keys = [(c.k, c.zi, t, li) for c, lo, hi in spans for t in rc.years if (c.k, c.zi, t) in rc.weight
            for li in range(lo, hi)]
    u = pyo.Var(keys, bounds=(0, 1))
    m.add_component(f"u{rc.rounds}" if rc.rounds else "u", u)
    rc.parts.append(u)
    rc.rounds += 1
    y = m.y
    cost = 0
    for c, lo, hi in spans:
        zone = built.inst.zones[c.zi]
        for t in rc.years:
            year = built.inst.years[t]
            w = rc.weight.get((c.k, c.zi, t))
            if w is None:
                continue
            prev = 1 if lo == 0 else _u(rc, c.k, c.zi, t, lo - 1)
            for li in range(lo, hi):
                cur = u[c.k, c.zi, t, li]
                add_row(built, "radius_level", LEVEL, (c.k, zone, year, li),
                        cur + sum(y[c.k, s, t] for s in c.groups[li]) >= prev)
                prev = cur
                cost = cost + w * rc.travel_scale[c.k, t] * float(c.levels[li + 1] - c.levels[li]) * cur
                if rc.max_travel:
                    add_row(built, "radius_max_travel", LEVEL, (c.k, zone, year, li + 1),
                            m.maxt[c.k] >= float(c.levels[li + 1]) * cur)
            if hi >= len(c.levels) - 1:
                add_row(built, "radius_last", LEVEL[:3], (c.k, zone, year),
                        sum(y[c.k, s, t] for s in c.groups[-1]) >= prev)
    return cost


def _u(rc: RadiusChains, k: str, zi: int, t: int, li: int) -> pyo.Var:
    for part in rc.parts:
        if (k, zi, t, li) in part:
            return part[k, zi, t, li]
    raise KeyError((k, zi, t, li))


def initial(built: Built, rc: RadiusChains) -> object:
    """Build every chain's first levels; return the travel cost (demand-weighted, scaled) they contribute."""
    base = 0.0
    for c in rc.chains:
        for t in rc.years:
            w = rc.weight.get((c.k, c.zi, t))
            if w is not None:
                base += w * rc.travel_scale[c.k, t] * float(c.levels[0])
                if rc.max_travel:
                    add_row(built, "radius_max_travel", LEVEL,
                            (c.k, built.inst.zones[c.zi], built.inst.years[t], 0),
                            built.model.maxt[c.k] >= float(c.levels[0]))
    return base + add_levels(built, rc, [(c, 0, c.keep) for c in rc.chains if c.keep > 0])


def nearest_level(c: Chain, open_sites: set[str]) -> int | None:
    for li, g in enumerate(c.groups):
        if any(s in open_sites for s in g):
            return li
    return None


def extend(built: Built, rc: RadiusChains) -> bool:
    """After a solve: add levels where the solution's nearest open site lies beyond the kept ones.

    Sets the new variables to the values the current solution implies, so the objective evaluates exactly.
    Returns True when anything was added (the model must be solved again)."""
    m = built.model
    opened = {t: {} for t in rc.years}
    for (k, s, t), v in m.y.items():
        if v.value is not None and v.value > 0.5:
            opened[t].setdefault(k, set()).add(s)
    spans = []
    for c in rc.chains:
        if c.complete:
            continue
        need = 0
        for t in rc.years:
            if (c.k, c.zi, t) in rc.weight:
                li = nearest_level(c, opened[t].get(c.k, set()))
                need = max(need, len(c.levels) - 1 if li is None else li)
        if need > c.keep:
            new = min(len(c.levels) - 1, max(need + c.keep, 2 * c.keep))
            spans.append((c, c.keep, new))
    if not spans:
        return False
    extra = add_levels(built, rc, spans)
    for c, _, hi in spans:
        c.keep = hi
    m.travel_term.set_value(m.travel_term.expr + extra)
    _set_implied_values(built, rc, opened, spans)
    return True


def _set_implied_values(built: Built, rc: RadiusChains, opened: dict[int, dict[str, set[str]]],
                        spans: list[tuple[Chain, int, int]]) -> None:
    u = rc.parts[-1]
    maxt = built.model.maxt
    for c, lo, hi in spans:
        for t in rc.years:
            if (c.k, c.zi, t) not in rc.weight:
                continue
            li_open = nearest_level(c, opened[t].get(c.k, set()))
            for li in range(lo, hi):
                u[c.k, c.zi, t, li].set_value(1 if li_open is None or li < li_open else 0, skip_validation=True)
            if rc.max_travel and li_open is not None:
                maxt[c.k].set_value(max(maxt[c.k].value or 0.0, float(c.levels[li_open])), skip_validation=True)
