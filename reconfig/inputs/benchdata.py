"""Benchmark data: turn an OR-Library p-median instance into an ordinary reconfig data folder and scenario.

Every vertex becomes a site (candidate facility) and a zone (population 1000, rate 1 per 1000, so demand 1);
travel times are the all-pairs shortest-path lengths, imported as a long matrix CSV (`[travel] method =
"matrix"`). One service with min_sites = max_sites = p and the `travel` objective makes the engine solve
exactly the p-median problem; its objective is the mean over zones, so the p-median cost is objective × n.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import shortest_path

SOURCE = "assumption:orlib"

# required tables and their columns (empty ones are written with the header only)
EMPTY = {
    "bed_types": "bed_type,name,ward_size,occupancy,cost_per_bed_gbp_k,cost_per_ward_gbp_k,source",
    "beds_today": "site_id,bed_type,beds,source",
    "schemes": "scheme_id,name,site_id,programme,total_cost_gbp_k,lead_years,earliest_start,latest_start,"
               "mandatory,exclusive_group,recurrent_saving_gbp_k,source",
    "scheme_costs": "scheme_id,year_offset,cost_gbp_k,source",
    "scheme_effects": "scheme_id,effect,site_id,service_id,amount,source",
    "scheme_prereqs": "scheme_id,requires_scheme_id,kind,source",
    "funding": "funding_id,name,year,available_gbp_k,source",
    "funding_eligibility": "funding_id,scheme_id,source",
}


def read_pmed(path: str | Path) -> tuple[np.ndarray, int]:
    """All-pairs shortest-path matrix (n × n) and p; where an edge repeats, the last occurrence counts."""
    tokens = Path(path).read_text().split()
    n, m, p = int(tokens[0]), int(tokens[1]), int(tokens[2])
    e = np.array(tokens[3:3 + 3 * m], dtype=np.int64).reshape(m, 3)
    i, j, c = e[:, 0] - 1, e[:, 1] - 1, e[:, 2].astype(float)
    # last occurrence wins for an unordered pair: keep the last index of each (min, max) key
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    key = lo * n + hi
    _, last_rev = np.unique(key[::-1], return_index=True)
    keep = len(key) - 1 - last_rev
    lo, hi, c = lo[keep], hi[keep], c[keep]
    g = coo_matrix((c, (lo, hi)), shape=(n, n)).tocsr()
    dist = shortest_path(g, method="D", directed=False)
    return dist, p


def read_optima(path: str | Path) -> dict[str, float]:
    """pmedopt.txt: instance name -> proven optimal objective."""
    out = {}
    for line in Path(path).read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("pmed"):
            out[parts[0]] = float(parts[1])
    return out


def _write(path: Path, header: str, rows: list[list[object]]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header.split(","))
        w.writerows(rows)


def write_pmed_system(pmed_path: str | Path, out_dir: str | Path) -> Path:
    """Write a data folder (out_dir/data) and scenario (out_dir/<name>.toml) for one pmed instance."""
    pmed_path, out_dir = Path(pmed_path), Path(out_dir)
    name = pmed_path.stem
    dist, p = read_pmed(pmed_path)
    n = dist.shape[0]
    data = out_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    ids = [f"v{i + 1}" for i in range(n)]
    _write(data / "assumptions.csv", "assumption_id,description,basis",
           [["orlib", f"OR-Library {name}: vertices are sites and zones, demand 1 each, shortest-path lengths "
             "as travel minutes", "Beasley (1985), OR-Library p-median test set"]])
    _write(data / "sites.csv", "site_id,name,kind,lat,lon,owner,open_today,bed_capacity,fixed_cost_gbp_k,source",
           [[v, v, "candidate", 0, 0, "-", "false", 0, 0, SOURCE] for v in ids])
    _write(data / "zones.csv", "zone_id,name,group,lat,lon,population,source",
           [[v, v, "all", 0, 0, 1000, SOURCE] for v in ids])
    _write(data / "services.csv", "service_id,name,demand_unit,fixed_cost_gbp_k,min_sites,max_sites,source",
           [["median", "p-median facility", "unit", 0, p, p, SOURCE]])
    _write(data / "site_services.csv", "site_id,service_id,today,can_host,source",
           [[v, "median", "false", "true", SOURCE] for v in ids])
    _write(data / "demand.csv", "service_id,rate_per_1000,los_days,source", [["median", 1, "", SOURCE]])
    for table, header in EMPTY.items():
        _write(data / f"{table}.csv", header, [])
    zi, si = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    with (data / "travel_times.csv").open("w") as f:
        f.write("zone_id,site_id,mode,minutes\n")
        zone_ids, site_ids = np.array(ids)[zi.ravel()], np.array(ids)[si.ravel()]
        vals = dist.ravel()
        f.writelines(f"{z},{s},car,{v:g}\n" for z, s, v in zip(zone_ids, site_ids, vals, strict=True))
    scenario = out_dir / f"{name}.toml"
    scenario.write_text(
        f'name = "{name}"\n'
        f'description = "OR-Library {name}: p-median with n = {n}, p = {p}"\n'
        'data = "data"\nbase_year = "2016/17"\nhorizon = ["2017/18"]\n\n'
        '[objective]\nweights = { travel = 1.0 }\n\n'
        '[travel]\nmethod = "matrix"\nmatrix = "travel_times.csv"\ncache = false\n\n'
        # HiGHS presolve spends most of its time on the radius chains without shrinking them (measured:
        # pmed6 29.5 s with presolve, 9.8 s without), so the benchmark scenarios switch it off.
        '[solver]\nmip_gap = 0.0\noptions = { presolve = "off" }\n')
    return scenario
