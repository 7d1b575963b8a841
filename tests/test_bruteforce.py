"""Random tiny instances: the MILP optimum equals brute-force enumeration of every service-site configuration.

Objective npv_cost + w × travel with discount 0: per year, site fixed costs (a site is paid once whatever it
hosts) + service fixed costs + w × the mean over services and years of the demand-weighted mean minutes to the
nearest open site (services are uncapacitated, so nearest-open-site assignment is optimal). Years are identical,
so the best configuration is the same every year and the optimum is years × the best single-year value.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from builders import make, solve, times
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconfig.inputs.errors import InputError


@st.composite
def instances(draw):
    nz = draw(st.integers(3, 5))
    ns = draw(st.integers(2, 4))
    nk = draw(st.integers(1, 2))
    years = draw(st.integers(1, 2))
    ints = st.integers
    tt = np.array(draw(st.lists(st.lists(ints(1, 60), min_size=ns, max_size=ns), min_size=nz, max_size=nz)), float)
    pop = draw(st.lists(ints(1, 9), min_size=nz, max_size=nz))
    site_cost = draw(st.lists(ints(0, 50), min_size=ns, max_size=ns))
    services = []
    for k in range(nk):
        lo = draw(ints(0, ns))
        hi = draw(st.one_of(st.none(), ints(max(lo, 1), ns)))
        hosts = draw(st.lists(st.booleans(), min_size=ns, max_size=ns).filter(any))
        services.append({"id": f"k{k}", "fixed": draw(ints(0, 20)), "rate": draw(ints(1, 3)) * 100,
                         "min_sites": lo or None, "max_sites": hi,
                         "max_minutes": draw(st.one_of(st.none(), ints(20, 60))),
                         "assign": draw(st.booleans()), "hosts": hosts})
    w = draw(st.sampled_from([0.0, 0.5, 2.0, 10.0]))
    return {"tt": tt, "pop": pop, "site_cost": site_cost, "services": services, "years": years, "w": w}


def brute_force(case) -> float | None:
    tt, pop, svcs = case["tt"], np.array(case["pop"], float) * 100, case["services"]
    ns = tt.shape[1]
    per_service = []
    for s in svcs:
        demand = pop * s["rate"] / 1000
        opts = []
        sites = [j for j in range(ns) if s["hosts"][j]]
        for r in range(1, len(sites) + 1):
            for sub in itertools.combinations(sites, r):
                if s["min_sites"] and r < s["min_sites"] or s["max_sites"] is not None and r > s["max_sites"]:
                    continue
                best = tt[:, list(sub)].min(axis=1)
                if s["max_minutes"] is not None and (best > s["max_minutes"]).any():
                    continue
                opts.append((set(sub), s["fixed"] * r, float(demand @ best / demand.sum())))
        per_service.append(opts)
    nk, years = len(svcs), case["years"]
    best_value = None
    for combo in itertools.product(*per_service):
        open_sites = set().union(*(c[0] for c in combo))
        cost = sum(case["site_cost"][j] for j in open_sites) + sum(c[1] for c in combo)
        value = years * cost + case["w"] * sum(c[2] for c in combo) / nk
        if best_value is None or value < best_value:
            best_value = value
    return best_value


def engine(case, tmp_path, name):
    tt, ns, nz = case["tt"], case["tt"].shape[1], case["tt"].shape[0]
    sites, zones = [f"S{j}" for j in range(ns)], [f"z{i}" for i in range(nz)]
    svcs = case["services"]
    tables = {
        "sites": [{"site_id": s, "fixed_cost_gbp_k": c} for s, c in zip(sites, case["site_cost"], strict=True)],
        "zones": [{"zone_id": z, "population": p * 100} for z, p in zip(zones, case["pop"], strict=True)],
        "services": [{"service_id": s["id"], "fixed_cost_gbp_k": s["fixed"], "min_sites": s["min_sites"],
                      "max_sites": s["max_sites"], "access_max_minutes": s["max_minutes"],
                      "max_volume": 1e9 if s["assign"] else None} for s in svcs],
        "site_services": [{"service_id": s["id"], "site_id": sites[j]} for s in svcs for j in range(ns)
                          if s["hosts"][j]],
        "demand": [{"service_id": s["id"], "rate_per_1000": s["rate"]} for s in svcs],
    }
    weights = {"npv_cost": 1.0, "travel": case["w"]} if case["w"] else {"npv_cost": 1.0}
    sc = make(tmp_path, tables, years=case["years"], name=name, objective={"weights": weights})
    return solve(sc, times(tt, zones, sites))


COUNTER = itertools.count()


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=instances())
def test_milp_equals_brute_force(case, tmp_path):
    expected = brute_force(case)
    try:
        _, out = engine(case, tmp_path, f"c{next(COUNTER)}")
    except InputError:  # a zone with no host within the hard limit at all: no configuration is feasible
        assert expected is None
        return
    if expected is None:
        assert out.status == "infeasible"
    else:
        assert out.status == "optimal"
        assert out.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
