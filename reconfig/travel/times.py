"""travel_times: zone x site minutes for each requested mode, from the method the scenario names."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reconfig.inputs.errors import ProblemLog
from reconfig.inputs.scenario import Travel
from reconfig.inputs.schema import MODES
from reconfig.travel import cache
from reconfig.travel.geodesic import geodesic_minutes
from reconfig.travel.matrix import matrix_minutes, read_matrix
from reconfig.travel.network import largest_component, load_network, network_files
from reconfig.travel.paths import network_minutes
from reconfig.travel.points import Points, points
from reconfig.travel.roads import RoadNetwork

NETWORK_FIELDS = ("network", "speeds", "blue_light_speeds", "road_speeds_kph", "blue_light_factor",
                  "access_speed_kph", "access_circuity", "max_snap_km", "allow_disconnected")
GEODESIC_FIELDS = ("speed_kph", "circuity", "blue_light_factor")


def travel_times(zones: pd.DataFrame, sites: pd.DataFrame, travel: Travel, data_dir: Path,
                 modes: Iterable[str]) -> dict[str, pd.DataFrame]:
    """Minutes from each zone to each site for each mode in `modes`.

    Each frame is indexed by zone_id with one float column per site_id (np.inf: no route).
    Raises InputError with every problem found, across all modes.
    """
    data_dir = Path(data_dir)
    log = ProblemLog()
    wanted = list(dict.fromkeys(modes))
    for m in wanted:
        if m not in MODES:
            log.add("scenario", "unknown travel mode", column="mode", value=m, expected="one of " + ", ".join(MODES))
    z = points(zones, "zone_id", data_dir / "zones.csv", log)
    s = points(sites, "site_id", data_dir / "sites.csv", log)
    log.raise_if_any()
    sources = _Sources(travel, data_dir, log)
    out: dict[str, pd.DataFrame] = {}
    for mode in wanted:
        minutes = _mode_minutes(mode, z, s, travel, data_dir, sources, log)
        if minutes is not None:
            out[mode] = pd.DataFrame(minutes, index=pd.Index(z.ids, name="zone_id"),
                                     columns=pd.Index(s.ids, name="site_id"))
    log.raise_if_any()
    return out


class _Sources:
    """The network and the imported matrix, each read at most once per call."""

    def __init__(self, travel: Travel, data_dir: Path, log: ProblemLog):
        self.travel, self.data_dir, self.log = travel, data_dir, log
        self._net: RoadNetwork | None | bool = False
        self._matrix: pd.DataFrame | None | bool = False

    def network(self) -> RoadNetwork | None:
        if self._net is False:
            self._net = load_network(self.travel, self.data_dir, self.log)
        return self._net  # type: ignore[return-value]

    def matrix(self) -> pd.DataFrame | None:
        if self._matrix is False:
            self._matrix = read_matrix(self.data_dir / self.travel.matrix, self.log)
        return self._matrix  # type: ignore[return-value]


def cache_key(mode: str, z: Points, s: Points, travel: Travel, data_dir: Path) -> str:
    """Key over every input that affects the `mode` matrix (see reconfig.travel.cache)."""
    method = travel.method_for(mode)
    spec: dict[str, Any] = {"mode": mode, "method": method}
    arrays: list[np.ndarray] = [z.ids, s.ids]
    files: list[Path] = []
    if method == "matrix":
        spec["matrix"] = travel.matrix
        files = [p for p in [data_dir / travel.matrix] if p.is_file()]
    else:
        spec.update({f: getattr(travel, f) for f in (GEODESIC_FIELDS if method == "geodesic" else NETWORK_FIELDS)})
        arrays += [z.lat, z.lon, s.lat, s.lon]
        if method == "network":
            files = network_files(travel, data_dir)
    return cache.make_key(spec, arrays, files)


def _mode_minutes(mode: str, z: Points, s: Points, travel: Travel, data_dir: Path, sources: _Sources,
                  log: ProblemLog) -> np.ndarray | None:
    key = cache_key(mode, z, s, travel, data_dir) if travel.cache else ""
    if key and (hit := cache.load(key, z.ids, s.ids)) is not None:
        return hit
    before = len(log.problems)
    method = travel.method_for(mode)
    minutes: np.ndarray | None
    if method == "geodesic":
        speed = travel.speed_kph * (travel.blue_light_factor if mode == "blue_light" else 1.0)
        minutes = geodesic_minutes(z.lat, z.lon, s.lat, s.lon, speed, travel.circuity)
    elif method == "matrix":
        df = sources.matrix()
        minutes = None if df is None else matrix_minutes(df, data_dir / travel.matrix, mode, z, s, log)
    else:
        minutes = _network(mode, z, s, travel, sources, log)
    if minutes is None or len(log.problems) > before:
        return None
    if key and not log:  # only matrices from wholly valid input are stored
        cache.store(key, minutes, z.ids, s.ids, {"mode": mode, "method": method, "code": cache.CODE_VERSION})
    return minutes


def _network(mode: str, z: Points, s: Points, travel: Travel, sources: _Sources, log: ProblemLog
             ) -> np.ndarray | None:
    net = sources.network()
    if net is None:
        return None
    usable = largest_component(net) if travel.allow_disconnected else None
    access = travel.access_speed_kph * (travel.blue_light_factor if mode == "blue_light" else 1.0)
    minutes, zs, ss = network_minutes(net, z.lat, z.lon, s.lat, s.lon, mode, access, travel.access_circuity,
                                      usable)
    for pts, sn in ((z, zs), (s, ss)):
        for i in np.flatnonzero(sn.dist_m > travel.max_snap_km * 1000):
            log.add(pts.file, f"{pts.kind} {pts.ids[i]} is {sn.dist_m[i] / 1000:.1f} km from the nearest road "
                    f"network node ({net.node_ids[sn.node[i]]})", row=int(pts.rows[i]), column="lat, lon",
                    value=f"{pts.lat[i]}, {pts.lon[i]}",
                    expected=f"a point within travel.max_snap_km = {travel.max_snap_km:g} km of the network")
    for i in np.flatnonzero(np.isinf(minutes).any(axis=1)):
        cut = [str(x) for x in s.ids[np.isinf(minutes[i])]]
        log.add(z.file, f"zone {z.ids[i]} (nearest node {net.node_ids[zs.node[i]]}) cannot reach site(s) "
                f"{', '.join(cut[:12])}{' …' if len(cut) > 12 else ''} by road ({mode})", row=int(z.rows[i]),
                column="zone_id", value=z.ids[i], expected="a road route from every zone to every site")
    return minutes
