"""Checks on the shipped LLR road network (data/llr/roads) and, when present, the LLR zones and sites."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reconfig.inputs.errors import ProblemLog
from reconfig.inputs.scenario import Travel
from reconfig.travel import load_network, pairwise_m, travel_times
from reconfig.travel.paths import snap

LLR = Path(__file__).resolve().parents[1] / "data" / "llr"
TRAVEL = Travel(method="network", cache=False)
TOP_KPH = 95.0 * TRAVEL.blue_light_factor  # fastest speed anywhere (motorway, blue light)


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    log = ProblemLog()
    network = load_network(TRAVEL, LLR, log)
    assert not log.problems, "\n".join(map(str, log.problems))
    return network


def towns(net, ids: list[str]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    pos = [list(net.node_ids).index(i) for i in ids]
    return pd.DataFrame({"id": ids, "lat": net.lat[pos], "lon": net.lon[pos]})


TOWNS = ["cc_clock_tower", "loughborough", "coalville", "ashby", "hinckley", "lutterworth", "market_harborough",
         "melton_mowbray", "oakham", "uppingham", "oadby", "wigston", "blaby", "syston", "shepshed"]


def test_network_size_and_speed_table(net) -> None:  # type: ignore[no-untyped-def]
    assert 80 <= net.n <= 250
    speeds = pd.read_csv(LLR / "roads" / "speeds.csv")
    assert speeds["source"].str.startswith("assumption:").all()
    assert (pd.read_csv(LLR / "roads" / "edges.csv")["source"].str.startswith("assumption:")).all()
    assert speeds["speed_kph"].max() == 95


def test_road_sources_are_registered_assumptions() -> None:
    registers = [f for f in (LLR / "assumptions.csv", LLR / "roads" / "assumptions.csv") if f.is_file()]
    known = set().union(*(set(pd.read_csv(f)["assumption_id"]) for f in registers))
    for name in ("nodes.csv", "edges.csv", "speeds.csv"):
        cited = {c.split(":", 1)[1] for cell in pd.read_csv(LLR / "roads" / name)["source"] for c in cell.split(";")}
        assert cited <= known, (name, cited - known)


def test_town_to_town_times_plausible(net) -> None:  # type: ignore[no-untyped-def]
    t = towns(net, TOWNS)
    zones = t.rename(columns={"id": "zone_id"})
    sites = t.rename(columns={"id": "site_id"})
    m = travel_times(zones, sites, TRAVEL, LLR, ["car"])["car"]
    # off-peak car times a route planner gives, +-35 %
    for a, b, minutes in [("cc_clock_tower", "loughborough", 27), ("cc_clock_tower", "market_harborough", 32),
                          ("cc_clock_tower", "melton_mowbray", 32), ("cc_clock_tower", "hinckley", 30),
                          ("cc_clock_tower", "oakham", 45), ("loughborough", "coalville", 20),
                          ("cc_clock_tower", "lutterworth", 27), ("oakham", "uppingham", 12)]:
        assert minutes / 1.35 <= m.loc[a, b] <= minutes * 1.35, (a, b, m.loc[a, b])
    np.testing.assert_allclose(m.to_numpy(), m.to_numpy().T, rtol=1e-9)  # symmetric


def test_no_path_faster_than_the_crow_flies(net) -> None:  # type: ignore[no-untyped-def]
    t = towns(net, list(net.node_ids))
    zones, sites = t.rename(columns={"id": "zone_id"}), t.iloc[::9].rename(columns={"id": "site_id"})
    for mode in ("car", "blue_light"):
        m = travel_times(zones, sites, TRAVEL, LLR, [mode])[mode].to_numpy()
        floor = pairwise_m(zones.lat, zones.lon, sites.lat, sites.lon) / 1000 / TOP_KPH * 60
        assert (m >= floor - 1e-9).all()
        assert np.isfinite(m).all()


def _llr_points() -> tuple[pd.DataFrame, pd.DataFrame]:
    if not (LLR / "zones.csv").is_file() or not (LLR / "sites.csv").is_file():
        pytest.skip("data/llr/zones.csv or sites.csv not present yet")
    zones = pd.read_csv(LLR / "zones.csv", dtype={"zone_id": str})
    sites = pd.read_csv(LLR / "sites.csv", dtype={"site_id": str})
    return zones, sites


def test_llr_zones_near_the_network(net) -> None:  # type: ignore[no-untyped-def]
    zones, sites = _llr_points()
    for pts in (zones, sites):
        d = snap(net, pts["lat"].to_numpy(float), pts["lon"].to_numpy(float)).dist_m
        assert d.max() < 10_000, pts.iloc[int(d.argmax())].to_dict()


def test_every_llr_zone_reaches_every_acute_site_and_back() -> None:
    zones, sites = _llr_points()
    acute = sites.loc[sites["kind"] == "acute"] if "kind" in sites.columns else sites
    assert len(acute)
    out = travel_times(zones, acute, TRAVEL, LLR, ["car", "blue_light"])
    car = out["car"]
    assert np.isfinite(car.to_numpy()).all()
    assert car.min(axis=1).max() < 60  # everyone within an hour of some acute site by car
    assert (out["blue_light"] <= car + 1e-9).all().all()
    floor = pairwise_m(zones.lat, zones.lon, acute.lat, acute.lon) / 1000 / TOP_KPH * 60
    assert (car.to_numpy() >= floor - 1e-9).all()
    back = travel_times(acute.rename(columns={"site_id": "zone_id"}), zones.rename(columns={"zone_id": "site_id"}),
                        TRAVEL, LLR, ["car"])["car"]
    np.testing.assert_allclose(car.to_numpy(), back.to_numpy().T, rtol=1e-6)
