"""Travel times (geodesic, road network, imported matrix) and access statistics.

Main entry points: `travel_times` (zone x site minutes per mode), `access_statistics`
(demand-weighted access and equality breakdowns) and `reachable_pairs` (solver pre-filter).
Methods, defaults and file formats: docs/travel.md.
"""

from reconfig.travel.access import AccessStats, Summary, access_statistics, reachable_pairs, weighted_quantile
from reconfig.travel.cache import CODE_VERSION, cache_dir
from reconfig.travel.geodesic import distance_m, pairwise_m
from reconfig.travel.network import load_network
from reconfig.travel.roads import RoadNetwork
from reconfig.travel.times import cache_key, travel_times

__all__ = [
    "CODE_VERSION", "AccessStats", "RoadNetwork", "Summary", "access_statistics", "cache_dir", "cache_key",
    "distance_m", "load_network", "pairwise_m", "reachable_pairs", "travel_times", "weighted_quantile",
]
