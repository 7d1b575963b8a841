"""Pins the figures of the Bedfordshire, Luton & Milton Keynes system (data/blmk) to its sources and checks that
the data are internally consistent: population, the facility typology (roles, bundles, bands), demand growth, the
demand-shift schemes, the specialist-services saving, beds and the plan's option.

Uses only pandas and tomllib (no engine calls). Figures: shared design SOURCES.md, documents 000, 001, 003, 004.
"""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest
from systemdata import MODELS, ROOT, YEARS, num, read_tables

DATA = ROOT / "data" / "blmk"
HOSPITALS = ["BED", "LDH", "MKUH"]


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return read_tables(DATA)


def figures(t) -> pd.Series:
    return num(t["plan_figures"], "value").set_axis(t["plan_figures"].figure_id)


def test_population(t) -> None:
    z = t["zones"].assign(population=num(t["zones"], "population"))
    assert len(z) >= 30
    assert z.population.sum() == 972_679  # 003:L1051-1055
    groups = z.groupby("group").population.sum()
    assert set(groups.index) == {"Bedford", "Central Bedfordshire", "Luton", "Milton Keynes"}
    f = figures(t)
    assert groups["Bedford"] >= f["bedford_population"] == 159_200  # 004:L70 (an earlier year)
    assert groups["Central Bedfordshire"] >= f["central_beds_population"] == 255_200  # 004:L80
    assert groups["Luton"] >= f["luton_population_2010"] == 204_750  # 001:L54-72
    assert f["luton_population_2030"] == 220_350 and f["luton_over65_growth"] == 27
    assert num(z, "lat").between(51.8, 52.25).all() and num(z, "lon").between(-0.9, -0.2).all()
    assert set(t["zone_attributes"].zone_id) == set(z.zone_id)


def test_plan_figures(t) -> None:
    f = figures(t)
    assert f["population_2020_21"] == 1_032_205
    assert f["population_2020_21"] / f["population_2016_17"] - 1 == pytest.approx(0.061, abs=0.0005)  # +6.1 %
    assert (f["allocation_2016_17"], f["allocation_2020_21"]) == (1_327_900, 1_672_800)
    assert (f["spend_2016_17"], f["hospital_spend_2016_17"]) == (1_342_000, 590_900)
    assert f["gap_nhs_2020_21"] + f["gap_councils_2020_21"] == f["gap_2020_21"] == 311_000
    assert (f["specialist_saving"], f["specialist_saving_share"]) == (25_000, 3.5)
    assert f["delayed_transfer_beds"] == 150


def test_typology_roles_bundles_and_bands(t) -> None:
    r = t["roles"].set_index("role_id")
    bands = {k: (num(r, "catchment_min_pop")[k], num(r, "catchment_max_pop")[k]) for k in r.index}
    assert bands == {"mec": (500_000, 700_000), "ec": (250_000, 300_000), "ich": (100_000, 250_000),
                     "ucc": (50_000, 100_000)}  # 004:L833-836
    assert r.catchment_service_id.to_dict() == {"mec": "emergency_surgery", "ec": "acute_inpatient",
                                                "ich": "step_beds", "ucc": "urgent_care"}
    assert r["rank"].astype(int).to_dict() == {"mec": 1, "ec": 2, "ich": 3, "ucc": 4}
    assert (r.from_bundle == "true").all()
    rs = t["role_services"]
    bundle = rs.groupby("role_id").service_id.apply(set).to_dict()
    assert bundle["mec"] == {"ae", "urgent_care", "emergency_surgery", "acute_inpatient", "icu", "paeds_inpatient",
                             "obstetric", "nicu"}
    assert bundle["ec"] == {"ae", "urgent_care", "acute_inpatient", "hdu"}
    assert bundle["ich"] == {"step_beds", "urgent_care", "outpatients", "diagnostics"}  # beds, assessment, clinics
    assert bundle["ucc"] == {"urgent_care"}  # no beds
    services = t["services"].set_index("service_id")
    assert services.bed_type["urgent_care"] == "" and services.bed_type["step_beds"] == "intermediate"
    assert set(rs[rs.needs_role == "true"].service_id) == {"ae", "urgent_care"}
    sr = t["site_roles"]
    assert dict(zip(sr[sr.today == "true"].site_id, sr[sr.today == "true"].role_id, strict=True)) == {
        "LDH": "mec", "BED": "ec", "MKUH": "ec"}


def test_three_sites_rule_can_be_switched_off(t) -> None:
    rules = t["rules"]
    keep = rules[rules.group == "keep-acute-sites"]
    assert (keep.rule == "must").all()
    assert set(zip(keep.site_id, keep.service_id, strict=True)) == {
        (s, k) for s in HOSPITALS for k in ("ae", "acute_inpatient", "obstetric", "paeds_inpatient")}  # 003:L324


def test_demand_growth_as_given(t) -> None:
    g = t["growth"]
    assert (g.service_id == "*").all() and list(g.year) == YEARS
    assert list(num(g, "demographic_pct")) == [1.29, 1.27, 1.24, 1.24]  # 004:L487-488
    assert (num(g, "non_demographic_pct") == 1.5).all()


def test_beds_and_calibration(t) -> None:
    b = t["beds_today"].assign(beds=num(t["beds_today"], "beds"))
    by_type = b.groupby("bed_type").beds.sum()
    assert by_type["acute"] == 1_580 and by_type["intermediate"] == 87
    pop = num(t["zones"], "population").sum()
    d = t["demand"].set_index("service_id")
    assert pop * float(d.rate_per_1000["acute_inpatient"]) / 1000 * float(d.los_days["acute_inpatient"]) / (
        365 * 0.92) == pytest.approx(1_580, abs=1)
    assert pop * 1.4 / 1000 * 21 / (365 * 0.9) == pytest.approx(87, abs=0.5)
    cap = num(t["sites"], "bed_capacity").set_axis(t["sites"].site_id)
    level = 1.0
    for g in (1.29, 1.27, 1.24, 1.24):
        level *= (1 + g / 100) * 1.015
    assert (1_580 + 87) * level <= cap[HOSPITALS].sum()  # do-nothing fits in 2020/21


def test_demand_shift_schemes(t) -> None:
    ds = t["demand_schemes"].set_index("scheme_id")
    assert float(ds.reduction_pct["dtoc"]) == pytest.approx(150 / 1_580 * 100, abs=0.001)  # 003:L985: ~150 beds
    assert float(ds.reduction_pct["luton_aa"]) == pytest.approx(32 * 0.08, abs=1e-9)  # 000:L672-684: 32 % cap
    ramp = t["demand_scheme_ramp"]
    shares = dict(zip(num(ramp, "year_offset"), num(ramp, "share_pct"), strict=True))
    assert shares[0] == pytest.approx(20 / 32 * 100)  # -20 % in year one
    assert shares[1] == pytest.approx(sum(min(20 + 2 * m, 32) for m in range(1, 13)) / 12 / 32 * 100, abs=0.1)
    assert shares[2] == 100


def test_specialist_reorganisation_saves_25m(t) -> None:
    """Running each specialist service on one site saves the plan's £25m a year (003:L1265)."""
    ss = t["site_services"]
    fixed = num(t["services"], "fixed_cost_gbp_k").set_axis(t["services"].service_id)
    saving = 0.0
    for k in ("hasu", "vascular", "pci", "cancer_surgery"):
        n = ((ss.service_id == k) & (ss.today == "true")).sum()
        saving += (n - 1) * fixed[k]
    assert saving == 25_000


def test_plan_option(t) -> None:
    o = t["options"]
    plan = o[o.option_id == "plan"]
    starts = plan[plan["item"] == "demand_scheme_start"]
    assert starts.set_index("scheme_id").from_year.to_dict() == {"dtoc": "2017/18", "luton_aa": "2017/18"}
    kept = plan[plan["item"] == "service"]
    assert set(zip(kept.site_id, kept.service_id, strict=True)) == {
        (s, k) for s in HOSPITALS for k in ("ae", "acute_inpatient", "obstetric", "paeds_inpatient")}
    assert (kept.value == "1").all() and (kept.to_year == "").all()


@pytest.mark.parametrize("name,option_id", [("blmk-2016", None), ("blmk-2016-plan", "plan"),
                                            ("blmk-2016-open", None)])
def test_scenarios(name, option_id) -> None:
    s = tomllib.loads((MODELS / f"{name}.toml").read_text(encoding="utf-8"))
    assert s["name"] == name and s.get("option") == option_id
    assert (MODELS / s["data"]).resolve() == DATA
    assert s["base_year"] == "2016/17" and s["horizon"] == YEARS
    c = s["constraints"]
    assert c["fixed_until"] == "2018/19"  # hospital changes from 2018 (003:L1626-1630)
    assert c.get("rules_off", []) == (["keep-acute-sites"] if name.endswith("open") else [])
    assert c.get("savings_target_gbp_k") == (25_000 if name.endswith("plan") else None)
