"""Road networks from GraphML files as written by osmnx (OpenStreetMap extracts)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
import numpy as np

from reconfig.inputs.errors import ProblemLog
from reconfig.inputs.scenario import Travel
from reconfig.travel.csvio import display
from reconfig.travel.geodesic import distance_m
from reconfig.travel.roads import RoadNetwork, SpeedTable

# OSM highway values -> road classes of the speed table, when the table lacks the OSM value itself
OSM_CLASSES = {
    "motorway_link": "motorway", "trunk_link": "trunk", "primary_link": "primary",
    "secondary_link": "secondary", "tertiary": "secondary", "tertiary_link": "secondary",
    "unclassified": "urban", "residential": "urban", "living_street": "urban", "service": "urban",
    "road": "urban",
}
MPH = 1.609344


def _listify(value: object) -> list[str]:
    """osmnx writes lists as their Python repr: "['primary', 'secondary']"."""
    if value is None:
        return []
    text = str(value).strip()
    if text.startswith("["):
        try:
            return [str(x) for x in ast.literal_eval(text)]
        except (ValueError, SyntaxError):
            pass
    return [text] if text else []


def parse_maxspeed(value: object) -> float:
    """Mean of the numeric OSM maxspeed values in km/h ('30 mph', '50', lists); NaN if none parse."""
    out = []
    for item in _listify(value):
        m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kph)?\s*$", item)
        if m:
            out.append(float(m.group(1)) * (MPH if m.group(2) == "mph" else 1.0))
    return float(np.mean(out)) if out else float("nan")


def from_graphml(path: Path, speeds: SpeedTable, blue: SpeedTable | None, travel: Travel,
                  log: ProblemLog) -> RoadNetwork | None:
    """A GraphML file as written by osmnx: node x/y, edge length/highway/maxspeed/speed_kph."""
    name = display(path)
    try:
        g = nx.read_graphml(path)
    except FileNotFoundError:
        log.add(name, "file not found", column="travel.network", expected="a GraphML road network")
        return None
    except Exception as e:  # networkx raises several parser errors
        log.add(name, f"not a readable GraphML file: {e}")
        return None
    ids = list(g.nodes)
    pos = {nid: i for i, nid in enumerate(ids)}
    lat, lon = np.full(len(ids), np.nan), np.full(len(ids), np.nan)
    for i, (nid, d) in enumerate(g.nodes(data=True)):
        try:
            lon[i], lat[i] = float(d["x"]), float(d["y"])
        except (KeyError, TypeError, ValueError):
            log.add(name, "node lacks numeric x/y coordinates", column=f"node {nid}", value=d.get("x"),
                    expected="x = longitude, y = latitude (WGS84)")
    bad = ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    for i in np.flatnonzero(bad & ~np.isnan(lat)):
        log.add(name, "coordinate out of range", column=f"node {ids[i]}", value=f"x={lon[i]}, y={lat[i]}",
                expected="x -180 to 180, y -90 to 90")
    src: list[int] = []
    dst: list[int] = []
    length: list[float] = []
    car: list[float] = []
    bl: list[float] = []
    no_blue: set[str] = set()
    missing: dict[str, tuple[int, str]] = {}
    for u, v, d in g.edges(data=True):
        if u == v:
            continue
        kph, cls = _graphml_speed(d, speeds)
        if not kph > 0:
            count, first = missing.get(cls, (0, f"{u}->{v}"))
            missing[cls] = (count + 1, first)
            continue
        try:
            ln = float(d["length"])
        except (KeyError, TypeError, ValueError):
            ln = float(distance_m(lat[pos[u]], lon[pos[u]], lat[pos[v]], lon[pos[v]]))
        if blue is not None and "speed_kph" not in d:
            b = blue.speed.get(cls, np.nan)
            if np.isnan(b):
                no_blue.add(cls)
        else:
            b = kph * travel.blue_light_factor
        src.append(pos[u])
        dst.append(pos[v])
        length.append(max(ln, 0.0))
        car.append(kph)
        bl.append(b)
    for cls, (count, first) in missing.items():
        log.add(name, f"{count} edge(s) with no usable speed (first: {first})", column="highway", value=cls,
                expected=f"speed_kph or maxspeed on the edge, or the class in {speeds.file or 'a speed table'}")
    if blue is not None:
        for cls in sorted(no_blue):
            log.add(blue.file, "road class has no blue-light speed", column="road_class", value=cls,
                    expected="a row for every road class in the network")
    if bad.any():
        return None
    s, t = np.array(src, np.int64), np.array(dst, np.int64)
    if not g.is_directed():  # each edge both ways: arcs repeated in the same order
        s, t = np.concatenate([s, t]), np.concatenate([t, s])
        length, car, bl = length * 2, car * 2, bl * 2
    if no_blue:
        return None
    return RoadNetwork(np.array([str(x) for x in ids], dtype=object), lat, lon, s, t, np.array(length, float),
                       np.array(car, float), np.array(bl, float), g.is_directed(), name, np.zeros(len(ids), int))


def _graphml_speed(d: dict, speeds: SpeedTable) -> tuple[float, str]:
    """Edge speed: speed_kph attribute, else the speed table by highway class, else maxspeed."""
    highway = _listify(d.get("highway"))
    cls = highway[0] if highway else ""
    if cls not in speeds.speed:
        cls = OSM_CLASSES.get(cls, cls)
    try:
        kph = float(d["speed_kph"])
        if kph > 0:
            return kph, cls
    except (KeyError, TypeError, ValueError):
        pass
    if cls in speeds.speed:
        return speeds.speed[cls], cls
    return parse_maxspeed(d.get("maxspeed")), cls
