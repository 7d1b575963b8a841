"""Road network data: nodes, directed arcs and their speeds, and the speed table by road class."""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np


@dataclass
class SpeedTable:
    """Speed (km/h) and circuity by road class, with the file and line each came from."""

    speed: dict[str, float] = field(default_factory=dict)
    circuity: dict[str, float] = field(default_factory=dict)
    file: str = ""


@dataclass
class RoadNetwork:
    """Nodes and directed arcs with car and blue-light speeds (km/h)."""

    node_ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    length_m: np.ndarray
    car_kph: np.ndarray
    blue_kph: np.ndarray
    directed: bool
    nodes_file: str
    node_rows: np.ndarray  # CSV line of each node, 0 when not from a CSV

    @property
    def n(self) -> int:
        return len(self.node_ids)

    def minutes(self, mode: str) -> np.ndarray:
        kph = self.blue_kph if mode == "blue_light" else self.car_kph
        return np.maximum(self.length_m / 1000 / kph * 60, 1e-9)  # csgraph ignores zero weights

    def to_networkx(self, mode: str = "car") -> nx.DiGraph:
        """The network as a networkx DiGraph with `minutes` and `length_m` on each arc."""
        g = nx.DiGraph()
        for i, nid in enumerate(self.node_ids):
            g.add_node(nid, lat=float(self.lat[i]), lon=float(self.lon[i]))
        mins = self.minutes(mode)
        for u, v, m, ln in zip(self.src, self.dst, mins, self.length_m, strict=True):
            a, b = self.node_ids[u], self.node_ids[v]
            if not g.has_edge(a, b) or g[a][b]["minutes"] > m:
                g.add_edge(a, b, minutes=float(m), length_m=float(ln))
        return g
