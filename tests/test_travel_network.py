"""Road-network travel times: loading, snapping, shortest paths, GraphML, and every bad-input error."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconfig.inputs.errors import InputError, ProblemLog
from reconfig.inputs.scenario import Travel
from reconfig.travel import distance_m, load_network, travel_times
from reconfig.travel.graphml import parse_maxspeed
from reconfig.travel.paths import node_minutes, reverse_csr
from reconfig.travel.roads import RoadNetwork

# A small road network south of Leicester: a "ladder" of two roads joined by rungs.
NODES = """id,lat,lon
a,52.60,-1.20
b,52.60,-1.15
c,52.60,-1.10
d,52.56,-1.20
e,52.56,-1.15
f,52.56,-1.10
"""
EDGES = """from,to,road_class,length_m,speed_kph,oneway
a,b,primary,,,
b,c,primary,,,
d,e,secondary,,,
e,f,secondary,,,
a,d,secondary,,,
c,f,motorway,,,
b,e,urban,,,
"""
SPEEDS = """road_class,speed_kph,circuity,source
motorway,100,1.0,assumption:x
primary,60,1.1,assumption:x
secondary,40,1.2,assumption:x
urban,20,1.0,assumption:x
"""


def write(folder: Path, nodes: str = NODES, edges: str = EDGES, speeds: str | None = SPEEDS) -> Path:
    roads = folder / "roads"
    roads.mkdir(parents=True, exist_ok=True)
    (roads / "nodes.csv").write_text(nodes)
    (roads / "edges.csv").write_text(edges)
    if speeds is not None:
        (roads / "speeds.csv").write_text(speeds)
    return folder


def zones_sites() -> tuple[pd.DataFrame, pd.DataFrame]:
    zones = pd.DataFrame({"zone_id": ["za", "zf", "ze"], "lat": [52.601, 52.559, 52.561],
                          "lon": [-1.201, -1.101, -1.151]})
    sites = pd.DataFrame({"site_id": ["sc", "sd"], "lat": [52.600, 52.5605], "lon": [-1.099, -1.2]})
    return zones, sites


def travel(**kw: object) -> Travel:
    return Travel(method="network", cache=False, **kw)  # type: ignore[arg-type]


def problems(excinfo: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def expected_minutes(net: RoadNetwork, zones: pd.DataFrame, sites: pd.DataFrame, t: Travel,
                     mode: str = "car") -> np.ndarray:
    """Brute force with networkx: every node as entry and exit, not just the nearest."""
    g = net.to_networkx(mode)
    factor = t.blue_light_factor if mode == "blue_light" else 1.0
    per_m = t.access_circuity / 1000 / (t.access_speed_kph * factor) * 60
    out = np.empty((len(zones), len(sites)))
    for j, s in enumerate(sites.itertuples()):
        to_site = nx.single_source_dijkstra_path_length(g.reverse(), net.node_ids[_nearest(net, s.lat, s.lon)],
                                                        weight="minutes")
        s_leg = _dist(net, s.lat, s.lon)[_nearest(net, s.lat, s.lon)] * per_m
        for i, z in enumerate(zones.itertuples()):
            k = _nearest(net, z.lat, z.lon)
            z_leg = _dist(net, z.lat, z.lon)[k] * per_m
            via = z_leg + to_site[net.node_ids[k]] + s_leg
            direct = float(distance_m(z.lat, z.lon, s.lat, s.lon)) * per_m
            out[i, j] = min(via, direct) if direct <= z_leg + s_leg else via
    return out


def _dist(net: RoadNetwork, lat: float, lon: float) -> np.ndarray:
    return distance_m(lat, lon, net.lat, net.lon)


def _nearest(net: RoadNetwork, lat: float, lon: float) -> int:
    return int(np.argmin(_dist(net, lat, lon)))


def test_network_times_match_networkx(tmp_path: Path) -> None:
    write(tmp_path)
    zones, sites = zones_sites()
    t = travel()
    out = travel_times(zones, sites, t, tmp_path, ["car", "blue_light"])
    net = load_network(t, tmp_path, ProblemLog())
    assert net is not None and not net.directed
    np.testing.assert_allclose(out["car"].to_numpy(), expected_minutes(net, zones, sites, t), rtol=1e-6)
    np.testing.assert_allclose(out["blue_light"].to_numpy(), expected_minutes(net, zones, sites, t, "blue_light"),
                               rtol=1e-6)
    assert (out["blue_light"] < out["car"]).all().all()


def test_lengths_speeds_and_circuity(tmp_path: Path) -> None:
    write(tmp_path)
    net = load_network(travel(), tmp_path, ProblemLog())
    assert net is not None
    arc = {(net.node_ids[u], net.node_ids[v]): i for i, (u, v) in enumerate(zip(net.src, net.dst, strict=True))}
    i = arc[("a", "b")]
    straight = float(distance_m(52.60, -1.20, 52.60, -1.15))
    assert net.length_m[i] == pytest.approx(straight * 1.1)  # primary circuity
    assert net.minutes("car")[i] == pytest.approx(straight * 1.1 / 1000 / 60 * 60)
    assert net.minutes("blue_light")[i] == pytest.approx(net.minutes("car")[i] / 1.2)


def test_edge_speed_and_length_override_the_class(tmp_path: Path) -> None:
    write(tmp_path, edges=EDGES.replace("a,b,primary,,,", "a,b,primary,5000,50,"))
    net = load_network(travel(), tmp_path, ProblemLog())
    assert net is not None
    i = [k for k in range(len(net.src)) if (net.node_ids[net.src[k]], net.node_ids[net.dst[k]]) == ("a", "b")][0]
    assert net.minutes("car")[i] == pytest.approx(6.0)


def test_scenario_speed_override_changes_times(tmp_path: Path) -> None:
    write(tmp_path)
    zones, sites = zones_sites()
    slow = travel_times(zones, sites, travel(), tmp_path, ["car"])["car"]
    fast = travel_times(zones, sites, travel(road_speeds_kph={"motorway": 200, "urban": 60}), tmp_path,
                        ["car"])["car"]
    assert (fast <= slow + 1e-9).all().all() and (fast < slow).any().any()


def test_blue_light_speed_table(tmp_path: Path) -> None:
    write(tmp_path)
    (tmp_path / "roads" / "blue.csv").write_text(SPEEDS.replace(",100,", ",150,").replace(",20,", ",40,"))
    net = load_network(travel(blue_light_speeds="roads/blue.csv"), tmp_path, ProblemLog())
    assert net is not None
    ratio = net.car_kph / net.blue_kph
    assert set(np.round(ratio, 6)) == {round(100 / 150, 6), 1 / 1.2 * 1.2, 0.5}


def test_oneway_roads_are_followed_towards_the_site(tmp_path: Path) -> None:
    # two-node network: one-way a -> b only, plus a slow two-way detour a - c - b
    nodes = "id,lat,lon\na,52.60,-1.20\nb,52.60,-1.10\nc,52.65,-1.15\n"
    edges = "from,to,speed_kph,oneway\na,b,100,true\na,c,20,\nc,b,20,no\n"
    write(tmp_path, nodes, edges, speeds=None)
    here, there = (52.60, -1.20), (52.60, -1.10)
    zones = pd.DataFrame({"zone_id": ["at_a", "at_b"], "lat": [here[0], there[0]], "lon": [here[1], there[1]]})
    sites = pd.DataFrame({"site_id": ["site_b", "site_a"], "lat": [there[0], here[0]], "lon": [there[1], here[1]]})
    out = travel_times(zones, sites, travel(), tmp_path, ["car"])["car"]
    fast = float(distance_m(*here, *there)) / 1000 / 100 * 60
    assert out.loc["at_a", "site_b"] == pytest.approx(fast)
    assert out.loc["at_b", "site_a"] > 3 * fast  # must take the detour


def test_parallel_edges_keep_the_fastest(tmp_path: Path) -> None:
    nodes = "id,lat,lon\na,52.60,-1.20\nb,52.60,-1.10\n"
    edges = "from,to,speed_kph\na,b,10\na,b,100\nb,a,50\n"
    write(tmp_path, nodes, edges, speeds=None)
    zones = pd.DataFrame({"zone_id": ["z"], "lat": [52.60], "lon": [-1.20]})
    sites = pd.DataFrame({"site_id": ["s"], "lat": [52.60], "lon": [-1.10]})
    out = travel_times(zones, sites, travel(), tmp_path, ["car"])["car"]
    assert out.iloc[0, 0] == pytest.approx(float(distance_m(52.6, -1.2, 52.6, -1.1)) / 1000 / 100 * 60)


def test_direct_local_trip_when_quicker(tmp_path: Path) -> None:
    write(tmp_path)
    zones = pd.DataFrame({"zone_id": ["z"], "lat": [52.580], "lon": [-1.125]})  # between the roads
    sites = pd.DataFrame({"site_id": ["s"], "lat": [52.581], "lon": [-1.124]})
    t = travel()
    out = travel_times(zones, sites, t, tmp_path, ["car"])["car"]
    local = float(distance_m(52.580, -1.125, 52.581, -1.124)) * t.access_circuity / 1000 / t.access_speed_kph * 60
    assert out.iloc[0, 0] == pytest.approx(local)


@settings(max_examples=25, deadline=None)
@given(st.integers(4, 30), st.integers(0, 10**6), st.booleans())
def test_scipy_paths_equal_networkx(n: int, seed: int, directed: bool) -> None:
    rng = np.random.default_rng(seed)
    m = n * 3
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    if not directed:
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    length = rng.uniform(100, 5000, len(src))
    net = RoadNetwork(np.array([f"n{i}" for i in range(n)], dtype=object), np.zeros(n), np.zeros(n), src, dst,
                      length, np.full(len(src), 50.0), np.full(len(src), 60.0), directed, "nodes.csv",
                      np.zeros(n, int))
    targets = rng.integers(0, n, 3)
    got = node_minutes(reverse_csr(net, net.minutes("car")), targets, np.arange(n))
    g = net.to_networkx()
    for j, t in enumerate(targets):
        ref = nx.single_source_dijkstra_path_length(g.reverse(), f"n{t}", weight="minutes")
        for i in range(n):
            assert got[i, j] == pytest.approx(ref.get(f"n{i}", np.inf))


# --- GraphML written the way osmnx writes it (all attributes as text, lists as Python reprs) ---

def write_graphml(path: Path) -> None:
    g = nx.MultiDiGraph()
    coords = {"1": (52.60, -1.20), "2": (52.60, -1.15), "3": (52.60, -1.10)}
    for k, (la, lo) in coords.items():
        g.add_node(k, x=str(lo), y=str(la), street_count="2")
    g.add_edge("1", "2", length="4000.0", highway="['primary', 'secondary']", maxspeed="['40 mph', '30 mph']")
    g.add_edge("2", "1", length="4000.0", highway="primary")
    g.add_edge("2", "3", length="3500.0", highway="residential", maxspeed="30 mph")
    g.add_edge("3", "2", length="3500.0", highway="unclassified", speed_kph="25.0")
    g.add_edge("2", "2", length="10.0", highway="service")  # self-loop, ignored
    nx.write_graphml(g, path)


def test_graphml_loads_like_osmnx(tmp_path: Path) -> None:
    write_graphml(tmp_path / "osm.graphml")
    (tmp_path / "speeds.csv").write_text("road_class,speed_kph,source\nprimary,60,assumption:x\nurban,24,a\n")
    t = travel(network="osm.graphml")
    log = ProblemLog()
    net = load_network(t, tmp_path, log)
    assert not log.problems and net is not None and net.directed
    mins = {(net.node_ids[u], net.node_ids[v]): m for u, v, m in zip(net.src, net.dst, net.minutes("car"),
                                                                     strict=True)}
    assert mins[("1", "2")] == pytest.approx(4.0)  # highway list -> primary 60 km/h
    assert mins[("2", "3")] == pytest.approx(3.5 / 24 * 60)  # residential -> urban class
    assert mins[("3", "2")] == pytest.approx(3.5 / 25 * 60)  # explicit speed_kph wins
    zones = pd.DataFrame({"zone_id": ["z"], "lat": [52.60], "lon": [-1.20]})
    sites = pd.DataFrame({"site_id": ["s"], "lat": [52.60], "lon": [-1.10]})
    out = travel_times(zones, sites, t, tmp_path, ["car"])["car"]
    assert out.iloc[0, 0] == pytest.approx(4.0 + 3.5 / 24 * 60)


def test_graphml_without_speed_table_uses_maxspeed(tmp_path: Path) -> None:
    write_graphml(tmp_path / "osm.graphml")
    net = load_network(travel(network="osm.graphml"), tmp_path, log := ProblemLog())
    # 2->1 'primary' has no maxspeed and there is no table: reported, network unusable
    assert net is None
    assert any("no usable speed" in str(p) and p.value == "primary" for p in log.problems)


def test_parse_maxspeed() -> None:
    assert parse_maxspeed("30 mph") == pytest.approx(48.28, rel=1e-3)
    assert parse_maxspeed("50") == 50.0
    assert parse_maxspeed("['40', '60']") == 50.0
    assert np.isnan(parse_maxspeed("national"))
    assert np.isnan(parse_maxspeed(None))


def test_graphml_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.graphml").write_text("<graphml><oops")
    with pytest.raises(InputError, match="not a readable GraphML"):
        travel_times(*zones_sites(), travel(network="bad.graphml"), tmp_path, ["car"])
    with pytest.raises(InputError, match="file not found"):
        travel_times(*zones_sites(), travel(network="none.graphml"), tmp_path, ["car"])


# --- bad input: each problem located, all reported together ---

def test_edges_naming_unknown_nodes(tmp_path: Path) -> None:
    write(tmp_path, edges=EDGES + "a,zz,primary,,,\nyy,b,primary,,,\n")
    with pytest.raises(InputError) as e:
        travel_times(*zones_sites(), travel(), tmp_path, ["car"])
    ps = e.value.problems
    assert {(p.row, p.column, p.value) for p in ps} == {(9, "to", "zz"), (10, "from", "yy")}
    assert all(p.file.endswith("roads/edges.csv") and "unknown node" in p.message for p in ps)


def test_bad_speeds(tmp_path: Path) -> None:
    write(tmp_path, speeds=SPEEDS.replace("primary,60", "primary,0").replace("urban,20", "urban,")
          + "secondary,30,1,assumption:x\nslow,-5,1,x\nodd,fast,1,x\n")
    with pytest.raises(InputError) as e:
        travel_times(*zones_sites(), travel(), tmp_path, ["car"])
    got = {(p.row, p.column, str(p.value)) for p in e.value.problems if p.file.endswith("speeds.csv")}
    assert got == {(3, "speed_kph", "0"), (5, "speed_kph", "(blank)"), (6, "road_class", "secondary"),
                   (7, "speed_kph", "-5"), (8, "speed_kph", "fast")}
    assert all(p.expected for p in e.value.problems)


def test_unknown_road_class_and_missing_speed(tmp_path: Path) -> None:
    write(tmp_path, edges=EDGES + "a,e,gravel,,,\nb,f,,,,\n")
    with pytest.raises(InputError) as e:
        travel_times(*zones_sites(), travel(), tmp_path, ["car"])
    ps = e.value.problems
    assert [(p.row, p.column, p.value) for p in ps] == [(10, "road_class", "(blank)"), (9, "road_class", "gravel")]
    assert "one of motorway, primary" in ps[1].expected


def test_missing_speed_table(tmp_path: Path) -> None:
    write(tmp_path, speeds=None)
    with pytest.raises(InputError, match=r"speeds\.csv: file not found"):
        travel_times(*zones_sites(), travel(), tmp_path, ["car"])


def test_bad_edge_values(tmp_path: Path) -> None:
    write(tmp_path, edges=EDGES + "a,e,primary,-3,,\na,f,primary,,0,\nd,b,primary,,,maybe\nd,f,primary,10,,\n")
    with pytest.raises(InputError) as e:
        travel_times(*zones_sites(), travel(), tmp_path, ["car"])
    got = [(p.row, p.column, str(p.value)) for p in e.value.problems]
    assert (9, "length_m", "-3") in got and (10, "speed_kph", "0") in got and (11, "oneway", "maybe") in got
    short = [p for p in e.value.problems if "straight line" in p.message]
    assert short and short[0].row == 12 and short[0].column == "length_m"


def test_node_problems(tmp_path: Path) -> None:
    write(tmp_path, nodes=NODES + "a,52.0,-1.0\ng,95,-1.1\nh,52.5,\n", edges=EDGES + "g,h,primary,,,\n")
    with pytest.raises(InputError) as e:
        travel_times(*zones_sites(), travel(), tmp_path, ["car"])
    got = {(p.row, p.column, str(p.value)) for p in e.value.problems if p.file.endswith("nodes.csv")}
    assert {(8, "id", "a"), (9, "lat", "95"), (10, "lon", "(blank)")} <= got


def test_missing_columns(tmp_path: Path) -> None:
    write(tmp_path, nodes="id,latitude,lon\na,52,-1\n", edges="from,too\na,b\n")
    with pytest.raises(InputError) as e:
        travel_times(*zones_sites(), travel(), tmp_path, ["car"])
    got = {(p.file.split("/")[-1], p.row, p.column) for p in e.value.problems}
    assert got == {("nodes.csv", 1, "lat"), ("edges.csv", 1, "to")}


def test_disconnected_component_is_named(tmp_path: Path) -> None:
    write(tmp_path, nodes=NODES + "x,52.70,-1.0\ny,52.71,-1.0\n", edges=EDGES + "x,y,primary,,,\n")
    with pytest.raises(InputError) as e:
        travel_times(*zones_sites(), travel(), tmp_path, ["car"])
    (p,) = e.value.problems
    assert p.file.endswith("nodes.csv") and p.row == 8 and p.value == "x"
    assert "2 node(s) are not connected to the rest of the road network: x, y" in p.message
    assert "allow_disconnected" in p.expected


def test_zone_on_an_island_is_named_with_the_sites_it_cannot_reach(tmp_path: Path) -> None:
    write(tmp_path, nodes=NODES + "x,52.70,-1.0\ny,52.71,-1.0\n", edges=EDGES + "x,y,primary,,,\n")
    zones = pd.DataFrame({"zone_id": ["ok", "island"], "lat": [52.60, 52.705], "lon": [-1.2, -1.0]})
    with pytest.raises(InputError) as e:
        travel_times(zones, zones_sites()[1], travel(), tmp_path, ["car", "blue_light"])
    ps = e.value.problems
    assert "not connected" in ps[0].message
    reach = [p for p in ps if "cannot reach" in p.message]
    assert [(p.row, p.value) for p in reach] == [(3, "island"), (3, "island")]  # once per mode
    assert "zone island (nearest node x) cannot reach site(s) sc, sd by road (car)" in reach[0].message
    assert reach[0].file.endswith("zones.csv") and reach[0].column == "zone_id"


def test_allow_disconnected_snaps_to_the_largest_component(tmp_path: Path) -> None:
    write(tmp_path, nodes=NODES + "x,52.70,-1.0\ny,52.71,-1.0\n", edges=EDGES + "x,y,primary,,,\n")
    zones = pd.DataFrame({"zone_id": ["near_x"], "lat": [52.70], "lon": [-1.0]})
    sites = pd.DataFrame({"site_id": ["s"], "lat": [52.60], "lon": [-1.20]})
    out = travel_times(zones, sites, travel(allow_disconnected=True, max_snap_km=50), tmp_path, ["car"])["car"]
    assert np.isfinite(out.iloc[0, 0])


def test_one_way_trap_names_the_stranded_nodes(tmp_path: Path) -> None:
    nodes = "id,lat,lon\na,52.60,-1.20\nb,52.60,-1.10\nc,52.65,-1.15\n"
    edges = "from,to,speed_kph,oneway\na,b,50,\nb,c,50,true\n"  # c can be reached but not left
    write(tmp_path, nodes, edges, speeds=None)
    with pytest.raises(InputError) as e:
        travel_times(*zones_sites(), travel(), tmp_path, ["car"])
    (p,) = e.value.problems
    assert "cannot be reached from, or cannot reach," in p.message and p.value == "c" and p.row == 4


def test_zone_far_from_the_network(tmp_path: Path) -> None:
    write(tmp_path)
    zones = pd.DataFrame({"zone_id": ["ok", "far"], "lat": [52.60, 53.5], "lon": [-1.2, -1.2]})
    with pytest.raises(InputError) as e:
        travel_times(zones, zones_sites()[1], travel(), tmp_path, ["car"])
    (p,) = e.value.problems
    assert p.file.endswith("zones.csv") and p.row == 3 and "zone far is 100.2 km" in p.message


def test_bad_zone_and_site_frames_and_modes_reported_together(tmp_path: Path) -> None:
    write(tmp_path)
    zones = pd.DataFrame({"zone_id": ["z1", "z1", ""], "lat": [52.6, 91.0, 52.6], "lon": [-1.2, -1.2, None]})
    sites = pd.DataFrame({"site_id": ["s"], "lat": [52.6]})
    with pytest.raises(InputError) as e:
        travel_times(zones, sites, travel(), tmp_path, ["car", "walk"])
    got = {(p.file.split("/")[-1], p.row, p.column, str(p.value)) for p in e.value.problems}
    assert got == {("scenario", None, "mode", "walk"), ("zones.csv", 3, "zone_id", "z1"),
                   ("zones.csv", 3, "lat", "91.0"), ("zones.csv", 4, "zone_id", "(blank)"),
                   ("zones.csv", 4, "lon", "nan"), ("sites.csv", 1, "lon", "None")}


def test_problems_from_several_files_collected(tmp_path: Path) -> None:
    write(tmp_path, nodes=NODES + "g,95,-1.1\n", edges=EDGES + "a,zz,primary,,,\ng,a,primary,,,\n",
          speeds=SPEEDS.replace("urban,20", "urban,-1"))
    with pytest.raises(InputError) as e:
        travel_times(*zones_sites(), travel(), tmp_path, ["car", "blue_light"])
    files = {p.file.split("/")[-1] for p in e.value.problems}
    assert files == {"nodes.csv", "edges.csv", "speeds.csv"}
    assert len(e.value.problems) == 3  # loaded once for both modes
