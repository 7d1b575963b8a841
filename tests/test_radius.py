"""The lazily built radius formulation (formulation/radius.py) gives the same optimum as the full one.

Truncation is forced (one site's worth of levels per zone at first), so the solve loop must add levels; the
answers are checked against brute-force enumeration, for the mean and the largest travel time, over two years.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from builders import make, solve, times

from reconfig.formulation import radius


def case(tmp_path, rng, objective, p, nz=9, ns=6, years=1):
    tt = rng.integers(1, 60, size=(nz, ns)).astype(float)
    sites, zones = [f"S{j}" for j in range(ns)], [f"z{i}" for i in range(nz)]
    pop = rng.integers(1, 6, size=nz) * 1000
    tables = {
        "sites": [{"site_id": s} for s in sites],
        "zones": [{"zone_id": z, "population": int(n)} for z, n in zip(zones, pop, strict=True)],
        "services": [{"service_id": "a", "min_sites": p, "max_sites": p}],
        "site_services": [{"service_id": "a", "site_id": s} for s in sites],
        "demand": [{"service_id": "a", "rate_per_1000": 1}],
    }
    sc = make(tmp_path, tables, years=years, name="radius", objective={"weights": {objective: 1.0}})
    return tt, pop / 1000, sc, times(tt, zones, sites)


@pytest.fixture
def truncate_hard(monkeypatch):
    monkeypatch.setattr(radius, "MIN_SITES", 1)
    monkeypatch.setattr(radius.RadiusChains, "initial_keep", staticmethod(lambda groups, n, p: 1))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("p", [1, 2])
def test_mean_travel_matches_brute_force(tmp_path, truncate_hard, seed, p):
    tt, d, sc, matrix = case(tmp_path, np.random.default_rng(seed), "travel", p)
    built, out = solve(sc, matrix)
    best = min(d @ tt[:, list(c)].min(axis=1) for c in itertools.combinations(range(tt.shape[1]), p)) / d.sum()
    assert out.status == "optimal"
    assert out.objective == pytest.approx(best)
    assert built.chains.rounds >= 2  # the forced truncation had to be extended


@pytest.mark.parametrize("seed", range(3))
def test_max_travel_matches_brute_force(tmp_path, truncate_hard, seed):
    tt, _, sc, matrix = case(tmp_path, np.random.default_rng(50 + seed), "max_travel", 2, years=2)
    built, out = solve(sc, matrix)
    best = min(tt[:, list(c)].min(axis=1).max() for c in itertools.combinations(range(tt.shape[1]), 2))
    assert out.status == "optimal"
    assert out.objective == pytest.approx(best)


def test_untruncated_by_default_on_small_instances(tmp_path):
    tt, d, sc, matrix = case(tmp_path, np.random.default_rng(7), "travel", 2)
    built, out = solve(sc, matrix)
    assert all(c.complete for c in built.chains.chains)
    assert built.chains.rounds == 1
