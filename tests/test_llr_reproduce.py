"""The plan's preferred option, fixed, reproduces the plan's own tables (issue 3, 'Must reproduce')."""

from collections import Counter

import pytest

from reconfig.inputs.scenario import load_scenario
from reconfig.instance.build import build_instance
from reconfig.solve.solver import solve_instance

LAST = "2020/21"


@pytest.fixture(scope="module")
def preferred():
    inst = build_instance(load_scenario("models/llr-2017-preferred.toml"))
    built, outcome = solve_instance(inst, fix="preferred")
    assert outcome.status == "optimal"
    return inst, outcome.values


def test_acute_capital_by_year(preferred):
    inst, v = preferred
    acute = Counter()
    for scheme, by_year in v["capital_spend_by_scheme"].items():
        if inst.schemes[scheme].programme == "acute":
            acute.update(by_year)
    assert [acute[y] for y in inst.years] == [29389, 52203, 88989, 109000]


def test_total_four_year_capital_is_321_58m(preferred):
    _, v = preferred
    assert sum(v["capital_spend_by_year"].values()) == pytest.approx(321582)


def test_camhs_unit_falls_in_2020_21(preferred):
    _, v = preferred
    assert v["capital_spend_by_scheme"]["camhs_unit"] == {LAST: 8000}


def test_lgh_disposal_in_2020_21(preferred):
    _, v = preferred
    assert {"disposal": "lgh_acute", "year": LAST} in v["disposals"]


def test_beds_in_2020_21(preferred):
    _, v = preferred
    by_type = Counter()
    by_site = Counter()
    for r in v["beds"]:
        if r["year"] == LAST:
            by_type[r["bed_type"]] += r["beds"]
            by_site[r["site"], r["bed_type"]] += r["beds"]
    assert by_type["acute"] == 1697
    assert by_type["rehab"] == 150 and by_type["stroke_rehab"] == 45
    assert by_site["COAL", "rehab"] == 21 and by_site["COAL", "stroke_rehab"] == 15
    assert by_site["LOUGH", "rehab"] == 24 and by_site["HINB", "rehab"] == 21
    assert by_site["EVING", "rehab"] == 42 and by_site["EVING", "stroke_rehab"] == 15
    assert by_site["MELT", "rehab"] == 21
    assert by_site["STLUK", "rehab"] == 21 and by_site["STLUK", "stroke_rehab"] == 15
    assert by_site["RUTL", "rehab"] == 0 and by_site["FEILD", "rehab"] == 0
    assert by_site["LGH", "acute"] == 0


def test_two_acute_sites_in_2020_21(preferred):
    _, v = preferred
    ed = {r["site"] for r in v["services"] if r["service"] == "acute_inpatient" and r["year"] == LAST}
    assert ed == {"LRI", "GH"}
