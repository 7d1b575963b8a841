"""With one service, one year, no beds and no capital the model reduces to the textbook location problems.

p-median, uncapacitated facility location and maximal covering are checked against brute force on small random
instances; OR-Library pmed1-pmed5 must reach their published optima through the ordinary input path (data
folder + imported travel matrix + scenario TOML, written by reconfig.inputs.benchdata).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from builders import make, solve, times

from reconfig.inputs.benchdata import read_optima, write_pmed_system
from reconfig.inputs.scenario import load_scenario
from reconfig.instance.build import build_instance
from reconfig.solve.solver import solve_instance

ORLIB = Path("/work/shared/benchmarks/orlib-pmed")


def location_case(tmp_path, rng, name, nz=7, ns=5, site_cost=None, service=None, pop=None, **settings):
    tt = rng.integers(1, 100, size=(nz, ns)).astype(float)
    sites, zones = [f"S{j}" for j in range(ns)], [f"z{i}" for i in range(nz)]
    pop = pop if pop is not None else [1000] * nz
    tables = {
        "sites": [{"site_id": s, "fixed_cost_gbp_k": 0 if site_cost is None else site_cost[j]}
                  for j, s in enumerate(sites)],
        "zones": [{"zone_id": z, "population": p} for z, p in zip(zones, pop, strict=True)],
        "services": [{"service_id": "a", **(service or {})}],
        "site_services": [{"service_id": "a", "site_id": s} for s in sites],
        "demand": [{"service_id": "a", "rate_per_1000": 1}],  # demand 1 per 1000 residents
    }
    sc = make(tmp_path, tables, name=name, **settings)
    built, out = solve(sc, times(tt, zones, sites))
    assert out.status == "optimal"
    return tt, out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_p_median(tmp_path, seed, p):
    rng = np.random.default_rng(seed)
    tt, out = location_case(tmp_path, rng, "pm", service={"min_sites": p, "max_sites": p},
                            objective={"weights": {"travel": 1.0}})
    best = min(tt[:, list(c)].min(axis=1).sum() for c in itertools.combinations(range(tt.shape[1]), p))
    # the engine's travel objective is the demand-weighted mean: × total demand (1 per zone)
    assert out.objective * tt.shape[0] == pytest.approx(best)


@pytest.mark.parametrize("seed", range(4))
def test_uncapacitated_facility_location(tmp_path, seed):
    rng = np.random.default_rng(100 + seed)
    f = rng.integers(0, 300, size=5).astype(float)
    nz = 7
    pop = rng.integers(1, 5, size=nz) * 1000  # demand 1-4 per zone
    # minimise fixed cost + sum_z d_z min tt: npv_cost (1 year, discount 0, no steady state) + D × mean travel
    d = pop / 1000
    tt, out = location_case(tmp_path, rng, "ufl", site_cost=f, pop=list(pop),
                            objective={"weights": {"npv_cost": 1.0, "travel": float(d.sum())}},
                            finance={"discount_rate": 0.0, "steady_state_years": 0})
    best = min(f[list(c)].sum() + d @ tt[:, list(c)].min(axis=1)
               for r in range(1, 6) for c in itertools.combinations(range(5), r))
    assert out.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [1, 2])
def test_maximal_covering(tmp_path, seed, p):
    rng = np.random.default_rng(200 + seed)
    nz, radius = 8, 30.0
    pop = rng.integers(1, 10, size=nz) * 100
    tt, out = location_case(tmp_path, rng, "mc", nz=nz, pop=list(pop),
                            service={"max_sites": p, "coverage_minutes": radius},
                            objective={"weights": {"coverage": 1.0}})
    best = max(pop[(tt[:, list(c)] <= radius).any(axis=1)].sum() for c in itertools.combinations(range(5), p))
    assert -out.objective == pytest.approx(best / pop.sum())  # coverage share is maximised as -share


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_orlib_pmed(tmp_path, n):
    name = f"pmed{n}"
    scenario = write_pmed_system(ORLIB / f"{name}.txt", tmp_path)
    inst = build_instance(load_scenario(scenario))
    _, out = solve_instance(inst, mip_gap=0.0)
    assert out.status == "optimal"
    assert out.objective * len(inst.zones) == pytest.approx(read_optima(ORLIB / "pmedopt.txt")[name], abs=1e-6)
