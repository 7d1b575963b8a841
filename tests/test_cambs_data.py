"""Pins the figures of the Cambridgeshire & Peterborough system (data/cambs) to its sources and checks that the
data are internally consistent: population, beds and their calibration, the savings frame, the plan's option.

Uses only pandas and tomllib (no engine calls). Figures: shared design SOURCES.md, document 002 L1851-2733.
"""

from __future__ import annotations

import tomllib

import pandas as pd
import pytest
from systemdata import MODELS, ROOT, YEARS, num, read_tables

DATA = ROOT / "data" / "cambs"
ACUTE = ["ADD", "PCH", "HIN"]


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return read_tables(DATA)


def test_zones_and_population(t) -> None:
    z = t["zones"].assign(population=num(t["zones"], "population"))
    assert len(z) >= 30
    # ONS mid-2016 by district (assumption zone-populations; the source gives no C&P population)
    expected = {"Cambridge": 123_900, "East Cambridgeshire": 87_700, "Fenland": 100_100,
                "Huntingdonshire": 177_200, "Peterborough": 196_600, "South Cambridgeshire": 157_100}
    assert z.groupby("group").population.sum().to_dict() == expected
    assert z.population.sum() == 842_600
    assert num(z, "lat").between(52.0, 52.75).all() and num(z, "lon").between(-0.5, 0.45).all()
    assert set(t["zone_attributes"].zone_id) == set(z.zone_id)


def test_savings_frame(t) -> None:
    f = t["plan_figures"].assign(value=num(t["plan_figures"], "value")).set_index("figure_id").value
    assert f["deficit_do_nothing"] + f["existing_plans"] == f["challenge"] == 500_000  # £250m + £250m
    assert f["investment"] == 43_000 and f["challenge"] + f["investment"] == f["savings_required"] == 543_000
    assert f["surplus_2020_21"] == 1_300
    assert set(t["plan_figures"].source) == {"002:L1870;002:L1932;002:L2597-2601"}


def test_beds_today(t) -> None:
    b = t["beds_today"].assign(beds=num(t["beds_today"], "beds")).set_index(["site_id", "bed_type"]).beds
    assert b.xs("acute", level=1).to_dict() == {"ADD": 1_000, "PCH": 600, "HIN": 260}
    assert b.xs("stroke_rehab", level=1).sum() == 56 and len(b.xs("stroke_rehab", level=1)) == 3  # several sites
    cap = num(t["sites"], "bed_capacity").set_axis(t["sites"].site_id)
    for site, beds in b.groupby(level=0).sum().items():
        assert beds <= cap[site], site


def growth(t, service: str) -> list[float]:
    g = t["growth"]
    out, level = [], 1.0
    for y in YEARS:
        r = g[(g.year == y) & (g.service_id == service)]
        r = r if len(r) else g[(g.year == y) & (g.service_id == "*")]
        r = r.iloc[0]
        level *= (1 + float(r.demographic_pct) / 100) * (1 + float(r.non_demographic_pct) / 100)
        out.append(level)
    return out


def need(t, service: str, factor: float = 1.0) -> float:
    pop = num(t["zones"], "population").sum()
    d = t["demand"].set_index("service_id")
    bt = t["services"].set_index("service_id").bed_type[service]
    occ = float(t["bed_types"].set_index("bed_type").occupancy[bt])
    return pop * float(d.rate_per_1000[service]) / 1000 * factor * float(d.los_days[service]) / (365 * occ)


def test_base_year_need_equals_todays_beds(t) -> None:
    assert need(t, "acute_inpatient") + need(t, "elective_ortho") == pytest.approx(1_860, abs=1)
    assert need(t, "stroke_rehab") == pytest.approx(56, abs=0.5)


def test_do_nothing_fits_physical_capacity(t) -> None:
    cap = num(t["sites"], "bed_capacity").set_axis(t["sites"].site_id)
    for i, _ in enumerate(YEARS):
        acute = need(t, "acute_inpatient", growth(t, "acute_inpatient")[i]) + need(
            t, "elective_ortho", growth(t, "elective_ortho")[i])
        stroke = need(t, "stroke_rehab", growth(t, "stroke_rehab")[i])
        assert acute + stroke <= cap[ACUTE].sum()
    # without ward blocks the acute inpatient service cannot leave Hinchingbrooke in 2020/21
    assert acute > cap[["ADD", "PCH"]].sum() + 112


def option(t, item: str) -> pd.DataFrame:
    o = t["options"]
    return o[(o.option_id == "plan") & (o["item"] == item)]


def test_plan_three_a_and_e_levels(t) -> None:
    roles = option(t, "role")
    assert set(zip(roles.site_id, roles.role_id, strict=True)) == {("ADD", "sec"), ("PCH", "edc"), ("HIN", "plae")}
    assert (roles.from_year == "2018/19").all() and (num(roles, "value") == 1).all()
    r = t["roles"].set_index("role_id")
    assert len({int(r["rank"][x]) for x in ("sec", "edc", "plae")}) == 3  # three different levels (002:L2158)
    s = option(t, "service")
    assert set(s[(s.service_id == "ae") & (s.value == "1")].site_id) == set(ACUTE)


def test_plan_two_hasus_three_obstetric_units_with_mlus(t) -> None:
    s = option(t, "service")
    on = s[s.value == "1"]
    assert set(on[on.service_id == "hasu"].site_id) == {"ADD", "PCH"}  # 002:L2240
    assert set(on[on.service_id == "obstetric"].site_id) == set(ACUTE)  # 002:L2208, 002:L2246
    assert set(on[on.service_id == "mlu"].site_id) == set(ACUTE)
    rules = t["rules"]
    assert ((rules.service_id == "mlu") & (rules.other_service_id == "obstetric")).any()  # co-located


def test_plan_papworth_move_and_neighbourhood_hubs(t) -> None:
    starts = option(t, "scheme_start")
    assert starts.set_index("scheme_id").from_year.to_dict() == {"papworth_move": "2017/18"}  # 002:L2423
    s = option(t, "service")
    cardio = s[s.service_id == "cardiothoracic"]
    assert set(zip(cardio.site_id, cardio.from_year, cardio.value, strict=True)) == {
        ("PAP", "2017/18", "1"), ("PAP", "2018/19", "0"), ("PAPCBC", "2018/19", "1")}
    for site in ("POW", "NCH"):  # 002:L2513
        assert set(s[(s.site_id == site) & (s.value == "1")].service_id) == {"outpatients", "diagnostics",
                                                                              "urgent_care"}


def test_open_questions_are_left_to_the_optimiser(t) -> None:
    s = option(t, "service")
    assert not set(s.service_id) & {"stroke_rehab", "ortho_trauma", "elective_ortho", "upc"}  # 002:L2180-2238
    assert not set(option(t, "role").role_id) & {"miu", "upch"}
    assert option(t, "beds").empty
    # each question is a real choice in the data
    ss = t["site_services"]
    for k in ("stroke_rehab", "ortho_trauma", "elective_ortho"):
        assert set(ss[(ss.service_id == k) & (ss.today == "true")].site_id) == set(ACUTE), k
    sr = t["site_roles"]
    for site in ("POW", "NCH", "DOD"):
        assert set(sr[sr.site_id == site].role_id) == {"miu", "upch"}
        assert f"upch_{site.lower()}" in set(t["schemes"].scheme_id)


def test_today_roles(t) -> None:
    sr = t["site_roles"]
    today = dict(zip(sr[sr.today == "true"].site_id, sr[sr.today == "true"].role_id, strict=True))
    assert today == {"ADD": "sec", "PCH": "edc", "HIN": "edc", "POW": "miu", "NCH": "miu", "DOD": "miu"}


@pytest.mark.parametrize("name,option_id", [("cambs-2017", None), ("cambs-2017-plan", "plan")])
def test_scenarios(name, option_id) -> None:
    s = tomllib.loads((MODELS / f"{name}.toml").read_text(encoding="utf-8"))
    assert s["name"] == name and s.get("option") == option_id
    assert (MODELS / s["data"]).resolve() == DATA
    assert s["base_year"] == "2016/17" and s["horizon"] == YEARS
    assert s["constraints"]["fixed_until"] == "2018/19"
