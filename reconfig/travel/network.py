"""Road networks: loading (CSV tables or osmnx GraphML), validation and per-arc speeds.

A network is a set of nodes (id, lat, lon) and directed arcs; a two-way edge is two arcs.
Arc minutes are length / speed; length is given or the straight line between the nodes
times the road class's circuity; speed comes from the edge or from its road class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from reconfig.inputs.errors import ProblemLog
from reconfig.inputs.scenario import Travel
from reconfig.travel.csvio import display, duplicates, parse_bool, parse_float, read_csv
from reconfig.travel.geodesic import distance_m
from reconfig.travel.graphml import from_graphml
from reconfig.travel.roads import RoadNetwork, SpeedTable

MAX_LISTED = 12  # node ids named in one message


def network_files(travel: Travel, data_dir: Path) -> list[Path]:
    """Files a network spec reads (those that exist), for cache keys."""
    path = data_dir / travel.network
    files = [path] if path.suffix.lower() == ".graphml" else [path / "nodes.csv", path / "edges.csv"]
    files.append(_speeds_path(travel, data_dir))
    if travel.blue_light_speeds:
        files.append(data_dir / travel.blue_light_speeds)
    return [f for f in files if f.is_file()]


def _speeds_path(travel: Travel, data_dir: Path) -> Path:
    if travel.speeds:
        return data_dir / travel.speeds
    path = data_dir / travel.network
    return (path.parent if path.suffix.lower() == ".graphml" else path) / "speeds.csv"


def load_network(travel: Travel, data_dir: Path, log: ProblemLog) -> RoadNetwork | None:
    """Load and check the network named by `travel`; None (problems logged) when unusable.

    A network that loads cleanly but is disconnected is returned (with its components reported)
    so that callers can also say which zone cannot reach which site.
    """
    before = len(log.problems)
    path = data_dir / travel.network
    speeds_path = _speeds_path(travel, data_dir)
    speeds = read_speeds(speeds_path, log, required=False)  # its absence is reported where a class needs it
    for cls, kph in travel.road_speeds_kph.items():
        speeds.speed[cls] = kph
    blue = read_speeds(data_dir / travel.blue_light_speeds, log, required=True) if travel.blue_light_speeds else None
    if path.suffix.lower() == ".graphml":
        net = from_graphml(path, speeds, blue, travel, log)
    elif path.is_dir() or not path.exists():
        net = _from_csv(path, speeds, speeds_path, blue, travel, log)
    else:
        log.add(display(path), "road network must be a folder (nodes.csv, edges.csv, speeds.csv) or a .graphml file",
                column="travel.network", value=travel.network)
        return None
    if net is None or len(log.problems) > before:
        return None
    check_connected(net, travel.allow_disconnected, log)
    return net


def read_speeds(path: Path, log: ProblemLog, required: bool) -> SpeedTable:
    """Speed table: road_class, speed_kph (> 0), optional circuity (>= 1, default 1), source."""
    name = display(path)
    table = SpeedTable(file=name)
    if not required and not path.is_file():
        return table
    df = read_csv(path, log, ("road_class", "speed_kph"))
    if df is None:
        return table
    kph = parse_float(df, "speed_kph", name, log, positive=True, expected="a speed in km/h > 0")
    circ = (parse_float(df, "circuity", name, log, minimum=1, required=False, expected="a factor >= 1")
            if "circuity" in df.columns else np.full(len(df), np.nan))
    dup = duplicates(df, ["road_class"], name, log, "road class")
    for i, cls in enumerate(df["road_class"]):
        if cls == "":
            log.add(name, "missing road_class", row=int(df["_row"].iat[i]), column="road_class", value="(blank)",
                    expected="a road class name")
        elif not dup[i]:
            table.speed[cls] = float(kph[i])
            table.circuity[cls] = 1.0 if np.isnan(circ[i]) else float(circ[i])
    return table


def _from_csv(folder: Path, speeds: SpeedTable, speeds_path: Path, blue: SpeedTable | None, travel: Travel,
              log: ProblemLog) -> RoadNetwork | None:
    nodes_name, edges_name = display(folder / "nodes.csv"), display(folder / "edges.csv")
    nodes = read_csv(folder / "nodes.csv", log, ("id", "lat", "lon"))
    edges = read_csv(folder / "edges.csv", log, ("from", "to"))
    if nodes is None or edges is None:
        return None
    lat = parse_float(nodes, "lat", nodes_name, log, minimum=-90, maximum=90, expected="latitude -90 to 90")
    lon = parse_float(nodes, "lon", nodes_name, log, minimum=-180, maximum=180, expected="longitude -180 to 180")
    duplicates(nodes, ["id"], nodes_name, log, "node id")
    for i in np.flatnonzero(nodes["id"].to_numpy() == ""):
        log.add(nodes_name, "missing node id", row=int(nodes["_row"].iat[i]), column="id", value="(blank)",
                expected="an identifier")
    first = ~nodes.duplicated("id", keep="first").to_numpy()
    index = pd.Index(nodes["id"][first])
    lat_i, lon_i = lat[first], lon[first]
    rows = edges["_row"].to_numpy()
    ends = {}
    for col in ("from", "to"):
        pos = index.get_indexer(edges[col])
        for i in np.flatnonzero(pos < 0):
            log.add(edges_name, "edge names an unknown node", row=int(rows[i]), column=col,
                    value=edges[col].iat[i] or "(blank)", expected=f"a node id from {nodes_name}")
        ends[col] = pos
    has_class, has_speed = "road_class" in edges.columns, "speed_kph" in edges.columns
    if not (has_class or has_speed):
        log.add(edges_name, "edges need a road_class or a speed_kph column", row=1,
                expected="a road_class column (speeds from the speed table) or speed_kph")
        return None
    edge_kph = (parse_float(edges, "speed_kph", edges_name, log, positive=True, required=False,
                            expected="a speed in km/h > 0, or blank to use the road class")
                if has_speed else np.full(len(edges), np.nan))
    length = (parse_float(edges, "length_m", edges_name, log, positive=True, required=False,
                          expected="a length in metres > 0, or blank for the straight line")
              if "length_m" in edges.columns else np.full(len(edges), np.nan))
    oneway = parse_bool(edges, "oneway", edges_name, log) if "oneway" in edges.columns else np.zeros(len(edges), bool)
    classes = edges["road_class"].to_numpy(dtype=object) if has_class else np.full(len(edges), "", dtype=object)
    car, bl, circ = _class_speeds(classes, edge_kph, rows, speeds, blue, travel, edges_name, speeds_path, log)
    ok = (ends["from"] >= 0) & (ends["to"] >= 0)
    u, v = ends["from"][ok], ends["to"][ok]
    straight = distance_m(lat_i[u], lon_i[u], lat_i[v], lon_i[v])
    given = length[ok]
    for j in np.flatnonzero(given < 0.98 * straight - 5):
        log.add(edges_name, f"length shorter than the straight line between its nodes ({straight[j]:.0f} m)",
                row=int(rows[ok][j]), column="length_m", value=given[j],
                expected=f"at least {straight[j]:.0f} m")
    length_m = np.where(np.isnan(given), straight * circ[ok], given)
    keep = u != v  # self-loops never shorten a path
    u, v, length_m = u[keep], v[keep], length_m[keep]
    car, bl, one = car[ok][keep], bl[ok][keep], oneway[ok][keep]
    two = ~one
    return RoadNetwork(
        node_ids=index.to_numpy(dtype=object), lat=lat_i, lon=lon_i,
        src=np.concatenate([u, v[two]]).astype(np.int64), dst=np.concatenate([v, u[two]]).astype(np.int64),
        length_m=np.concatenate([length_m, length_m[two]]), car_kph=np.concatenate([car, car[two]]),
        blue_kph=np.concatenate([bl, bl[two]]), directed=bool(one.any()), nodes_file=nodes_name,
        node_rows=nodes["_row"].to_numpy()[first])


def _class_speeds(classes: np.ndarray, edge_kph: np.ndarray, rows: np.ndarray, speeds: SpeedTable,
                  blue: SpeedTable | None, travel: Travel, name: str, speeds_path: Path,
                  log: ProblemLog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Car speed, blue-light speed and circuity per edge; edge speed_kph wins over the class speed."""
    n = len(classes)
    car, bl, circ = edge_kph.copy(), edge_kph * travel.blue_light_factor, np.ones(n)
    need = np.isnan(edge_kph)
    if need.any() and not speeds.speed and speeds.file and not speeds_path.is_file():
        log.add(speeds.file, "file not found", expected="a speed table (road_class, speed_kph, source) for edges "
                "without speed_kph")
        return car, bl, circ
    unknown: dict[str, list[int]] = {}
    no_blue: dict[str, int] = {}
    for i in np.flatnonzero(need):
        cls = classes[i]
        if cls == "":
            log.add(name, "edge has neither road_class nor speed_kph", row=int(rows[i]), column="road_class",
                    value="(blank)", expected=f"a road class from {speeds.file} or a speed_kph")
        elif cls not in speeds.speed:
            unknown.setdefault(cls, []).append(int(rows[i]))
        else:
            car[i] = speeds.speed[cls]
            circ[i] = speeds.circuity.get(cls, 1.0)
            if blue is None:
                bl[i] = car[i] * travel.blue_light_factor
            elif cls in blue.speed:
                bl[i] = blue.speed[cls]
            else:
                no_blue.setdefault(cls, int(rows[i]))
    for cls, line in no_blue.items():
        log.add(blue.file if blue else "", f"road class has no blue-light speed (used on {name} line {line})",
                column="road_class", value=cls, expected=f"a row for every road class used in {name}")
    for cls, lines in unknown.items():
        for line in lines[:MAX_LISTED]:
            log.add(name, "road class not in the speed table", row=line, column="road_class", value=cls,
                    expected="one of " + (", ".join(sorted(speeds.speed)) or "(none: the speed table is empty)"))
    return car, bl, circ


def components(net: RoadNetwork) -> tuple[int, np.ndarray]:
    """Connected components (strongly connected when any road is one-way)."""
    adj = sparse.csr_matrix((np.ones(len(net.src)), (net.src, net.dst)), shape=(net.n, net.n))
    return connected_components(adj, directed=net.directed, connection="strong")


def largest_component(net: RoadNetwork) -> np.ndarray:
    """Boolean mask of nodes in the largest component."""
    _, labels = components(net)
    return labels == np.bincount(labels).argmax()


def check_connected(net: RoadNetwork, allow: bool, log: ProblemLog) -> None:
    """Report every component but the largest, naming its nodes (unless `allow`)."""
    count, labels = components(net)
    if count <= 1 or allow:
        return
    main = np.bincount(labels).argmax()
    how = "cannot be reached from, or cannot reach," if net.directed else "are not connected to"
    for comp in range(count):
        if comp == main:
            continue
        members = np.flatnonzero(labels == comp)
        names = ", ".join(str(net.node_ids[i]) for i in members[:MAX_LISTED])
        more = f" and {len(members) - MAX_LISTED} more" if len(members) > MAX_LISTED else ""
        first = members[0]
        log.add(net.nodes_file, f"{len(members)} node(s) {how} the rest of the road network: {names}{more}",
                row=int(net.node_rows[first]) or None, column="id", value=net.node_ids[first],
                expected="one connected network (add the missing edges, or set travel.allow_disconnected = true "
                "to use only the largest component)")
