"""Network travel times: snap points to nodes, Dijkstra from each site, assemble zone x site minutes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from reconfig.travel.geodesic import distance_m, pairwise_m, unit_xyz
from reconfig.travel.roads import RoadNetwork

DIJKSTRA_BLOCK_BYTES = 64 * 2**20  # distance rows held at once
ASSEMBLY_ROWS = 4096  # zones per block when adding the direct local trip


@dataclass(frozen=True)
class Snap:
    """Nearest usable node of each point and the straight-line distance to it."""

    node: np.ndarray
    dist_m: np.ndarray


def snap(net: RoadNetwork, lat: np.ndarray, lon: np.ndarray, usable: np.ndarray | None = None,
         tree: cKDTree | None = None) -> Snap:
    """Nearest node by great-circle distance (k-d tree on unit-sphere coordinates: chord order =
    great-circle order), with the ellipsoidal distance to it."""
    cand = np.arange(net.n) if usable is None else np.flatnonzero(usable)
    if tree is None:
        tree = cKDTree(unit_xyz(net.lat[cand], net.lon[cand]))
    _, k = tree.query(unit_xyz(lat, lon))
    node = cand[k]
    return Snap(node, distance_m(lat, lon, net.lat[node], net.lon[node]))  # ellipsoidal, like the rest


def reverse_csr(net: RoadNetwork, minutes: np.ndarray) -> sparse.csr_matrix:
    """Matrix M[j, i] = minutes of arc i -> j, so Dijkstra from s gives time from every node TO s.

    Parallel arcs keep the fastest (a COO -> CSR conversion would add them up).
    """
    order = np.lexsort((minutes, net.src, net.dst))
    r, c, w = net.dst[order], net.src[order], minutes[order]
    first = np.ones(len(r), bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    return sparse.csr_matrix((w[first], (r[first], c[first])), shape=(net.n, net.n))


def node_minutes(graph: sparse.csr_matrix, to_nodes: np.ndarray, from_nodes: np.ndarray) -> np.ndarray:
    """Minutes from each of `from_nodes` to each of `to_nodes` (len(from) x len(to)) on a reversed CSR.

    One Dijkstra per distinct target node, in blocks so memory stays bounded.
    """
    targets, inverse = np.unique(to_nodes, return_inverse=True)
    out = np.empty((len(targets), len(from_nodes)))
    block = max(1, DIJKSTRA_BLOCK_BYTES // (8 * max(graph.shape[0], 1)))
    for start in range(0, len(targets), block):
        d = dijkstra(graph, directed=True, indices=targets[start:start + block])
        out[start:start + block] = d[:, from_nodes]
    return out[inverse].T


def network_minutes(net: RoadNetwork, zlat: np.ndarray, zlon: np.ndarray, slat: np.ndarray, slon: np.ndarray,
                    mode: str, access_kph: float, access_circuity: float, usable: np.ndarray | None = None
                    ) -> tuple[np.ndarray, Snap, Snap]:
    """Zone x site minutes: access leg + network path + access leg, or the direct local trip if quicker.

    Access legs and the direct local trip are straight-line distance x access_circuity / access_kph;
    the local trip counts only for a zone and site closer to each other than their two access legs
    together (neighbours off the network), never as a way round a gap in the network.
    """
    tree = cKDTree(unit_xyz(net.lat, net.lon) if usable is None else
                   unit_xyz(net.lat[usable], net.lon[usable]))
    zs, ss = snap(net, zlat, zlon, usable, tree), snap(net, slat, slon, usable, tree)
    per_m = access_circuity / 1000 / access_kph * 60  # access minutes per metre
    graph = reverse_csr(net, net.minutes(mode))
    t = node_minutes(graph, ss.node, zs.node)
    return assemble(t, zs, ss, zlat, zlon, slat, slon, per_m), zs, ss


def assemble(t: np.ndarray, zs: Snap, ss: Snap, zlat: np.ndarray, zlon: np.ndarray, slat: np.ndarray,
             slon: np.ndarray, per_m: float) -> np.ndarray:
    """Add access legs to node-to-node minutes `t` (in place), then take the direct local trip where it applies."""
    t += zs.dist_m[:, None] * per_m
    t += ss.dist_m[None, :] * per_m
    for a in range(0, len(t), ASSEMBLY_ROWS):  # in blocks: pairwise distances need several temporaries
        b = a + ASSEMBLY_ROWS
        d = pairwise_m(zlat[a:b], zlon[a:b], slat, slon)
        near = d <= zs.dist_m[a:b, None] + ss.dist_m[None, :]  # closer to each other than to the network
        np.minimum(t[a:b], np.where(near, d * per_m, np.inf), out=t[a:b])
    return t
