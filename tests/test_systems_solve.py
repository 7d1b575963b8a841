"""The C&P and BLMK scenarios validate, solve to optimality and compare the optimum with the plan's option.

C&P solves in a few seconds; the BLMK optimum in about ten; its comparison and the variant without the
three-site rule are marked slow (run with --runslow).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconfig.analysis.compare import compare
from reconfig.cli import app
from reconfig.inputs.scenario import load_scenario
from reconfig.instance.build import build_instance
from reconfig.solve.solver import solve_instance

ROOT = Path(__file__).resolve().parents[1]
LAST = "2020/21"
runner = CliRunner()
SCENARIOS = ["cambs-2017", "cambs-2017-plan", "blmk-2016", "blmk-2016-plan", "blmk-2016-open"]


def final(s: dict, key: str = "services") -> dict[str, set[str]]:
    """Site -> services (or roles) in the final year."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in s[key]:
        if r["year"] == LAST:
            out[r["site"]].add(r["service" if key == "services" else "role"])
    return out


def sites_of(s: dict, service: str) -> set[str]:
    return {r["site"] for r in s["services"] if r["year"] == LAST and r["service"] == service}


def assert_roles_hold_their_bundles(inst, s: dict) -> None:
    services = final(s)
    for r in s["roles"]:
        if r["year"] == LAST:
            bundle = set(inst.roles.roles[r["role"]].bundle)
            assert bundle <= services[r["site"]], (r, bundle - services[r["site"]])


@pytest.mark.parametrize("name", SCENARIOS)
def test_validate(name) -> None:
    r = runner.invoke(app, ["validate", str(ROOT / "models" / f"{name}.toml")])
    assert r.exit_code == 0, r.output


# ------------------------------------------------------------------ Cambridgeshire & Peterborough

@pytest.fixture(scope="module")
def cambs_cli(tmp_path_factory):
    """`reconfig compare models/cambs-2017.toml --option plan`: the CLI's output and its compare.json."""
    out = tmp_path_factory.mktemp("cambs") / "cmp"
    r = runner.invoke(app, ["compare", str(ROOT / "models" / "cambs-2017.toml"), "--option", "plan", "--out",
                            str(out)])
    assert r.exit_code == 0, r.output
    return r.output, json.loads((out / "compare.json").read_text())


@pytest.fixture(scope="module")
def cambs(cambs_cli):
    return build_instance(load_scenario(ROOT / "models" / "cambs-2017.toml")), cambs_cli[1]


def test_cambs_all_solves_optimal(cambs) -> None:
    _, result = cambs
    for name, s in result["runs"].items():
        assert s["status"] == "optimal", name
        assert s["mip_gap"] is not None and s["mip_gap"] <= 1e-4
        assert s["best_bound"] is not None


def test_cambs_plan_option_reproduces_the_plan(cambs) -> None:
    inst, result = cambs
    plan = result["runs"]["plan"]
    roles = {site: r for site, (r,) in final(plan, "roles").items() if site in ("ADD", "PCH", "HIN")}
    assert roles == {"ADD": "sec", "PCH": "edc", "HIN": "plae"}  # three A&E levels (002:L2158)
    assert sites_of(plan, "ae") == {"ADD", "PCH", "HIN"}
    assert sites_of(plan, "hasu") == {"ADD", "PCH"}  # 002:L2240
    assert sites_of(plan, "obstetric") == sites_of(plan, "mlu") == {"ADD", "PCH", "HIN"}  # 002:L2208, L2246
    assert sites_of(plan, "cardiothoracic") == {"PAPCBC"}  # 002:L2423
    assert "emergency_surgery" not in final(plan)["HIN"]  # a physician-led A&E (from_bundle)
    assert_roles_hold_their_bundles(inst, plan)


def test_cambs_open_questions_are_answered(cambs) -> None:
    _, result = cambs
    for name in ("optimum", "plan"):
        s = result["runs"][name]
        assert 1 <= len(sites_of(s, "stroke_rehab")) <= 3
        assert sites_of(s, "ortho_trauma") and sites_of(s, "elective_ortho")
        rural = {site: r for site, rs in final(s, "roles").items() for r in rs if site in ("POW", "NCH", "DOD")}
        assert set(rural.values()) <= {"miu", "upch"}


def test_cambs_compare_optimum_against_plan(cambs) -> None:
    inst, result = cambs
    opt, plan = result["runs"]["optimum"], result["runs"]["plan"]
    d = result["against_optimum"]["plan"]
    tol = 2e-4 * opt["objectives"]["npv_cost"]
    assert d["npv_cost_change_gbp_k"] >= -tol
    assert d["npv_cost_change_gbp_k"] == pytest.approx(plan["objectives"]["npv_cost"] - opt["objectives"]["npv_cost"])
    assert d["roles_changed"] and all("→" in x for x in d["roles_changed"])
    assert_roles_hold_their_bundles(inst, opt)
    frame = {f["figure"]: f["value"] for f in plan["plan_figures"]}
    assert frame["challenge"] == 500_000 and frame["savings_required"] == 543_000
    assert opt["savings_vs_do_nothing_by_year"][LAST] > 0


def test_cambs_compare_cli(cambs_cli) -> None:
    output, saved = cambs_cli
    assert "plan instead of the optimum" in output and "HIN: none → plae" in output
    assert set(saved["runs"]) == {"do_nothing", "optimum", "plan"}


# ------------------------------------------------------------------ Bedfordshire, Luton & Milton Keynes

def assert_bands_hold(inst, roles: list[dict], first_free: str = "2018/19") -> None:
    years = inst.years
    for r in roles:
        role = inst.roles.roles[r["role"]]
        if years.index(r["year"]) < years.index(first_free) or not role.banded:
            continue
        assert role.min_pop - 1 <= r["catchment_population"] <= role.max_pop + 1, r


@pytest.fixture(scope="module")
def blmk():
    inst = build_instance(load_scenario(ROOT / "models" / "blmk-2016.toml"))
    built, out = solve_instance(inst)
    return inst, out


def test_blmk_optimum(blmk) -> None:
    inst, out = blmk
    assert out.status == "optimal" and out.mip_gap <= 1e-4
    v = out.values
    services = defaultdict(set)
    for r in v["services"]:
        if r["year"] == LAST:
            services[r["site"]].add(r["service"])
    for site in ("BED", "LDH", "MKUH"):  # hospital services kept on the three sites (rule group in force)
        assert {"ae", "acute_inpatient", "obstetric", "paeds_inpatient"} <= services[site]
    roles = {r["site"]: r["role"] for r in v["roles"] if r["year"] == LAST}
    assert roles["LDH"] == "mec" and {roles["BED"], roles["MKUH"]} == {"ec"}  # only LDH can host level-3 NICU
    assert_bands_hold(inst, v["roles"])
    for k in ("hasu", "vascular", "pci", "cancer_surgery"):  # specialist services reorganised onto one site
        assert len({s for s, ks in services.items() if k in ks}) == 1, k


@pytest.mark.slow
def test_blmk_plan_meets_the_25m_target_and_compares() -> None:
    inst = build_instance(load_scenario(ROOT / "models" / "blmk-2016-plan.toml"))
    result = compare(inst, ["plan"])
    plan = result["runs"]["plan"]
    assert plan["status"] == "optimal" and result["runs"]["optimum"]["status"] == "optimal"
    assert plan["savings_vs_do_nothing_by_year"][LAST] >= 25_000 - 1  # 003:L1265
    assert {d["scheme"] for d in plan["demand_schemes"]} == {"dtoc", "luton_aa"}
    assert result["against_optimum"]["plan"]["npv_cost_change_gbp_k"] >= -2e-4 * plan["objectives"]["npv_cost"]
    assert_bands_hold(inst, plan["roles"])


@pytest.mark.slow
def test_blmk_without_the_three_site_rule() -> None:
    inst = build_instance(load_scenario(ROOT / "models" / "blmk-2016-open.toml"))
    assert not any(inst.rules["group"] == "keep-acute-sites")
    built, out = solve_instance(inst)
    assert out.status == "optimal"
    assert_bands_hold(inst, out.values["roles"])
    kept = build_instance(load_scenario(ROOT / "models" / "blmk-2016.toml"))
    assert out.objective <= solve_instance(kept)[1].objective  # dropping a rule never costs more
