"""One small case per constraint family of the reference formulation (docs FORMULATION.md).

Each test solves a tiny instance with the constraint in force and asserts the constrained optimum, then solves a
variant input without it (rule row dropped, limit loosened, feature switched off) and asserts the answer differs.
Money is £000, discount rate 0 unless stated, so npv_cost is the plain sum over years.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyomo.environ as pyo
import pytest
from builders import make, open_services, solve, started, times

from reconfig.instance.build import build_instance
from reconfig.solve.solver import solve_instance

ASSIGN = {"max_volume": 1e9}  # any volume limit puts a service on explicit assignment variables x[z,k,s,t]
KINDS = {"radius": {}, "assign": ASSIGN}


def system(sites: dict[str, Any], zones: dict[str, int], services: list[Any] = ("a",),
           hosts: list[tuple[str, str]] | dict | None = None, **more: list[dict]) -> dict[str, list[dict]]:
    """sites {id: fixed cost | row}; zones {id: population}; services ids | rows; hosts (service, site) pairs
    that can host without a scheme (default every pair) or {pair: row overrides}. Demand = population."""
    srows = [{"site_id": s, **(v if isinstance(v, dict) else {"fixed_cost_gbp_k": v})} for s, v in sites.items()]
    krows = [v if isinstance(v, dict) else {"service_id": v} for v in services]
    ks = [r["service_id"] for r in krows]
    if hosts is None:
        hosts = [(k, s) for k in ks for s in sites]
    hrows = [{"service_id": k, "site_id": s, **(hosts[k, s] if isinstance(hosts, dict) else {})} for k, s in hosts]
    out = {"sites": srows, "zones": [{"zone_id": z, "population": p} for z, p in zones.items()],
           "services": krows, "site_services": hrows,
           "demand": [{"service_id": k} for k in ks]}
    if "demand" in more:  # rows given for a service replace its default row
        extra = {r["service_id"]: r for r in more.pop("demand")}
        out["demand"] = [{**r, **extra.get(r["service_id"], {})} for r in out["demand"]]
    out.update(more)
    return out


def run(tmp_path: Path, tables: dict, matrix, name: str, years: int = 1, fix: str | None = None,
        do_nothing_cost: float | None = None, **settings):
    zones = [r["zone_id"] for r in tables["zones"]]
    sites = [r["site_id"] for r in tables["sites"]]
    sc = make(tmp_path, tables, years=years, name=name, **settings)
    built, out = solve(sc, times(matrix, zones, sites), fix=fix, do_nothing_cost=do_nothing_cost)
    return built, out


def obj(tmp_path, tables, matrix, name, **kw) -> float:
    built, out = run(tmp_path, tables, matrix, name, **kw)
    assert out.status == "optimal", (name, out.status, out.message)
    return out.objective


def val(v) -> float:
    return float(pyo.value(v))


TRAVEL = {"weights": {"travel": 1.0}}


# --- 1. demand met -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_demand_met(tmp_path, kind):
    t = system({"A": 10, "B": 20}, {"z1": 1000}, [{"service_id": "a", **KINDS[kind]}])
    built, out = run(tmp_path, t, [[5, 10]], "met")
    assert out.objective == pytest.approx(10) and open_services(built) == {("a", "A")}
    # without it (unmet allowed at a tiny price): nothing opens, 1000 units × £0.001k unmet
    built, out = run(tmp_path, t, [[5, 10]], "unmet", constraints={"allow_unmet": True, "unmet_penalty_gbp_k": 0.001})
    assert out.objective == pytest.approx(1.0) and open_services(built) == set()
    # a dear penalty restores the constrained answer
    assert obj(tmp_path, t, [[5, 10]], "unmet2",
               constraints={"allow_unmet": True, "unmet_penalty_gbp_k": 1.0}) == pytest.approx(10)


# --- 2. linking x <= y <= open -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_linking(tmp_path, kind):
    t = system({"A": 100, "B": 0}, {"z1": 1000}, [{"service_id": "a", **KINDS[kind]}])
    w = {"weights": {"npv_cost": 1.0, "travel": 1.0}}
    built, out = run(tmp_path, t, [[1, 50]], "link", objective=w)
    # near site A would give 100 + 1; unlinked (serve from A without opening it) would give 1
    assert out.objective == pytest.approx(50)
    assert val(built.model.open["A", 0]) < 0.5 and val(built.model.y["a", "B", 0]) > 0.5  # B has no open: no cost
    t["sites"][0]["fixed_cost_gbp_k"] = 0  # variant: opening A is free
    assert obj(tmp_path, t, [[1, 50]], "link2", objective=w) == pytest.approx(1)


# --- 3. hard travel limit ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_hard_travel_max(tmp_path, kind):
    tt = [[10, 20], [60, 20]]
    t = system({"A": 0, "B": 10}, {"z1": 500, "z2": 500}, [{"service_id": "a", "access_max_minutes": 30,
                                                            **KINDS[kind]}])
    built, out = run(tmp_path, t, tt, "max")
    assert out.objective == pytest.approx(10) and ("a", "B") in open_services(built)
    t["services"][0].pop("access_max_minutes")
    assert obj(tmp_path, t, tt, "nomax") == pytest.approx(0)
    # the scenario's [[access]] override does the same
    assert obj(tmp_path, t, tt, "ovr", access=[{"service": "a", "max_minutes": 30}]) == pytest.approx(10)


def test_max_travel_objective_with_assignment(tmp_path):
    # one site: A gives longest trips of 30 minutes, B of 40
    t = system({"A": 0, "B": 0}, {"z1": 100, "z2": 100}, [{"service_id": "a", "max_sites": 1, **ASSIGN}])
    built, out = run(tmp_path, t, [[10, 40], [30, 20]], "maxt", objective={"weights": {"max_travel": 1.0}})
    assert out.objective == pytest.approx(30) and open_services(built) == {("a", "A")}


# --- 3b. coverage share ------------------------------------------------------------------------------------------
def test_coverage_share(tmp_path):
    tt = [[10, 20], [60, 20]]
    t = system({"A": 0, "B": 10}, {"z1": 800, "z2": 200},
               [{"service_id": "a", "coverage_minutes": 30, "coverage_share": 0.9}])
    built, out = run(tmp_path, t, tt, "cov")
    assert out.objective == pytest.approx(10) and ("a", "B") in open_services(built)
    t["services"][0]["coverage_share"] = 0.8  # A alone covers 80 %
    built, out = run(tmp_path, t, tt, "cov2")
    assert out.objective == pytest.approx(0) and open_services(built) == {("a", "A")}


# --- 4. closest assignment ---------------------------------------------------------------------------------------
def test_closest_assignment(tmp_path):
    # with both sites open, B only reaches min_volume 60 if the optimiser sends some of z1 there (not nearest)
    tt = [[10, 20], [20, 10], [5, 30]]
    svc = {"service_id": "a", "min_volume": 60, "closest_assignment": True}
    t = system({"A": 0, "B": 0}, {"z1": 100, "z2": 50, "z3": 50}, [svc])
    built, out = run(tmp_path, t, tt, "closest", objective=TRAVEL)
    assert out.objective == pytest.approx(2250 / 200) and open_services(built) == {("a", "A")}
    svc["closest_assignment"] = False
    built, out = run(tmp_path, t, tt, "free", objective=TRAVEL)
    assert out.objective == pytest.approx(1850 / 200) and open_services(built) == {("a", "A"), ("a", "B")}


# --- 5. beds: occupancy and ward size ----------------------------------------------------------------------------
def _bedded(occupancy=1.0, ward_size=3, capacity=100, **svc):
    # 20 admissions × 36.5 days = 730 bed-days = 2 beds at 100 % occupancy
    return system({"A": {"bed_capacity": capacity}}, {"z1": 20}, [{"service_id": "a", "bed_type": "ac", **svc}],
                  bed_types=[{"bed_type": "ac", "ward_size": ward_size, "occupancy": occupancy,
                              "cost_per_bed_gbp_k": 1, "cost_per_ward_gbp_k": 100}],
                  demand=[{"service_id": "a", "los_days": 36.5}])


def test_beds_occupancy_and_wards(tmp_path):
    built, out = run(tmp_path, _bedded(1.0), [[1]], "occ1")
    assert out.objective == pytest.approx(2 * 1 + 100) and val(built.model.beds["ac", "A", 0]) == pytest.approx(2)
    # lower occupancy: 4 beds in 2 wards of 3
    assert obj(tmp_path, _bedded(0.5), [[1]], "occ05") == pytest.approx(4 * 1 + 2 * 100)
    # ward granularity: beds come in whole wards of 3
    assert obj(tmp_path, _bedded(1.0), [[1]], "ward",
               constraints={"bed_granularity": "ward"}) == pytest.approx(3 * 1 + 100)


def test_ward_changes_per_year(tmp_path):
    # A holds one ward today and costs 50 a year while open; B is free but has no ward. Moving the service to B is
    # two ward changes (A down, B up): with at most one a year it stays at A.
    t = system({"A": {"fixed_cost_gbp_k": 50, "bed_capacity": 100}, "B": {"bed_capacity": 100}}, {"z1": 20},
               [{"service_id": "a", "bed_type": "ac"}],
               bed_types=[{"bed_type": "ac", "ward_size": 3, "cost_per_bed_gbp_k": 1, "cost_per_ward_gbp_k": 100}],
               beds_today=[{"site_id": "A", "bed_type": "ac", "beds": 3}],
               demand=[{"service_id": "a", "los_days": 36.5}])
    ward = {"bed_granularity": "ward"}
    built, out = run(tmp_path, t, [[1, 1]], "wchg", constraints={**ward, "max_ward_changes_per_year": 1})
    assert out.objective == pytest.approx(50 + 3 + 100) and val(built.model.beds["ac", "A", 0]) == pytest.approx(3)
    built, out = run(tmp_path, t, [[1, 1]], "wfree", constraints=ward)
    assert out.objective == pytest.approx(3 + 100) and val(built.model.beds["ac", "B", 0]) == pytest.approx(3)


# --- 5b. physical capacity and scheme add_capacity -----------------------------------------------------------------
def test_physical_capacity_and_add_capacity(tmp_path):
    bt = [{"bed_type": "ac", "cost_per_bed_gbp_k": 1}]
    svc = [{"service_id": "a", "bed_type": "ac", "max_sites": 1}]
    sites = {"A": {"bed_capacity": 1}, "B": {"bed_capacity": 10, "fixed_cost_gbp_k": 50}}

    def case(**more):
        return system(sites, {"z1": 20}, svc, bed_types=bt, demand=[{"service_id": "a", "los_days": 36.5}], **more)

    built, out = run(tmp_path, case(), [[1, 1]], "cap")
    assert out.objective == pytest.approx(52) and open_services(built) == {("a", "B")}  # A holds 1 of 2 beds
    scheme = dict(schemes=[{"scheme_id": "S", "site_id": "A"}],
                  scheme_costs=[{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": 20}],
                  scheme_effects=[{"scheme_id": "S", "effect": "add_capacity", "amount": 5}])
    built, out = run(tmp_path, case(**scheme), [[1, 1]], "addcap")
    assert out.objective == pytest.approx(22) and open_services(built) == {("a", "A")} and started(built) == {("S", 0)}
    sites["A"]["bed_capacity"] = 5  # variant: room without works
    assert obj(tmp_path, case(), [[1, 1]], "roomy") == pytest.approx(2)


# --- 6. service enablement by scheme -------------------------------------------------------------------------------
def _enable(cost=5, lead=0, **scheme):
    return dict(schemes=[{"scheme_id": "S", "site_id": "A", "lead_years": lead, **scheme}],
                scheme_costs=[{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": cost}],
                scheme_effects=[{"scheme_id": "S", "effect": "enable_service", "service_id": "a"}])


def _ab(**more):
    """A (free) can host 'a' only through a scheme; B (10 a year) can host it today."""
    return system({"A": 0, "B": 10}, {"z1": 100}, hosts=[("a", "B")], **more)


def test_service_enablement(tmp_path):
    built, out = run(tmp_path, _ab(**_enable(5)), [[1, 1]], "en")
    assert out.objective == pytest.approx(5) and open_services(built) == {("a", "A")}
    built, out = run(tmp_path, _ab(), [[1, 1]], "noscheme")  # without the scheme A can never host it
    assert out.objective == pytest.approx(10) and open_services(built) == {("a", "B")}
    assert ("a", "A", 0) not in built.model.y


# --- 7. volumes and counts ---------------------------------------------------------------------------------------
def test_min_volume(tmp_path):
    tt = [[10, 50], [50, 10]]
    t = system({"A": 0, "B": 0}, {"z1": 100, "z2": 100}, [{"service_id": "a", "min_volume": 150}])
    built, out = run(tmp_path, t, tt, "minv", objective=TRAVEL)
    assert out.objective == pytest.approx(30) and len(open_services(built)) == 1
    t["services"][0]["min_volume"] = 100
    assert obj(tmp_path, t, tt, "minv2", objective=TRAVEL) == pytest.approx(10)


def test_max_volume(tmp_path):
    t = system({"A": 0, "B": 10}, {"z1": 200}, [{"service_id": "a", "max_volume": 150}])
    built, out = run(tmp_path, t, [[1, 1]], "maxv")
    assert out.objective == pytest.approx(10) and open_services(built) == {("a", "A"), ("a", "B")}
    t["services"][0]["max_volume"] = 200
    assert obj(tmp_path, t, [[1, 1]], "maxv2") == pytest.approx(0)


def test_max_sites(tmp_path):
    tt = [[10, 50], [50, 10]]
    t = system({"A": 0, "B": 0}, {"z1": 100, "z2": 100}, [{"service_id": "a", "max_sites": 1}])
    assert obj(tmp_path, t, tt, "maxs", objective=TRAVEL) == pytest.approx(30)
    t["services"][0]["max_sites"] = 2
    assert obj(tmp_path, t, tt, "maxs2", objective=TRAVEL) == pytest.approx(10)


def test_min_sites(tmp_path):
    t = system({"A": 10, "B": 10, "C": 10}, {"z1": 100}, [{"service_id": "a", "min_sites": 2}])
    built, out = run(tmp_path, t, [[1, 1, 1]], "mins")
    assert out.objective == pytest.approx(20) and len(open_services(built)) == 2
    t["services"][0]["min_sites"] = 1
    assert obj(tmp_path, t, [[1, 1, 1]], "mins1") == pytest.approx(10)


# --- 8. requires / excludes --------------------------------------------------------------------------------------
def test_requires(tmp_path):
    t = system({"A": 5, "B": 10, "C": 3}, {"z1": 100}, ["a", "b"],
               hosts=[("a", "A"), ("a", "B"), ("b", "B"), ("b", "C")],
               rules=[{"rule": "requires", "service_id": "a", "other_service_id": "b"}])
    built, out = run(tmp_path, t, [[1, 1, 1]], "req")
    assert out.objective == pytest.approx(10) and open_services(built) == {("a", "B"), ("b", "B")}
    t.pop("rules")
    built, out = run(tmp_path, t, [[1, 1, 1]], "noreq")
    assert out.objective == pytest.approx(8) and open_services(built) == {("a", "A"), ("b", "C")}


def test_excludes(tmp_path):
    t = system({"A": 0, "B": 10}, {"z1": 100}, ["a", "b"],
               rules=[{"rule": "excludes", "service_id": "a", "other_service_id": "b"}])
    built, out = run(tmp_path, t, [[1, 1]], "exc")
    assert out.objective == pytest.approx(10) and len({s for _, s in open_services(built)}) == 2
    t.pop("rules")
    assert obj(tmp_path, t, [[1, 1]], "noexc") == pytest.approx(0)


# --- 8b. must / forbid -------------------------------------------------------------------------------------------
def test_must(tmp_path):
    t = system({"A": 0, "B": 10}, {"z1": 100}, rules=[{"rule": "must", "service_id": "a", "site_id": "B"}])
    built, out = run(tmp_path, t, [[1, 1]], "must")
    assert out.objective == pytest.approx(10) and ("a", "B") in open_services(built)
    t.pop("rules")
    assert obj(tmp_path, t, [[1, 1]], "nomust") == pytest.approx(0)


def test_must_without_site(tmp_path):
    # service b costs 7 a year wherever it runs; leaving its 100 units unserved costs 0.01 each: a site-less
    # `must` keeps it running at one site
    t = system({"A": 0, "B": 0}, {"z1": 100}, ["a", {"service_id": "b", "fixed_cost_gbp_k": 7, **ASSIGN}],
               rules=[{"rule": "must", "service_id": "b"}])
    unmet = {"allow_unmet": True, "unmet_penalty_gbp_k": 0.01}
    built, out = run(tmp_path, t, [[1, 1]], "mustany", constraints=unmet)
    assert out.objective == pytest.approx(7) and len({s for k, s in open_services(built) if k == "b"}) == 1
    t.pop("rules")
    assert obj(tmp_path, t, [[1, 1]], "nomustany", constraints=unmet) == pytest.approx(1)


def test_forbid_with_years(tmp_path):
    rule = {"rule": "forbid", "service_id": "a", "site_id": "A", "from_year": "2019/20", "to_year": "2019/20"}
    t = system({"A": 0, "B": 10}, {"z1": 100}, rules=[rule])
    built, out = run(tmp_path, t, [[1, 1]], "forbid", years=2)
    assert out.objective == pytest.approx(10)
    assert open_services(built, 0) == {("a", "A")} and open_services(built, 1) == {("a", "B")}
    t.pop("rules")
    assert obj(tmp_path, t, [[1, 1]], "noforbid", years=2) == pytest.approx(0)


# --- 9. scheme timing --------------------------------------------------------------------------------------------
def test_scheme_lead_time(tmp_path):
    built, out = run(tmp_path, _ab(**_enable(5, lead=1)), [[1, 1]], "lead", years=2)
    assert out.objective == pytest.approx(15) and started(built) == {("S", 0)}
    assert open_services(built, 0) == {("a", "B")} and open_services(built, 1) == {("a", "A")}
    assert obj(tmp_path, _ab(**_enable(5, lead=0)), [[1, 1]], "lead0", years=2) == pytest.approx(5)


def test_mandatory_scheme(tmp_path):
    more = dict(schemes=[{"scheme_id": "M", "site_id": "A", "mandatory": True}],
                scheme_costs=[{"scheme_id": "M", "year_offset": 0, "cost_gbp_k": 5}])
    built, out = run(tmp_path, _ab(**more), [[1, 1]], "mand")
    assert out.objective == pytest.approx(15) and started(built) == {("M", 0)}
    more["schemes"][0]["mandatory"] = False
    built, out = run(tmp_path, _ab(**more), [[1, 1]], "opt")
    assert out.objective == pytest.approx(10) and started(built) == set()


def _prereq(kind: str | None, lead2: int):
    """S1 (1, lead 1, no effect); S2 (1, lead `lead2`) enables 'a' at A; B costs 10 a year; 2 years."""
    more = dict(schemes=[{"scheme_id": "S1", "site_id": "A", "lead_years": 1},
                         {"scheme_id": "S2", "site_id": "A", "lead_years": lead2}],
                scheme_costs=[{"scheme_id": c, "year_offset": 0, "cost_gbp_k": 1} for c in ("S1", "S2")],
                scheme_effects=[{"scheme_id": "S2", "effect": "enable_service", "service_id": "a"}])
    if kind:
        more["scheme_prereqs"] = [{"scheme_id": "S2", "requires_scheme_id": "S1", "kind": kind}]
    return _ab(**more)


def test_prereq_start_after_done(tmp_path):
    # lead 0: S2 must wait for S1 (done in year 2): 1 + 1 + B in year 1
    built, out = run(tmp_path, _prereq("start_after_done", 0), [[1, 1]], "sad", years=2)
    assert out.objective == pytest.approx(12) and started(built) == {("S1", 0), ("S2", 1)}
    assert obj(tmp_path, _prereq(None, 0), [[1, 1]], "none0", years=2) == pytest.approx(1)
    # lead 1: S2 could only be usable after the horizon, so it is pointless
    assert obj(tmp_path, _prereq("start_after_done", 1), [[1, 1]], "sad1", years=2) == pytest.approx(20)


def test_prereq_done_with(tmp_path):
    # lead 1 for both: start together in year 1, both usable in year 2 (start_after_done could not: 20)
    built, out = run(tmp_path, _prereq("done_with", 1), [[1, 1]], "dw", years=2)
    assert out.objective == pytest.approx(12) and started(built) == {("S1", 0), ("S2", 0)}
    # lead 0 for S2: without the rule it is usable at once (1); with it, only once S1 is (12)
    assert obj(tmp_path, _prereq("done_with", 0), [[1, 1]], "dw0", years=2) == pytest.approx(12)
    assert obj(tmp_path, _prereq(None, 0), [[1, 1]], "none", years=2) == pytest.approx(1)


def test_exclusive_group(tmp_path):
    def case(group):
        return system({"A": 0, "B": 10, "C": 10}, {"z1": 100}, ["a", "b"], hosts=[("a", "B"), ("b", "C")],
                      schemes=[{"scheme_id": c, "site_id": "A", "exclusive_group": group} for c in ("Sa", "Sb")],
                      scheme_costs=[{"scheme_id": c, "year_offset": 0, "cost_gbp_k": 1} for c in ("Sa", "Sb")],
                      scheme_effects=[{"scheme_id": f"S{k}", "effect": "enable_service", "service_id": k}
                                      for k in "ab"])
    built, out = run(tmp_path, case("g"), [[1, 1, 1]], "grp")
    assert out.objective == pytest.approx(11) and len(started(built)) == 1
    assert obj(tmp_path, case(None), [[1, 1, 1]], "nogrp") == pytest.approx(2)


def test_earliest_start(tmp_path):
    built, out = run(tmp_path, _ab(**_enable(1, earliest_start="2019/20")), [[1, 1]], "early", years=2)
    assert out.objective == pytest.approx(11) and started(built) == {("S", 1)}
    assert obj(tmp_path, _ab(**_enable(1)), [[1, 1]], "early0", years=2) == pytest.approx(1)


def test_latest_start(tmp_path):
    # discount 50 %: a mandatory scheme is cheapest started late, unless latest_start forbids it
    more = dict(schemes=[{"scheme_id": "M", "site_id": "A", "mandatory": True, "latest_start": "2018/19"}],
                scheme_costs=[{"scheme_id": "M", "year_offset": 0, "cost_gbp_k": 10}])
    fin = {"discount_rate": 0.5}
    t = system({"A": 0}, {"z1": 100}, **more)
    built, out = run(tmp_path, t, [[1]], "late", years=2, finance=fin)
    assert out.objective == pytest.approx(10) and started(built) == {("M", 0)}
    more["schemes"][0].pop("latest_start")
    built, out = run(tmp_path, system({"A": 0}, {"z1": 100}, **more), [[1]], "late2", years=2, finance=fin)
    assert out.objective == pytest.approx(10 / 1.5) and started(built) == {("M", 1)}


# --- 10. capital spend profile, funding, limits --------------------------------------------------------------------
def test_spend_profile_and_capital_limit(tmp_path):
    split = _enable(5)
    split["scheme_costs"] = [{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": 3},
                             {"scheme_id": "S", "year_offset": 1, "cost_gbp_k": 2}]
    lim = {"capital_limit_gbp_k": {"2018/19": 4}}
    fin = {"discount_rate": 0.1}
    # the spend after the horizon is still counted, discounted
    assert obj(tmp_path, _ab(**split), [[1, 1]], "split", finance=fin, constraints=lim) == pytest.approx(3 + 2 / 1.1)
    # the same 5 spent in one year breaks the limit of 4
    built, out = run(tmp_path, _ab(**_enable(5)), [[1, 1]], "lump", finance=fin, constraints=lim)
    assert out.objective == pytest.approx(10) and started(built) == set()
    assert obj(tmp_path, _ab(**_enable(5)), [[1, 1]], "lump2", finance=fin,
               constraints={"capital_limit_gbp_k": {"2018/19": 5}}) == pytest.approx(5)


def test_capital_total(tmp_path):
    assert obj(tmp_path, _ab(**_enable(5)), [[1, 1]], "tot", constraints={"capital_total_gbp_k": 4}) == 10
    assert obj(tmp_path, _ab(**_enable(5)), [[1, 1]], "tot2", constraints={"capital_total_gbp_k": 5}) == 5


def _funded(avail=None, total=None, eligible=("*",)):
    more = _enable(5)
    more["schemes"].append({"scheme_id": "O", "site_id": "B"})  # another scheme, never worth starting
    more["scheme_costs"].append({"scheme_id": "O", "year_offset": 0, "cost_gbp_k": 1})
    more["funding"] = [{"funding_id": "f", "year": y, "available_gbp_k": v}
                       for y, v in (("2018/19", avail), ("total", total)) if v is not None]
    more["funding_eligibility"] = [{"funding_id": "f", "scheme_id": c} for c in eligible]
    return _ab(**more)


def test_funding_availability(tmp_path):
    assert obj(tmp_path, _funded(avail=4), [[1, 1]], "f4") == pytest.approx(10)
    assert obj(tmp_path, _funded(avail=5), [[1, 1]], "f5") == pytest.approx(5)
    assert obj(tmp_path, _funded(avail=100, total=4), [[1, 1]], "ft4") == pytest.approx(10)
    assert obj(tmp_path, _funded(total=5), [[1, 1]], "ft5") == pytest.approx(5)


def test_funding_eligibility(tmp_path):
    built, out = run(tmp_path, _funded(avail=100, eligible=("O",)), [[1, 1]], "inelig")
    assert out.objective == pytest.approx(10) and started(built) == set()
    built, out = run(tmp_path, _funded(avail=100, eligible=("O", "S")), [[1, 1]], "elig")
    assert out.objective == pytest.approx(5) and out.values["funding_by_source_and_year"] == {"f": {"2018/19": 5}}


# --- 11. disposals -----------------------------------------------------------------------------------------------
def test_disposal_vacates_site(tmp_path):
    def case(value):
        return system({"A": 0, "B": 10}, {"z1": 100}, disposals=[
            {"disposal_id": "dA", "site_id": "A", "value_gbp_k": value, "vacates": "*"}])

    built, out = run(tmp_path, case(20), [[1, 1]], "sell")
    # selling A means closing it: 10 - 20 (ignoring the vacate rule would give -20)
    assert out.objective == pytest.approx(-10) and open_services(built) == {("a", "B")}
    assert val(built.model.open["A", 0]) < 0.5
    built, out = run(tmp_path, case(5), [[1, 1]], "keep")
    assert out.objective == pytest.approx(0) and out.values["disposals"] == []


def test_disposal_vacates_services(tmp_path):
    def case(vacates):
        return system({"A": 0, "B": 10}, {"z1": 100}, ["a", "b"], hosts=[("a", "A"), ("a", "B"), ("b", "A")],
                      disposals=[{"disposal_id": "dA", "site_id": "A", "value_gbp_k": 20, "vacates": vacates}])

    built, out = run(tmp_path, case("a"), [[1, 1]], "va")
    assert out.objective == pytest.approx(-10) and open_services(built) == {("a", "B"), ("b", "A")}
    # 'b' can only run at A, so the whole site can never be vacated
    assert obj(tmp_path, case("*"), [[1, 1]], "vall") == pytest.approx(0)
    assert obj(tmp_path, case("a;b"), [[1, 1]], "vab") == pytest.approx(0)


def test_disposal_requires_scheme(tmp_path):
    def case(requires):
        return system({"A": 0, "B": 10}, {"z1": 100},
                      schemes=[{"scheme_id": "R", "site_id": "B"}],
                      scheme_costs=[{"scheme_id": "R", "year_offset": 0, "cost_gbp_k": 15}],
                      disposals=[{"disposal_id": "dA", "site_id": "A", "value_gbp_k": 20, "vacates": "*",
                                  "requires_scheme_id": requires}])

    built, out = run(tmp_path, case("R"), [[1, 1]], "req")
    assert out.objective == pytest.approx(0) and out.values["disposals"] == []  # 10 - 20 + 15 > 0
    assert obj(tmp_path, case(None), [[1, 1]], "noreq") == pytest.approx(-10)


def test_disposal_proceeds_feed_funding(tmp_path):
    def case(feed):
        return system({"A": 0, "B": 10, "C": 0}, {"z1": 100}, hosts=[("a", "A"), ("a", "B")],
                      schemes=[{"scheme_id": "S", "site_id": "C"}],
                      scheme_costs=[{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": 5}],
                      scheme_effects=[{"scheme_id": "S", "effect": "enable_service", "service_id": "a"}],
                      funding=[{"funding_id": "f", "year": "2018/19", "available_gbp_k": 0}],
                      funding_eligibility=[{"funding_id": "f", "scheme_id": "*"}],
                      disposals=[{"disposal_id": "dA", "site_id": "A", "value_gbp_k": 6, "vacates": "*",
                                  "funding_id": feed}])

    built, out = run(tmp_path, case("f"), [[1, 1, 1]], "feed")
    # sell A (6), which pays for the scheme at C (5): -1
    assert out.objective == pytest.approx(-1) and open_services(built) == {("a", "C")}
    # proceeds not feeding the fund: the scheme cannot be paid for; keeping A (0) beats selling into B (4)
    built, out = run(tmp_path, case(None), [[1, 1, 1]], "nofeed")
    assert out.objective == pytest.approx(0) and open_services(built) == {("a", "A")}


# --- 12. stability -----------------------------------------------------------------------------------------------
def test_fixed_until(tmp_path):
    t = system({"A": 10, "B": 0}, {"z1": 100}, hosts={("a", "A"): {"today": True}, ("a", "B"): {}})
    built, out = run(tmp_path, t, [[1, 1]], "fixed", years=2, constraints={"fixed_until": "2019/20"})
    assert out.objective == pytest.approx(10)
    assert open_services(built, 0) == {("a", "A")} and open_services(built, 1) == {("a", "B")}
    assert obj(tmp_path, t, [[1, 1]], "free", years=2) == pytest.approx(0)


def test_monotone_closures(tmp_path):
    # 'a' (only at A) has no demand in year 1 and returns in year 2; 'b' can go to A or B
    t = system({"A": {"fixed_cost_gbp_k": 10}, "B": {"fixed_cost_gbp_k": 1, "open_today": False}}, {"z1": 100},
               ["a", "b"], hosts=[("a", "A"), ("b", "A"), ("b", "B")],
               growth=[{"year": "2018/19", "service_id": "a", "activity_shift_pct": -100},
                       {"year": "2019/20", "service_id": "a", "activity_shift_pct": 0}])
    built, out = run(tmp_path, t, [[1, 1]], "mono", years=2, constraints={"monotone_closures": True})
    assert out.objective == pytest.approx(20)
    assert val(built.model.open["A", 0]) > 0.5
    built, out = run(tmp_path, t, [[1, 1]], "nomono", years=2)
    assert out.objective == pytest.approx(11) and val(built.model.open["A", 0]) < 0.5


# --- 13. savings target vs do-nothing --------------------------------------------------------------------------------
def test_savings_target(tmp_path):
    # today 'a' runs at A (10 a year); a scheme (20) lets it move to C (2 a year)
    t = system({"A": 10, "C": 2}, {"z1": 100}, hosts={("a", "A"): {"today": True}},
               schemes=[{"scheme_id": "S", "site_id": "C"}],
               scheme_costs=[{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": 20}],
               scheme_effects=[{"scheme_id": "S", "effect": "enable_service", "service_id": "a"}])
    sc = make(tmp_path, t, name="sav", constraints={"savings_target_gbp_k": 5})
    inst = build_instance(sc, times=times([[1, 1]], ["z1"], ["A", "C"]))
    _, dn = solve_instance(inst, fix="do_nothing", mip_gap=0)
    dn_cost = dn.values["recurrent_cost_by_year"]["2018/19"]
    assert dn_cost == pytest.approx(10)
    built, out = solve_instance(inst, do_nothing_cost=dn_cost, mip_gap=0)
    assert out.objective == pytest.approx(22) and open_services(built) == {("a", "C")}
    # without the target the cheapest plan is to do nothing
    built, out = solve_instance(inst, mip_gap=0)
    assert out.objective == pytest.approx(10) and open_services(built) == {("a", "A")}


# --- 14. demand schemes ------------------------------------------------------------------------------------------
def test_demand_scheme(tmp_path):
    def case(lag=0, with_scheme=True):
        more = {}
        if with_scheme:
            more["demand_schemes"] = [{"scheme_id": "D", "service_id": "a", "reduction_pct": 50,
                                       "effect_lag_years": lag, "recurrent_cost_gbp_k": 10}]
        return system({"A": {"bed_capacity": 10}}, {"z1": 20}, [{"service_id": "a", "bed_type": "ac"}],
                      bed_types=[{"bed_type": "ac", "cost_per_bed_gbp_k": 100}],
                      demand=[{"service_id": "a", "los_days": 36.5}], **more)

    # 2 beds (200) without; halving demand needs 1 bed (100) + the scheme's 10
    built, out = run(tmp_path, case(), [[1]], "ds")
    assert out.objective == pytest.approx(110) and out.values["demand_schemes"] == [{"scheme": "D",
                                                                                     "start": "2018/19"}]
    assert obj(tmp_path, case(with_scheme=False), [[1]], "nods") == pytest.approx(200)
    assert obj(tmp_path, case(lag=1), [[1]], "lag") == pytest.approx(200)  # effect arrives after the horizon
