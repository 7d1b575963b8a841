"""Pins the figures of the bundled LLR system (data/llr) to its sources, and checks that the data are
internally consistent: calibration, the plan's preferred option, funding and the source register.

Uses only pandas and tomllib: no engine calls. Figures: shared design SOURCES.md / seeds/002-*.toml.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
LLR = ROOT / "data" / "llr"
MODELS = ROOT / "models"
YEARS = ["2017/18", "2018/19", "2019/20", "2020/21"]
COMMUNITY_SITES = ["COAL", "LOUGH", "HINB", "HIND", "EVING", "MELT", "RUTL", "STLUK", "FEILD"]


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(LLR / f"{name}.csv", dtype=str, keep_default_na=False)


def num(df: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(df[col].replace("", "nan"))


def yi(year: str) -> int:
    return YEARS.index(year)


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return {p.stem: read(p.stem) for p in LLR.glob("*.csv")}


# ------------------------------------------------------------------ population

def test_zone_population_total_and_ccg_groups(t) -> None:
    z = t["zones"].assign(population=num(t["zones"], "population"))
    assert len(z) >= 40
    assert abs(z.population.sum() - 1_061_800) <= 0.005 * 1_061_800  # 002:L292
    groups = z.groupby("group").population.sum()
    for group, registered in {"Leicester City": 376_000, "East Leicestershire and Rutland": 325_000,
                              "West Leicestershire": 374_000}.items():  # 002:L704-707
        assert abs(groups[group] - registered) <= 0.01 * registered, group
    assert set(groups.index) == {"Leicester City", "East Leicestershire and Rutland", "West Leicestershire"}
    lat, lon = num(z, "lat"), num(z, "lon")
    assert lat.between(52.35, 52.98).all() and lon.between(-1.62, -0.40).all()  # inside LLR
    assert set(t["zone_attributes"].zone_id) == set(z.zone_id)


# ------------------------------------------------------------------ capital

def scheme_spend(t, starts: dict[str, str]) -> pd.DataFrame:
    """Spend by scheme and year (£000) for the given start years."""
    c = t["scheme_costs"].assign(year_offset=num(t["scheme_costs"], "year_offset"),
                                 cost=num(t["scheme_costs"], "cost_gbp_k"))
    out = pd.DataFrame(0.0, index=sorted(starts), columns=YEARS)
    for r in c.itertuples():
        if r.scheme_id in starts:
            y = yi(starts[r.scheme_id]) + int(r.year_offset)
            assert y < len(YEARS), f"{r.scheme_id} spends after the horizon"
            out.loc[r.scheme_id, YEARS[y]] += r.cost
    return out


def test_acute_programme_by_year(t) -> None:
    s = t["schemes"]
    acute = s.loc[s.programme == "acute", "scheme_id"]
    spend = scheme_spend(t, dict.fromkeys(acute, "2017/18")).sum()
    assert spend.tolist() == [29_389, 52_203, 88_989, 109_000]  # 002:L1525-1548
    assert spend.sum() == 279_581


def test_scheme_totals(t) -> None:
    s = t["schemes"].assign(total=num(t["schemes"], "total_cost_gbp_k"))
    assert s.total.sum() == 321_582  # acute 279,581 + community 42,001 (plan: 321.7, 002:L1721)
    assert s.loc[s.programme == "acute", "total"].sum() == 279_581
    assert s.loc[s.programme == "community", "total"].sum() == 42_001
    expected = {"mh_ward": 8_600, "melton_ward": 3_850, "evington_stroke": 7_500, "hb_refurb": 4_236,
                "hinhc_refurb": 3_165, "hinck_equip": 300, "lutt_mc_ext": 1_000, "lutt_imaging": 350,
                "oakham_conv": 1_000, "camhs_unit": 8_000, "cdhub": 4_000}
    assert s.set_index("scheme_id").total[list(expected)].to_dict() == expected


def test_every_cost_profile_sums_to_its_total(t) -> None:
    s = t["schemes"].assign(total=num(t["schemes"], "total_cost_gbp_k")).set_index("scheme_id")
    c = t["scheme_costs"].assign(cost=num(t["scheme_costs"], "cost_gbp_k"))
    sums = c.groupby("scheme_id").cost.sum()
    assert set(sums.index) == set(s.index)
    for sid, total in s.total.items():
        assert sums[sid] == pytest.approx(total), sid


# ------------------------------------------------------------------ beds

def test_beds_today(t) -> None:
    b = t["beds_today"].assign(beds=num(t["beds_today"], "beds"))
    by_type = b.groupby("bed_type").beds.sum()
    assert by_type["acute"] == 1_940  # 002:L334-335
    community = b[b.site_id.isin(COMMUNITY_SITES) & b.bed_type.isin(["rehab", "stroke_rehab"])]
    assert community.beds.sum() == 233  # 002:L926
    assert by_type["rehab"] == 192 and by_type["stroke_rehab"] == 41
    cell = b.set_index(["site_id", "bed_type"]).beds
    assert cell["COAL", "rehab"] == 24 and cell["COAL", "stroke_rehab"] == 24  # 002:L978
    assert cell["MELT", "rehab"] == 17  # 002:L957-966 "from 17"
    assert cell["COAL", "camhs"] == 15  # 002:L1706-1717
    cap = num(t["sites"], "bed_capacity").set_axis(t["sites"].site_id)
    for site, beds in b.groupby("site_id").beds.sum().items():
        assert beds <= cap[site], site


def option_rows(t, option: str, item: str) -> pd.DataFrame:
    o = t["options"]
    return o[(o.option_id == option) & (o["item"] == item)]


@pytest.mark.parametrize("option", ["preferred", "maternity_a"])
def test_option_beds_2020_21(t, option) -> None:
    b = option_rows(t, option, "beds")
    assert (b.from_year == "2020/21").all()
    b = b.assign(value=num(b, "value")).set_index(["site_id", "bed_type"]).value
    assert b.xs("acute", level=1).sum() == 1_697  # 002:L334-335, 002:L863
    assert b.xs("rehab", level=1).sum() == 150 and b.xs("stroke_rehab", level=1).sum() == 45  # 002:L926
    expected = {("COAL", "rehab"): 21, ("COAL", "stroke_rehab"): 15, ("LOUGH", "rehab"): 24,
                ("HINB", "rehab"): 21, ("EVING", "rehab"): 42, ("EVING", "stroke_rehab"): 15,
                ("MELT", "rehab"): 21, ("STLUK", "rehab"): 21, ("STLUK", "stroke_rehab"): 15,
                ("RUTL", "rehab"): 0, ("FEILD", "rehab"): 0, ("LGH", "acute"): 0}  # 002:L957-966
    for key, beds in expected.items():
        assert b[key] == beds, key


# ------------------------------------------------------------------ demand calibration

def growth_index(t) -> pd.DataFrame:
    """Multiplier on base-year demand by service and year (growth compounds; the shift is a level)."""
    g = t["growth"]
    idx = {}
    for k in t["services"].service_id:
        level, out = 1.0, []
        for y in YEARS:
            r = g[(g.year == y) & (g.service_id == k)]
            if r.empty:
                r = g[(g.year == y) & (g.service_id == "*")]
            assert len(r) == 1, (k, y)
            r = r.iloc[0]
            level *= (1 + float(r.demographic_pct) / 100) * (1 + float(r.non_demographic_pct) / 100)
            out.append(level * (1 + float(r.activity_shift_pct or 0) / 100))
        idx[k] = out
    return pd.DataFrame(idx, index=YEARS).T


def bed_need(t, service: str, year: str | None, reduction_pct: float = 0.0) -> float:
    pop = num(t["zones"], "population").sum()
    d = t["demand"].set_index("service_id")
    bt = t["services"].set_index("service_id").bed_type[service]
    occ = float(t["bed_types"].set_index("bed_type").occupancy[bt])
    factor = 1.0 if year is None else growth_index(t).loc[service, year]
    return (pop * float(d.rate_per_1000[service]) / 1000 * factor * (1 - reduction_pct / 100)
            * float(d.los_days[service]) / (365 * occ))


def test_base_year_need_equals_todays_beds(t) -> None:
    assert bed_need(t, "acute_inpatient", None) == pytest.approx(1_940, abs=1)
    assert bed_need(t, "rehab", None) == pytest.approx(192, abs=0.5)
    assert bed_need(t, "stroke_rehab", None) == pytest.approx(41, abs=0.5)
    assert bed_need(t, "camhs", None) == pytest.approx(15, abs=0.6)


def test_2020_21_need_fits_the_plan(t) -> None:
    ds = t["demand_schemes"].set_index("scheme_id")
    assert ds.service_id["ilt"] == "acute_inpatient"
    red = float(ds.reduction_pct["ilt"])
    assert red == pytest.approx(128 / 1_940 * 100, abs=0.05)  # 002:L672: 128 beds
    lag = int(ds.effect_lag_years["ilt"])
    assert yi("2017/18") + lag <= yi("2020/21")
    acute = bed_need(t, "acute_inpatient", "2020/21", red)
    assert 1_680 <= acute <= 1_697  # 002:L334-335: 1,697 beds in 2020/21
    assert 145 <= bed_need(t, "rehab", "2020/21") <= 150
    assert 43 <= bed_need(t, "stroke_rehab", "2020/21") <= 45
    assert bed_need(t, "camhs", "2020/21") <= 15


def test_do_nothing_fits_physical_capacity(t) -> None:
    cap = num(t["sites"], "bed_capacity").set_axis(t["sites"].site_id)
    for y in YEARS:
        acute = bed_need(t, "acute_inpatient", y)
        assert acute <= cap[["LRI", "GH", "LGH"]].sum(), y
        community = sum(bed_need(t, k, y) for k in ("rehab", "stroke_rehab", "camhs"))
        assert community <= cap[COMMUNITY_SITES].sum(), y
        assert bed_need(t, "stroke_rehab", y) + bed_need(t, "camhs", y) <= cap[["COAL", "STLUK"]].sum() - 40, y


# ------------------------------------------------------------------ the preferred option

def scheme_done(t, starts: dict[str, str]) -> dict[str, int]:
    lead = num(t["schemes"], "lead_years").set_axis(t["schemes"].scheme_id)
    return {s: yi(y) + int(lead[s]) for s, y in starts.items()}


def option_state(t, option: str) -> dict[tuple[str, str], list[int]]:
    rows = option_rows(t, option, "service")
    state: dict[tuple[str, str], list[int | None]] = {}
    for r in rows.itertuples():
        vals = state.setdefault((r.site_id, r.service_id), [None] * len(YEARS))
        for i in range(yi(r.from_year), yi(r.to_year or YEARS[-1]) + 1):
            assert vals[i] is None, (r.site_id, r.service_id, YEARS[i])
            vals[i] = int(float(r.value))
    return state  # type: ignore[return-value]


@pytest.mark.parametrize("option", ["preferred", "maternity_a"])
def test_option_is_consistent_with_sites_schemes_and_rules(t, option) -> None:
    ss = t["site_services"]
    today = {(r.site_id, r.service_id): r.today == "true" for r in ss.itertuples()}
    can = {(r.site_id, r.service_id): r.can_host == "true" for r in ss.itertuples()}
    state = option_state(t, option)
    assert set(state) == set(today)  # every site x service fixed in every year
    assert all(v is not None for vals in state.values() for v in vals)
    starts = dict(zip(option_rows(t, option, "scheme_start").scheme_id,
                      option_rows(t, option, "scheme_start").from_year, strict=True))
    assert set(starts) == set(t["schemes"].scheme_id)
    done = scheme_done(t, starts)
    eff = t["scheme_effects"]
    for (site, svc), vals in state.items():
        assert vals[0] == int(today[(site, svc)]), ("fixed until 2018/19", site, svc)
        enablers = eff[(eff.effect == "enable_service") & (eff.site_id == site) & (eff.service_id == svc)]
        for i, v in enumerate(vals):
            if v and not can[(site, svc)]:
                assert any(done[s] <= i for s in enablers.scheme_id), (site, svc, YEARS[i])
    services = t["services"].set_index("service_id")
    for i, y in enumerate(YEARS):
        on = {k for k, vals in state.items() if vals[i]}
        for r in t["rules"].itertuples():
            if r.rule == "requires":
                for site, svc in on:
                    if svc == r.service_id:
                        assert (site, r.other_service_id) in on, (y, site, svc, r.other_service_id)
            elif r.rule == "forbid":
                assert (r.site_id, r.service_id) not in on, (y, r.site_id, r.service_id)
        for svc, row in services.iterrows():
            n = sum(1 for _, k in on if k == svc)
            if row.min_sites:
                assert n >= int(row.min_sites), (y, svc)
            if row.max_sites:
                assert n <= int(row.max_sites), (y, svc)
    # prerequisites hold at the plan's years
    for r in t["scheme_prereqs"].itertuples():
        if r.kind == "start_after_done":
            assert yi(starts[r.scheme_id]) >= done[r.requires_scheme_id], r.scheme_id
        else:
            assert done[r.scheme_id] >= done[r.requires_scheme_id], r.scheme_id
    # two acute sites from 2020/21; maternity at LRI; St Mary's closes
    assert state[("LGH", "acute_inpatient")][-1] == 0 and state[("LRI", "obstetric")][-1] == 1
    assert state[("STMARY", "mlu")][-1] == 0
    assert state[("LGH", "mlu")][-1] == (1 if option == "preferred" else 0)


def test_preferred_beds_fit_capacity_and_need(t) -> None:
    starts = dict(zip(option_rows(t, "preferred", "scheme_start").scheme_id,
                      option_rows(t, "preferred", "scheme_start").from_year, strict=True))
    done = scheme_done(t, starts)
    cap = num(t["sites"], "bed_capacity").set_axis(t["sites"].site_id).astype(float)
    eff = t["scheme_effects"]
    add = eff[eff.effect == "add_capacity"]
    for r in add.itertuples():
        if done[r.scheme_id] <= yi("2020/21"):
            cap[r.site_id or t["schemes"].set_index("scheme_id").site_id[r.scheme_id]] += float(r.amount)
    b = option_rows(t, "preferred", "beds")
    b = b.assign(value=num(b, "value"))
    for site, beds in b.groupby("site_id").value.sum().items():
        assert beds <= cap[site], site
    state = option_state(t, "preferred")
    bed_service = {v: k for k, v in t["services"].set_index("service_id").bed_type.items() if v}
    for r in b.itertuples():
        if r.value > 0:
            assert state[(r.site_id, bed_service[r.bed_type])][-1] == 1, (r.site_id, r.bed_type)
    by_type = b.groupby("bed_type").value.sum()
    red = float(t["demand_schemes"].set_index("scheme_id").reduction_pct["ilt"])
    assert bed_need(t, "acute_inpatient", "2020/21", red) <= by_type["acute"]
    for k in ("rehab", "stroke_rehab", "camhs"):
        assert bed_need(t, k, "2020/21") <= by_type[k], k


def test_preferred_option_is_fundable_year_by_year(t) -> None:
    """Builds one allocation of funds to the preferred option's spend, year by year (a feasibility witness)."""
    starts = dict(zip(option_rows(t, "preferred", "scheme_start").scheme_id,
                      option_rows(t, "preferred", "scheme_start").from_year, strict=True))
    spend = scheme_spend(t, starts)
    f = t["funding"].assign(amount=num(t["funding"], "available_gbp_k"))
    avail = {(r.funding_id, r.year): r.amount for r in f.itertuples()}
    elig = t["funding_eligibility"].groupby("funding_id").scheme_id.apply(set).to_dict()
    disp = t["disposals"].assign(value=num(t["disposals"], "value_gbp_k")).set_index("disposal_id")
    receipts = {y: 0.0 for y in YEARS}
    for r in option_rows(t, "preferred", "disposal").itertuples():
        receipts[r.from_year] += disp.value[r.disposal_id]
        assert disp.funding_id[r.disposal_id] == "disposals"
    assert receipts["2018/19"] == 6_000 and receipts["2020/21"] == 14_758 + 28_350  # 002:L1737-1753, L1728-1735
    used = {"dh": 0.0, "internal": 0.0}
    order = ["entrance", "pf2", "local_authority", "commercial", "disposals", "dh", "internal"]
    for y in YEARS:
        left = spend[y].copy()
        budget = {k: avail.get((k, y), 0.0) for k in order}
        budget["disposals"] += receipts[y]
        for fund in order:
            ok = elig[fund] if "*" not in elig[fund] else set(left.index)
            for sid in sorted(ok & set(left.index), key=lambda s: (s not in set(t["schemes"].query(
                    "programme == 'community'").scheme_id), s)):
                take = min(left[sid], budget[fund])
                left[sid] -= take
                budget[fund] -= take
                if fund in used:
                    used[fund] += take
        assert left.sum() == pytest.approx(0, abs=1e-6), (y, left[left > 0].to_dict())
    assert used["dh"] <= avail[("dh", "total")]
    assert used["internal"] <= avail[("internal", "total")]


def test_community_requirement_matches_the_funding_table(t) -> None:
    """With the CAMHS unit in 2020/21 the community spend reproduces 2.0 / 16.3 / 5.3 / 18.5 £m (002:L1737-1753)."""
    s = t["schemes"]
    starts = dict(zip(option_rows(t, "preferred", "scheme_start").scheme_id,
                      option_rows(t, "preferred", "scheme_start").from_year, strict=True))
    community = {k: v for k, v in starts.items() if k in set(s.loc[s.programme == "community", "scheme_id"])}
    spend = scheme_spend(t, community).sum()
    for got, plan in zip(spend, [2.0, 16.3, 5.3, 18.5], strict=True):
        assert abs(got / 1000 - plan) <= 0.1


# ------------------------------------------------------------------ scenarios

@pytest.mark.parametrize("name,option", [("llr-2017", None), ("llr-2017-preferred", "preferred")])
def test_scenarios(name, option) -> None:
    s = tomllib.loads((MODELS / f"{name}.toml").read_text(encoding="utf-8"))
    assert s["name"] == name and s.get("option") == option
    assert (MODELS / s["data"]).resolve() == LLR
    assert s["base_year"] == "2016/17" and s["horizon"] == YEARS
    assert s["objective"]["weights"] == {"npv_cost": 1.0}
    assert s["constraints"]["fixed_until"] == "2018/19"
    assert s["finance"]["discount_rate"] == 0.035
    if option:
        assert option in set(read("options").option_id)
