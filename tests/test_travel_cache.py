"""The on-disk matrix cache: reuse, invalidation on any input change, atomic files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import reconfig.travel.times as times
from reconfig.inputs.errors import InputError
from reconfig.inputs.scenario import Travel
from reconfig.travel import cache, cache_dir, travel_times

NODES = "id,lat,lon\na,52.60,-1.20\nb,52.60,-1.15\nc,52.65,-1.15\n"
EDGES = "from,to,road_class\na,b,primary\nb,c,primary\n"
SPEEDS = "road_class,speed_kph\nprimary,60\n"
ZONES = pd.DataFrame({"zone_id": ["z1", "z2"], "lat": [52.60, 52.65], "lon": [-1.2, -1.15]})
SITES = pd.DataFrame({"site_id": ["s"], "lat": [52.60], "lon": [-1.15]})


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RECONFIG_CACHE", str(tmp_path / "cache"))
    roads = tmp_path / "data" / "roads"
    roads.mkdir(parents=True)
    (roads / "nodes.csv").write_text(NODES)
    (roads / "edges.csv").write_text(EDGES)
    (roads / "speeds.csv").write_text(SPEEDS)
    return tmp_path / "data"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts real computations of network matrices."""
    seen: list[str] = []
    real = times.network_minutes

    def counting(*a: object, **kw: object):  # type: ignore[no-untyped-def]
        seen.append(str(a[5]))
        return real(*a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(times, "network_minutes", counting)
    return seen


def test_cache_dir_from_environment(data: Path, tmp_path: Path) -> None:
    assert cache_dir() == tmp_path / "cache"


def test_second_call_reuses_the_cache(data: Path, calls: list[str]) -> None:
    t = Travel(method="network")
    first = travel_times(ZONES, SITES, t, data, ["car", "blue_light"])
    again = travel_times(ZONES, SITES, t, data, ["car", "blue_light"])
    assert calls == ["car", "blue_light"]
    for m in first:
        pd.testing.assert_frame_equal(first[m], again[m])
    files = sorted(p.suffix for p in cache_dir().iterdir())
    assert files == [".json", ".json", ".npz", ".npz"]  # no temporary files left


@pytest.mark.parametrize("change", ["zone_coords", "site_ids", "speeds_file", "edges_file", "spec", "order"])
def test_any_input_change_invalidates(data: Path, calls: list[str], change: str) -> None:
    t = Travel(method="network")
    travel_times(ZONES, SITES, t, data, ["car"])
    zones, sites = ZONES.copy(), SITES.copy()
    if change == "zone_coords":
        zones.loc[0, "lat"] += 0.001
    elif change == "site_ids":
        sites["site_id"] = ["t"]
    elif change == "speeds_file":
        (data / "roads" / "speeds.csv").write_text("road_class,speed_kph\nprimary,61\n")
    elif change == "edges_file":
        (data / "roads" / "edges.csv").write_text(EDGES + "a,c,primary\n")
    elif change == "spec":
        t = Travel(method="network", access_speed_kph=25)
    elif change == "order":
        zones = zones.iloc[::-1]
    travel_times(zones, sites, t, data, ["car"])
    assert calls == ["car", "car"]


def test_irrelevant_spec_change_keeps_the_cache(data: Path, calls: list[str]) -> None:
    travel_times(ZONES, SITES, Travel(method="network"), data, ["car"])
    travel_times(ZONES, SITES, Travel(method="network", speed_kph=70, circuity=1.5), data, ["car"])  # geodesic keys
    assert calls == ["car"]


def test_cache_off_and_damaged_entries(data: Path, calls: list[str]) -> None:
    t = Travel(method="network", cache=False)
    travel_times(ZONES, SITES, t, data, ["car"])
    travel_times(ZONES, SITES, t, data, ["car"])
    assert calls == ["car", "car"] and not cache_dir().exists()
    t = Travel(method="network")
    travel_times(ZONES, SITES, t, data, ["car"])
    for f in cache_dir().glob("*.npz"):
        f.write_bytes(b"garbage")
    out = travel_times(ZONES, SITES, t, data, ["car"])
    assert len(calls) == 4 and np.isfinite(out["car"].to_numpy()).all()


def test_matrix_and_geodesic_are_cached_too(data: Path) -> None:
    (data / "travel_times.csv").write_text("zone_id,site_id,mode,minutes\nz1,s,public_transport,5\n"
                                           "z2,s,public_transport,7\n")
    t = Travel()
    a = travel_times(ZONES, SITES, t, data, ["public_transport", "car"])
    assert len(list(cache_dir().glob("*.npz"))) == 2
    (data / "travel_times.csv").write_text("zone_id,site_id,mode,minutes\nz1,s,public_transport,6\n"
                                           "z2,s,public_transport,7\n")
    b = travel_times(ZONES, SITES, t, data, ["public_transport"])
    assert a["public_transport"].iloc[0, 0] == 5 and b["public_transport"].iloc[0, 0] == 6


def test_failed_input_is_not_cached(data: Path) -> None:
    (data / "roads" / "speeds.csv").write_text("road_class,speed_kph\nprimary,0\n")
    with pytest.raises(InputError):
        travel_times(ZONES, SITES, Travel(method="network"), data, ["car"])
    assert not cache_dir().exists() or not list(cache_dir().iterdir())


def test_store_and_load_round_trip(tmp_path: Path) -> None:
    m = np.array([[1.0, np.inf]])
    cache.store("k", m, np.array(["z"], dtype=object), np.array(["a", "b"], dtype=object), {}, tmp_path)
    got = cache.load("k", np.array(["z"], dtype=object), np.array(["a", "b"], dtype=object), tmp_path)
    assert got is not None and np.array_equal(got, m)
    assert cache.load("k", np.array(["y"], dtype=object), np.array(["a", "b"], dtype=object), tmp_path) is None
