"""Site roles and rule groups: each constraint family changes the answer when it is removed.

Tiny systems in the style of tests/test_constraints.py. A constraint family of reconfig/formulation/roles.py is
removed by replacing its builder with a no-op (monkeypatch); data-driven ones (counts, bands, needs_role) also by
editing the input. Money £000, discount rate 0, one year unless stated.
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from builders import make, open_services, times
from test_constraints import run, system

from reconfig.formulation import demand_schemes as model_module
from reconfig.formulation import roles as roles_module
from reconfig.inputs.errors import InputError
from reconfig.instance.build import build_instance
from reconfig.results.summary import summary
from reconfig.solve.solver import solve_instance, solve_with_baseline

TT = [[10, 20], [20, 10]]  # z1 nearer A, z2 nearer B


def held(built, t: int = 0) -> set[tuple[str, str]]:
    """(role, site) pairs held in year index t."""
    m = built.model
    return {(r, s) for (r, s, t2) in m.role if t2 == t and pyo.value(m.role[r, s, t2]) > 0.5}


def role(role_id: str, **kw) -> dict:
    return {"role_id": role_id, "name": role_id, "rank": 1, **kw}


def two_sites(**more) -> dict:
    """Sites A and B (free), zones z1 (600) and z2 (400); services a and c hostable at both, c costs 5 a site."""
    return system({"A": 0, "B": 0}, {"z1": 600, "z2": 400},
                  ["a", {"service_id": "c", "fixed_cost_gbp_k": 5}], **more)


# --- role implies its bundle -----------------------------------------------------------------------------------
def test_role_implies_bundle(tmp_path, monkeypatch):
    # R must be held (min_sites 1) and only A may take it; c must run at B. R's bundle {a, c} puts c at A too.
    t = two_sites(roles=[role("R", min_sites=1)],
                  role_services=[{"role_id": "R", "service_id": k} for k in ("a", "c")],
                  site_roles=[{"site_id": "A", "role_id": "R", "today": False}],
                  rules=[{"rule": "must", "service_id": "c", "site_id": "B"}])
    built, out = run(tmp_path, t, TT, "bundle")
    assert out.objective == pytest.approx(10) and {("c", "A"), ("c", "B"), ("a", "A")} <= open_services(built)
    assert held(built) == {("R", "A")}
    assert out.values["roles"] == [{"site": "A", "role": "R", "year": "2018/19"}]
    t["role_services"] = [{"role_id": "R", "service_id": "a"}]  # c no longer in the bundle
    built, out = run(tmp_path, t, TT, "nobundle")
    assert out.objective == pytest.approx(5) and ("c", "A") not in open_services(built)
    t["role_services"] = [{"role_id": "R", "service_id": k} for k in ("a", "c")]
    monkeypatch.setattr(roles_module, "_bundles", lambda *a: set())
    assert run(tmp_path, t, TT, "nobundle2")[1].objective == pytest.approx(5)


def test_bundle_the_site_cannot_host_forbids_the_role(tmp_path):
    t = system({"A": 0, "B": 0}, {"z1": 100}, ["a", "c"], hosts=[("a", "A"), ("a", "B"), ("c", "B")],
               roles=[role("R", min_sites=1)], role_services=[{"role_id": "R", "service_id": k} for k in "ac"],
               site_roles=[{"site_id": s, "role_id": "R", "today": False} for s in "AB"])
    built, out = run(tmp_path, t, [[1, 1]], "cannot")
    assert out.status == "optimal" and held(built) == {("R", "B")}


# --- at most one role per site ----------------------------------------------------------------------------------
def test_at_most_one_role_per_site(tmp_path, monkeypatch):
    # R1 (only A) and R2 (A or B) must both be held; holding R2 at B puts c at B as well as at A (10, not 5)
    t = two_sites(roles=[role("R1", min_sites=1), role("R2", min_sites=1)],
                  role_services=[{"role_id": r, "service_id": "c"} for r in ("R1", "R2")],
                  site_roles=[{"site_id": "A", "role_id": "R1", "today": False},
                              {"site_id": "A", "role_id": "R2", "today": False},
                              {"site_id": "B", "role_id": "R2", "today": False}])
    built, out = run(tmp_path, t, TT, "one")
    assert out.objective == pytest.approx(10) and held(built) == {("R1", "A"), ("R2", "B")}
    monkeypatch.setattr(roles_module, "_one_role_per_site", lambda *a: None)
    built, out = run(tmp_path, t, TT, "two")
    assert out.objective == pytest.approx(5) and held(built) == {("R1", "A"), ("R2", "A")}


# --- needs_role -----------------------------------------------------------------------------------------------
def test_needs_role(tmp_path, monkeypatch):
    # 'a' runs only at A; with needs_role it runs there only under R, which costs 3 a year
    def case(needs: bool) -> dict:
        return system({"A": 0}, {"z1": 100}, roles=[role("R", fixed_cost_gbp_k=3)],
                      role_services=[{"role_id": "R", "service_id": "a", "needs_role": needs}],
                      site_roles=[{"site_id": "A", "role_id": "R", "today": False}])

    built, out = run(tmp_path, case(True), [[1]], "needs")
    assert out.objective == pytest.approx(3) and held(built) == {("R", "A")}
    built, out = run(tmp_path, case(False), [[1]], "free")
    assert out.objective == pytest.approx(0) and held(built) == set()
    monkeypatch.setattr(roles_module, "_needs_role", lambda *a: None)
    assert run(tmp_path, case(True), [[1]], "needs2")[1].objective == pytest.approx(0)


def test_negative_role_cost_is_a_saving(tmp_path):
    t = system({"A": 0}, {"z1": 100}, roles=[role("R", fixed_cost_gbp_k=-2)],
               role_services=[{"role_id": "R", "service_id": "a"}],
               site_roles=[{"site_id": "A", "role_id": "R", "today": False}])
    built, out = run(tmp_path, t, [[1]], "saving")
    assert out.objective == pytest.approx(-2) and held(built) == {("R", "A")}


# --- bundle implies role (from_bundle) ------------------------------------------------------------------------------
def test_bundle_implies_role(tmp_path, monkeypatch):
    # 'a' and 'c' must both run at A. Holding R (bundle {a, c}) costs 3 a year; with from_bundle a site
    # providing the whole bundle holds R or a role of the same or a higher rank (H, rank 1, costs 1)
    def case(from_bundle: bool, h_rank: int = 1) -> dict:
        return system({"A": 0}, {"z1": 100}, ["a", "c"],
                      roles=[role("R", rank=2, fixed_cost_gbp_k=3, from_bundle=from_bundle),
                             role("H", rank=h_rank, fixed_cost_gbp_k=1)],
                      role_services=[{"role_id": "R", "service_id": k} for k in "ac"],
                      site_roles=[{"site_id": "A", "role_id": r, "today": False} for r in "RH"],
                      rules=[{"rule": "must", "service_id": k, "site_id": "A"} for k in "ac"])

    built, out = run(tmp_path, case(True), [[1]], "derived")
    assert out.objective == pytest.approx(1) and held(built) == {("H", "A")}  # the higher role is cheaper
    built, out = run(tmp_path, case(True, h_rank=3), [[1]], "lower")
    assert out.objective == pytest.approx(3) and held(built) == {("R", "A")}  # a lower role does not count
    assert run(tmp_path, case(False), [[1]], "label")[1].objective == pytest.approx(0)
    monkeypatch.setattr(roles_module, "_bundle_implies_role", lambda *a: None)
    assert run(tmp_path, case(True), [[1]], "derived-off")[1].objective == pytest.approx(0)


# --- counts -----------------------------------------------------------------------------------------------------
def test_role_site_counts(tmp_path):
    def case(lo, hi, cost=1):
        return two_sites(roles=[role("R", min_sites=lo, max_sites=hi, fixed_cost_gbp_k=cost)],
                         role_services=[{"role_id": "R", "service_id": "c"}],
                         site_roles=[{"site_id": s, "role_id": "R", "today": False} for s in "AB"])

    # R costs 1 a site and brings c (5 a site): held only where required
    assert run(tmp_path, case(None, None), TT, "c0")[1].objective == pytest.approx(5)
    assert run(tmp_path, case(1, None), TT, "c1")[1].objective == pytest.approx(6)
    assert run(tmp_path, case(2, None), TT, "c2")[1].objective == pytest.approx(12)
    # R saves 10 a site: held everywhere unless max_sites says otherwise
    assert run(tmp_path, case(None, None, -10), TT, "m0")[1].objective == pytest.approx(-10)
    assert run(tmp_path, case(None, 1, -10), TT, "m1")[1].objective == pytest.approx(-5)


# --- catchment bands --------------------------------------------------------------------------------------------
def _banded(lo=None, hi=None, must_c_at="B") -> dict:
    """'a' (closest assignment, the anchor) runs at A and B, so A's catchment is z1 (600) and B's z2 (400).
    R must be held; its bundle brings c, which must run at `must_c_at` anyway: R is cheapest there."""
    t = two_sites(roles=[role("R", min_sites=1, catchment_service_id="a", catchment_min_pop=lo,
                              catchment_max_pop=hi)],
                  role_services=[{"role_id": "R", "service_id": "c"}],
                  site_roles=[{"site_id": s, "role_id": "R", "today": False} for s in "AB"],
                  rules=[{"rule": "must", "service_id": "a", "site_id": "A"},
                         {"rule": "must", "service_id": "a", "site_id": "B"},
                         {"rule": "must", "service_id": "c", "site_id": must_c_at}])
    t["services"][0]["closest_assignment"] = True
    return t


def test_catchment_band_minimum(tmp_path, monkeypatch):
    built, out = run(tmp_path, _banded(lo=500), TT, "min")
    assert out.objective == pytest.approx(10) and held(built) == {("R", "A")}
    assert out.values["roles"] == [{"site": "A", "role": "R", "year": "2018/19", "catchment_population": 600}]
    assert "a" in built.assign_services  # the anchor gets assignment variables although it has no volumes
    built, out = run(tmp_path, _banded(lo=300), TT, "min300")
    assert out.objective == pytest.approx(5) and held(built) == {("R", "B")}
    monkeypatch.setattr(roles_module, "_catchment_band", lambda *a: None)
    assert run(tmp_path, _banded(lo=500), TT, "min-off")[1].objective == pytest.approx(5)


def test_catchment_band_maximum(tmp_path):
    built, out = run(tmp_path, _banded(hi=500, must_c_at="A"), TT, "max")
    assert out.objective == pytest.approx(10) and held(built) == {("R", "B")}
    built, out = run(tmp_path, _banded(hi=700, must_c_at="A"), TT, "max700")
    assert out.objective == pytest.approx(5) and held(built) == {("R", "A")}


def test_band_follows_the_assignment(tmp_path):
    # 'a' need not run at B: alone at A its catchment is 1,000 (> 700) and B's 0, so R fits nowhere; the
    # optimiser opens 'a' at B to split the catchment 600 / 400 and holds R at A
    t = _banded(lo=500, hi=700)
    t["rules"] = [r for r in t["rules"] if r.get("site_id") != "B" or r["service_id"] != "a"]
    built, out = run(tmp_path, t, TT, "assign")
    assert out.status == "optimal" and held(built) == {("R", "A")}
    assert open_services(built) >= {("a", "A"), ("a", "B")}  # B opens 'a' to take z2 off A's catchment


# --- today's roles, fixed years, do-nothing and options --------------------------------------------------------------
def _today(**more) -> dict:
    """R held today at B; R at A would save 1 a year."""
    return two_sites(roles=[role("R", fixed_cost_gbp_k=1)],
                     role_services=[{"role_id": "R", "service_id": "a"}],
                     site_roles=[{"site_id": "A", "role_id": "R", "today": False},
                                 {"site_id": "B", "role_id": "R", "today": True}],
                     hosts={("a", "A"): {}, ("a", "B"): {"today": True}, ("c", "A"): {"today": True},
                            ("c", "B"): {}}, **more)


def test_roles_stay_as_today_before_fixed_until_and_in_do_nothing(tmp_path):
    t = _today()
    built, out = run(tmp_path, t, TT, "fixed", years=2, constraints={"fixed_until": "2019/20"})
    assert held(built, 0) == {("R", "B")} and held(built, 1) == set()
    built, out = run(tmp_path, t, TT, "dn", years=2, fix="do_nothing")
    assert held(built, 0) == held(built, 1) == {("R", "B")}
    assert out.values["roles"] == [{"site": "B", "role": "R", "year": y} for y in ("2018/19", "2019/20")]


def test_option_fixes_a_role(tmp_path):
    t = _today(options=[{"option_id": "plan", "item": "role", "site_id": "A", "role_id": "R", "value": 1,
                         "from_year": "2019/20"}])
    built, out = run(tmp_path, t, TT, "opt", years=2, fix="plan")
    assert held(built, 0) == set() and held(built, 1) == {("R", "A")}
    assert out.objective == pytest.approx(5 + 5 + 1)  # c at A both years, R at A in the second


def test_option_role_at_a_site_that_cannot_host_the_bundle(tmp_path):
    t = system({"A": 0, "B": 0}, {"z1": 100}, ["a", "c"], hosts=[("a", "A"), ("a", "B"), ("c", "B")],
               roles=[role("R")], role_services=[{"role_id": "R", "service_id": k} for k in "ac"],
               site_roles=[{"site_id": "A", "role_id": "R", "today": False}],
               options=[{"option_id": "plan", "item": "role", "site_id": "A", "role_id": "R", "value": 1}])
    with pytest.raises(InputError) as e:
        run(tmp_path, t, [[1, 1]], "bad", fix="plan")
    p = e.value.problems[0]
    assert p.file.endswith("options.csv") and p.row == 2 and "cannot take role 'R'" in p.message


def test_summary_lists_roles_and_do_nothing_roles(tmp_path):
    sc = make(tmp_path, _today(), years=2, name="sum")
    inst = build_instance(sc, times=times(TT, ["z1", "z2"], ["A", "B"]))
    baseline, [(built, out)] = solve_with_baseline(inst, [None], mip_gap=0)
    s = summary(inst, built, out, baseline, None)
    assert s["roles"] == []  # R costs 1 a year and nothing requires it
    assert s["do_nothing"]["roles"] == [{"site": "B", "role": "R", "year": y} for y in ("2018/19", "2019/20")]


def test_systems_without_roles_have_no_role_variables(tmp_path):
    sc = make(tmp_path, system({"A": 0}, {"z1": 100}), name="plain")
    built, out = solve_instance(build_instance(sc, times=times([[1]], ["z1"], ["A"])), mip_gap=0)
    assert len(built.model.role) == 0 and out.values["roles"] == []


# --- rule groups ----------------------------------------------------------------------------------------------------
def test_rule_group_switched_off(tmp_path):
    t = system({"A": 0, "B": 10}, {"z1": 100}, rules=[{"rule": "must", "service_id": "a", "site_id": "B",
                                                       "group": "keep-b"}])
    assert run(tmp_path, t, [[1, 1]], "on")[1].objective == pytest.approx(10)
    built, out = run(tmp_path, t, [[1, 1]], "off", constraints={"rules_off": ["keep-b"]})
    assert out.objective == pytest.approx(0) and open_services(built) == {("a", "A")}


def test_unknown_rule_group_is_a_located_error(tmp_path):
    t = system({"A": 0}, {"z1": 100}, rules=[{"rule": "must", "service_id": "a", "group": "g1"}])
    sc = make(tmp_path, t, name="unknown", constraints={"rules_off": ["g1", "nope"]})
    with pytest.raises(InputError) as e:
        build_instance(sc, times=times([[1]], ["z1"], ["A"]))
    [p] = e.value.problems
    assert p.file.endswith("scenario.toml") and p.column == "constraints.rules_off.1" and p.value == "nope"
    assert "unknown rule group 'nope'" in p.message and "g1" in p.expected


# --- demand scheme ramp -------------------------------------------------------------------------------------------
def test_demand_scheme_ramp(tmp_path, monkeypatch):
    # 40 admissions × 36.5 days = 4 beds at £100k; the scheme halves demand (2 beds) for £10k a year once
    # effective. Ramp: a quarter of the reduction in its first year (still 4 beds), all of it from the second.
    def case(ramp: list[tuple[int, float]] | None) -> dict:
        more = {"demand_schemes": [{"scheme_id": "D", "service_id": "a", "reduction_pct": 50,
                                    "effect_lag_years": 0, "recurrent_cost_gbp_k": 10}]}
        if ramp is not None:
            more["demand_scheme_ramp"] = [{"scheme_id": "D", "year_offset": o, "share_pct": p} for o, p in ramp]
        return system({"A": {"bed_capacity": 10}}, {"z1": 40}, [{"service_id": "a", "bed_type": "ac"}],
                      bed_types=[{"bed_type": "ac", "cost_per_bed_gbp_k": 100}],
                      demand=[{"service_id": "a", "los_days": 36.5}], **more)

    built, out = run(tmp_path, case([(0, 25), (1, 100)]), [[1]], "ramp", years=2)
    assert out.objective == pytest.approx(400 + 10 + 200 + 10)
    assert [r["beds"] for r in out.values["beds"]] == [4, 2]
    assert run(tmp_path, case(None), [[1]], "noramp", years=2)[1].objective == pytest.approx(2 * (200 + 10))
    # half the reduction in the first year: 3 beds; the last share (100 %) holds in later years
    half = run(tmp_path, case([(0, 50), (1, 100)]), [[1]], "half", years=2)[1]
    assert half.objective == pytest.approx(300 + 10 + 200 + 10)
    monkeypatch.setattr(model_module, "_ramped_reductions", lambda *a: None)
    assert run(tmp_path, case([(0, 25), (1, 100)]), [[1]], "ramp-off", years=2)[1].objective == pytest.approx(420)


def test_demand_scheme_ramp_is_shared_across_sites(tmp_path):
    # 40 admissions × 36.5 days = 4 beds, at most 2 at each of A and B, whole beds. The scheme halves demand, an
    # eighth of it (a quarter of 50 %) in its first year: 35 admissions need 4 whole beds however they are split.
    # Were the first-year share counted at each site in full (5 admissions each), 30 would fit in 3 beds.
    t = system({"A": {"bed_capacity": 2}, "B": {"bed_capacity": 2}}, {"z1": 20, "z2": 20},
               [{"service_id": "a", "bed_type": "ac", "max_volume": 1e9}],
               bed_types=[{"bed_type": "ac", "cost_per_bed_gbp_k": 100}],
               demand=[{"service_id": "a", "los_days": 36.5}],
               demand_schemes=[{"scheme_id": "D", "service_id": "a", "reduction_pct": 50, "effect_lag_years": 0,
                                "recurrent_cost_gbp_k": 10}],
               demand_scheme_ramp=[{"scheme_id": "D", "year_offset": o, "share_pct": p} for o, p in
                                   ((0, 25), (1, 100))])
    built, out = run(tmp_path, t, [[1, 1], [1, 1]], "ramp2", years=2)
    assert out.status == "optimal" and out.objective == pytest.approx(400 + 10 + 200 + 10)


# --- outputs: summary, CSV, workbook and report --------------------------------------------------------------------
def test_roles_and_plan_figures_in_run_outputs(tmp_path):
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from reconfig.cli import app

    t = _today(plan_figures=[{"figure_id": "gap", "description": "Do-nothing gap", "value": 311000,
                              "unit": "£000", "year": "2019/20"}])
    sc = make(tmp_path, t, years=2, name="out")
    run = tmp_path / "run"
    r = CliRunner().invoke(app, ["solve", str(sc.path), "--out", str(run), "--report"])
    assert r.exit_code == 0, r.output
    assert (run / "roles.csv").read_text().splitlines()[0] == "site,role,year,catchment_population"
    assert "roles" in load_workbook(run / "results.xlsx").sheetnames
    html = (run / "report.html").read_text()
    assert 'id="site-roles-table"' in html and 'id="plan-figures-table"' in html and "311,000" in html
    r = CliRunner().invoke(app, ["describe", str(sc.path)])
    assert "Role R" in r.output and "Do-nothing gap: 311,000 £000" in r.output
