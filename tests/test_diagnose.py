"""Infeasibility diagnosis: one deliberately infeasible tiny scenario per major family, each checked for the family,
the year / site / service named and the size of the relaxation (against brute force where it is not obvious)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from builders import make, times
from test_constraints import system
from typer.testing import CliRunner

from reconfig.analysis.diagnose import diagnose, money, year_span
from reconfig.cli import app
from reconfig.inputs.scenario import load_scenario
from reconfig.instance.build import build_instance
from reconfig.solve.solver import solve_instance

ROOT = Path(__file__).resolve().parents[1]

runner = CliRunner()


def inst_of(tmp_path, tables, matrix, name, years=1, **settings):
    zones = [r["zone_id"] for r in tables["zones"]]
    sites = [r["site_id"] for r in tables["sites"]]
    sc = make(tmp_path, tables, years=years, name=name, **settings)
    return build_instance(sc, times=times(matrix, zones, sites))


def only(d: dict) -> dict:
    assert d["status"] == "infeasible" and d["smallest"], d
    assert len(d["relaxations"]) == 1, d["relaxations"]
    return d["relaxations"][0]


# --- money ---------------------------------------------------------------------------------------------------------
def _mandatory_split(limits: dict[str, float]):
    """Mandatory scheme M (3 then 2) startable in either of two years; capital limits by year."""
    t = system({"A": 0}, {"z1": 100},
               schemes=[{"scheme_id": "M", "site_id": "A", "mandatory": True}],
               scheme_costs=[{"scheme_id": "M", "year_offset": 0, "cost_gbp_k": 3000},
                             {"scheme_id": "M", "year_offset": 1, "cost_gbp_k": 2000}])
    return t, {"capital_limit_gbp_k": limits}


def test_capital_short_in_one_year(tmp_path):
    limits = {"2018/19": 1000, "2019/20": 2000}
    t, cons = _mandatory_split(limits)
    inst = inst_of(tmp_path, t, [[1]], "cap", years=2, constraints=cons)
    _, out = solve_instance(inst)
    assert out.status == "infeasible"
    r = only(diagnose(inst))
    # brute force: the smallest single-year shortfall over the two start years
    profile = {0: 3000, 1: 2000}
    best = min((sum(max(profile.get(y - start, 0) - limits[lab], 0) for y, lab in enumerate(limits)), start)
               for start in (0, 1))
    assert best == (1000, 1)  # starting in 2019/20: 3000 against 2000
    assert (r["family"], r["year"], r["size"], r["limit"]) == ("capital_limit", "2019/20", pytest.approx(1000), 2000)
    d = diagnose(inst)
    assert d["explanation"][0].startswith("Capital in 2019/20 is £1.0m short of what the plan needs")


def test_capital_total_and_funding(tmp_path):
    t, _ = _mandatory_split({})
    t["schemes"][0]["latest_start"] = "2018/19"  # all its spend inside the horizon
    inst = inst_of(tmp_path, t, [[1]], "tot", years=2, constraints={"capital_total_gbp_k": 4200})
    r = only(diagnose(inst))
    assert (r["family"], r["size"]) == ("capital_total", pytest.approx(800))  # 5000 in all against 4200
    t["schemes"][0].pop("latest_start")
    t["funding"] = [{"funding_id": "dh", "name": "DH capital", "year": y, "available_gbp_k": v}
                    for y, v in (("2018/19", 3000), ("2019/20", 1500))]
    t["funding_eligibility"] = [{"funding_id": "dh", "scheme_id": "*"}]
    inst = inst_of(tmp_path, t, [[1]], "fund", years=2)
    r = only(diagnose(inst))
    # start in 2018/19: 3000 (ok) then 2000 against 1500; start in 2019/20: 3000 against 1500
    assert (r["family"], r["source"], r["year"], r["size"]) == ("funding", "dh", "2019/20", pytest.approx(500))
    assert diagnose(inst)["explanation"][0].startswith("DH capital in 2019/20 is £500k short")


def test_savings_target_too_high(tmp_path):
    # today 'a' runs at A (10 a year); a scheme (20) moves it to C (2 a year): at most 8 a year saved
    t = system({"A": 10, "C": 2}, {"z1": 100}, hosts={("a", "A"): {"today": True}},
               schemes=[{"scheme_id": "S", "site_id": "C"}],
               scheme_costs=[{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": 20}],
               scheme_effects=[{"scheme_id": "S", "effect": "enable_service", "service_id": "a"}])
    inst = inst_of(tmp_path, t, [[1, 1]], "sav", constraints={"savings_target_gbp_k": 12})
    d = diagnose(inst)
    r = only(d)
    assert (r["family"], r["year"], r["size"], r["limit"]) == ("savings", "2018/19", pytest.approx(4), 12)
    assert "can save at most £8k a year" in d["explanation"][0]


# --- service limits --------------------------------------------------------------------------------------------------
def test_min_sites_above_hostable(tmp_path):
    t = system({"A": 0, "B": 0, "C": 0}, {"z1": 100}, [{"service_id": "a", "min_sites": 3}],
               hosts=[("a", "A"), ("a", "B")])
    inst = inst_of(tmp_path, t, [[1, 1, 1]], "mins", years=2)
    d = diagnose(inst)
    assert d["status"] == "infeasible" and len(d["relaxations"]) == 2  # one per year
    assert [(r["family"], r["service"], r["year"], r["size"]) for r in d["relaxations"]] == [
        ("min_sites", "a", y, 1) for y in ("2018/19", "2019/20")]
    assert d["explanation"][0] == "a needs at least 3 sites in 2018/19 but only 2 can be open."


def test_bed_capacity(tmp_path):
    # 20 admissions x 36.5 days = 2 beds at 100 % occupancy; the only site holds 1 in 2019/20 (2 in 2018/19)
    t = system({"A": {"bed_capacity": 1}}, {"z1": 20}, [{"service_id": "a", "bed_type": "rehab"}],
               bed_types=[{"bed_type": "rehab", "cost_per_bed_gbp_k": 1}],
               demand=[{"service_id": "a", "los_days": 36.5}])
    inst = inst_of(tmp_path, t, [[1]], "beds")
    d = diagnose(inst)
    r = only(d)
    assert (r["family"], r["site"], r["year"], r["size"], r["bed_types"]) == (
        "bed_capacity", "A", "2018/19", pytest.approx(1), ["rehab"])
    assert d["explanation"][0] == "Rehab beds at A need 1 more beds than the site can hold in 2018/19 (it holds 1)."


# --- rules -----------------------------------------------------------------------------------------------------------
def test_requires_with_no_enabling_scheme_in_time(tmp_path):
    # 'a' runs only at A; 'b' runs at B and can come to A only through a scheme with lead 1 (from 2019/20)
    t = system({"A": 0, "B": 0}, {"z1": 100}, ["a", "b"], hosts={("a", "A"): {"today": True}, ("b", "B"): {}},
               rules=[{"rule": "requires", "service_id": "a", "other_service_id": "b"}],
               schemes=[{"scheme_id": "S", "site_id": "A", "lead_years": 1}],
               scheme_costs=[{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": 1}],
               scheme_effects=[{"scheme_id": "S", "effect": "enable_service", "service_id": "b"}])
    inst = inst_of(tmp_path, t, [[1, 1]], "req", years=3)
    _, out = solve_instance(inst)
    assert out.status == "infeasible"
    d = diagnose(inst)
    r = only(d)
    assert (r["family"], r["service"], r["other"], r["site"], r["year"]) == ("requires", "a", "b", "A", "2018/19")
    assert d["explanation"] == ["a at A needs b on site in 2018/19, but no b can be provided at A before 2019/20 "
                                "(rules.csv row 2)."]


def test_forbidden_everywhere_in_reach(tmp_path):
    # the only site within 30 minutes of z2 is B, where 'a' is forbidden in 2019/20
    rule = {"rule": "forbid", "service_id": "a", "site_id": "B", "from_year": "2019/20"}
    t = system({"A": 0, "B": 0}, {"z1": 100, "z2": 100}, [{"service_id": "a", "access_max_minutes": 30}],
               rules=[rule])
    inst = inst_of(tmp_path, t, [[10, 50], [50, 10]], "forbid", years=2)
    r = only(diagnose(inst))
    assert (r["family"], r["service"], r["site"], r["year"], r["row"]) == ("forbid", "a", "B", "2019/20", 2)
    # with the configuration fixed by an option the rule is moot; the access standard is what breaks
    t["options"] = [{"option_id": "o", "item": "service", "service_id": "a", "site_id": "B", "value": 0}]
    inst = inst_of(tmp_path, t, [[10, 50], [50, 10]], "access", years=2)
    d = diagnose(inst, option="o")
    assert d["status"] == "infeasible" and d["smallest"]
    assert {(r["family"], r["year"]) for r in d["relaxations"]} == {("access", "2018/19"), ("access", "2019/20")}
    assert all(r["zones"] == ["z2"] and r["population"] == 100 for r in d["relaxations"])
    assert "1 zone (z2; population 100) has no open a site within 30 minutes in 2018/19" in d["explanation"][0]


def test_feasible_scenario(tmp_path):
    t = system({"A": 0}, {"z1": 100})
    d = diagnose(inst_of(tmp_path, t, [[1]], "ok"))
    assert d["status"] == "feasible" and d["relaxations"] == []


def test_brute_force_two_limits(tmp_path):
    """Two optional schemes, each needed for one service; capital limits in two years: the diagnosis equals the
    brute-force minimum over every start plan of (number of short years, total shortfall)."""
    more = dict(schemes=[{"scheme_id": c, "site_id": "A", "latest_start": "2019/20"} for c in ("S1", "S2")],
                scheme_costs=[{"scheme_id": "S1", "year_offset": 0, "cost_gbp_k": 700},
                              {"scheme_id": "S2", "year_offset": 0, "cost_gbp_k": 500}],
                scheme_effects=[{"scheme_id": c, "effect": "enable_service", "service_id": k}
                                for c, k in (("S1", "a"), ("S2", "b"))],
                rules=[{"rule": "must", "service_id": k, "site_id": "A", "from_year": "2019/20"} for k in "ab"])
    t = system({"A": 0, "B": 0}, {"z1": 100}, ["a", "b"], hosts=[("a", "B"), ("b", "B")], **more)
    limits = {"2018/19": 600, "2019/20": 400}
    inst = inst_of(tmp_path, t, [[1, 1]], "bf", years=2, constraints={"capital_limit_gbp_k": limits})
    d = diagnose(inst)
    best = None
    for s1, s2 in itertools.product((0, 1), repeat=2):  # start year of each (both needed by 2019/20)
        spend = [700 * (s1 == y) + 500 * (s2 == y) for y in (0, 1)]
        short = [max(spend[y] - limits[lab], 0) for y, lab in enumerate(limits)]
        key = (sum(1 for v in short if v > 0), sum(short))
        best = key if best is None else min(best, key)
    assert best == (1, 300)  # S2 in 2018/19, S1 in 2019/20 (300 short); the other way round is short twice
    assert [(r["family"], r["year"], r["size"]) for r in d["relaxations"]] == [
        ("capital_limit", "2019/20", pytest.approx(300))]


def test_words():
    assert money(12300) == "£12.3m" and money(450) == "£450k" and money(0.8) == "£800" and money(-5e3) == "−£5.0m"
    years = ["2017/18", "2018/19", "2019/20", "2020/21"]
    assert year_span(["2018/19"], years) == "in 2018/19"
    assert year_span(["2018/19", "2019/20"], years) == "in 2018/19 and 2019/20"
    assert year_span(["2017/18", "2018/19", "2019/20"], years) == "from 2017/18 to 2019/20"
    assert year_span(["2017/18", "2019/20"], years) == "in 2017/18 and 2019/20"


# --- command line ----------------------------------------------------------------------------------------------------
def test_cli_diagnose_and_solve(tmp_path):
    t, cons = _mandatory_split({"2018/19": 1000, "2019/20": 2000})
    sc = make(tmp_path, t, years=2, name="cli", constraints=cons)
    run = tmp_path / "runs" / "d"
    r = runner.invoke(app, ["diagnose", str(sc.path), "--out", str(run)])
    assert r.exit_code == 0, r.output
    assert "Capital in 2019/20 is £1.0m short of what the plan needs" in r.output
    d = json.loads((run / "diagnosis.json").read_text())
    assert d["relaxations"][0]["family"] == "capital_limit"
    assert json.loads((run / "manifest.json").read_text())["kind"] == "diagnose"
    # solve diagnoses by itself, stores it, and still fails
    run = tmp_path / "runs" / "s"
    r = runner.invoke(app, ["solve", str(sc.path), "--out", str(run), "--json"])
    assert r.exit_code == 1, r.output
    assert json.loads(r.stdout)["diagnosis"][0].startswith("Capital in 2019/20 is £1.0m short")
    s = json.loads((run / "summary.json").read_text())
    assert s["status"] == "infeasible" and s["diagnosis"]["relaxations"][0]["year"] == "2019/20"
    r = runner.invoke(app, ["solve", str(sc.path), "--out", str(tmp_path / "runs" / "s2")])
    assert r.exit_code == 1 and "Capital in 2019/20 is £1.0m short" in r.output


def test_cli_diagnose_bad_option(tmp_path):
    t, cons = _mandatory_split({})
    sc = make(tmp_path, t, years=2, name="badopt")
    r = runner.invoke(app, ["diagnose", str(sc.path), "--option", "nope", "--out", str(tmp_path / "r")])
    assert r.exit_code == 2 and "no option named 'nope'" in r.output and not (tmp_path / "r").exists()


def test_llr_preferred_option_with_absurd_capital_limit():
    """The plan's preferred option under a £10m capital limit in 2018/19: one sentence naming the year and the
    shortfall against the option's own net capital that year (£68.5m spend less £6.0m receipts)."""
    sc = load_scenario(ROOT / "models" / "llr-2017-preferred-10m.toml")
    d = diagnose(build_instance(sc), "preferred", time_limit=120)
    assert d["smallest"] and [(r["family"], r["year"]) for r in d["relaxations"]] == [("capital_limit", "2018/19")]
    assert d["explanation"] == ["Capital in 2018/19 is £52.5m short of what the plan needs: the limit is £10.0m net "
                                "of disposal receipts, the plan needs at least £62.5m."]


def test_must_before_the_site_can_host(tmp_path):
    t = system({"A": 0, "B": 0}, {"z1": 100}, hosts={("a", "B"): {"today": True}},
               rules=[{"rule": "must", "service_id": "a", "site_id": "A"}],
               schemes=[{"scheme_id": "S", "site_id": "A", "lead_years": 1}],
               scheme_costs=[{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": 1}],
               scheme_effects=[{"scheme_id": "S", "effect": "enable_service", "service_id": "a"}])
    d = diagnose(inst_of(tmp_path, t, [[1, 1]], "must", years=2))
    r = only(d)
    assert (r["family"], r["site"], r["year"], r["row"]) == ("must", "A", "2018/19", 2)
    assert d["explanation"] == ["a must run at A in 2018/19 (rules.csv row 2), but no a can be provided at A before "
                                "2019/20."]


def test_fixing_overrides_a_rule_as_in_a_solve(tmp_path):
    # 'a' runs at A today and fixed_until keeps it there in 2018/19, although a rule forbids it at A
    t = system({"A": 0, "B": 0}, {"z1": 100}, hosts={("a", "A"): {"today": True}, ("a", "B"): {}},
               rules=[{"rule": "forbid", "service_id": "a", "site_id": "A"}])
    inst = inst_of(tmp_path, t, [[1, 1]], "fixed", years=2, constraints={"fixed_until": "2019/20"})
    assert solve_instance(inst)[1].status == "optimal"
    assert diagnose(inst)["status"] == "feasible"


def test_do_nothing_infeasible_under_a_savings_target(tmp_path):
    # today 'a' runs at one site, but it needs two: do-nothing is infeasible, so no saving can be measured
    t = system({"A": 0, "B": 0}, {"z1": 100}, [{"service_id": "a", "min_sites": 2}],
               hosts={("a", "A"): {"today": True}, ("a", "B"): {}})
    inst = inst_of(tmp_path, t, [[1, 1]], "dn", constraints={"savings_target_gbp_k": 1})
    d = diagnose(inst)
    assert d["option"] == "do_nothing" and "do-nothing itself is infeasible" in d["note"]
    assert [(r["family"], r["size"]) for r in d["relaxations"]] == [("min_sites", 1)]
