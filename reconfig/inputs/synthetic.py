"""Synthetic regions for tests and scaling benchmarks: a complete, valid data folder plus a scenario TOML.

`write_region(out_dir, zones=..., sites=..., services=..., years=..., seed=0)` writes out_dir/data/*.csv and
out_dir/synthetic.toml. The region is plausible rather than real: zones (about 1,500 residents each, like
LSOAs) cluster around a few towns in a square centred on the English Midlands whose area grows with the number
of zones (about 4 km² per zone, England's LSOA density, so 35,000 zones is roughly England); a quarter of the
sites are acute hospitals in the largest towns, the rest community hospitals and candidate sites for new hubs.
Services mix bedded ones (acute inpatient, community rehab: assignment variables) and unbedded ones (ED with a
blue-light access limit and closest assignment, outpatients, diagnostics: reachability constraints). Every row
cites `assumption:synthetic`. Output depends only on the arguments.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from reconfig.inputs.scenario import fy_label

SOURCE = "assumption:synthetic"
CENTRE = (52.75, -1.0)  # lat, lon: the English Midlands
KM_PER_ZONE = 4.0  # km² per zone: England's 130,000 km² / ~33,000 LSOAs
SPEED_KPH, CIRCUITY, BLUE_FACTOR = 50.0, 1.3, 1.2  # geodesic travel settings written to the scenario
BASE_YEAR = 2023

# service_id -> (name, unit, bed_type, fixed £000, variable £, mode, access minutes, closest, rate/1000, los days,
#                min_sites, hosted at: "acute" / "community" / "both")
SERVICES = {
    "acute_inpatient": ("Acute inpatient care", "admissions", "acute", 15000, 700, "car", 90, False, 120, 4.5, 1,
                        "acute"),
    "ed": ("Emergency department (type 1)", "attendances", None, 6000, 140, "blue_light", 60, True, 350, None, 1,
           "acute"),
    "rehab": ("Community rehabilitation beds", "admissions", "rehab", 250, 0, "car", 45, False, 8, 21, None,
              "community"),
    "outpatients": ("Outpatient clinics", "attendances", None, 150, 120, "car", 45, False, 1500, None, None, "both"),
    "diagnostics": ("Diagnostic imaging", "examinations", None, 300, 80, "car", 60, False, 600, None, None, "both"),
}
BED_TYPES = {  # bed_type -> name, ward size, occupancy, £000 per bed, £000 per ward
    "acute": ("Acute beds", 28, 0.92, 46.1, 0),
    "rehab": ("Community rehabilitation beds", 21, 0.90, 60.0, 600),
}


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows([["" if v is None else ("true" if v is True else "false" if v is False else v) for v in r]
                     for r in rows])


def _km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle km between every point of set 1 (rows) and set 2 (columns)."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dl = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _minutes(km: np.ndarray, mode: str) -> np.ndarray:
    m = km * CIRCUITY / SPEED_KPH * 60
    return m / BLUE_FACTOR if mode == "blue_light" else m


def write_region(out_dir: str | Path, zones: int = 100, sites: int = 8, services: int = 5, years: int = 3,
                 seed: int = 0, travel_weight: float = 0.0, time_limit: float | None = None) -> Path:
    """Write a synthetic region (out_dir/data) and its scenario (out_dir/synthetic.toml); return the scenario.

    zones >= 1; sites >= 4 (at least 2 acute and 2 community); services 2..5 takes the first n of
    acute_inpatient, ed, rehab, outpatients, diagnostics; years >= 1 horizon years after the base year 2023/24.
    travel_weight > 0 adds the demand-weighted mean travel minutes to the objective (£000 per minute).
    """
    if zones < 1 or sites < 4 or not 2 <= services <= len(SERVICES) or years < 1:
        raise ValueError("need zones >= 1, sites >= 4, 2 <= services <= 5, years >= 1")
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    data = out_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    horizon = [fy_label(BASE_YEAR + 1 + i) for i in range(years)]
    svc_ids = list(SERVICES)[:services]

    # --- geography: towns, zones ---
    side_km = math.sqrt(zones * KM_PER_ZONE)
    lat0, lon0 = CENTRE
    km_lat, km_lon = 111.2, 111.2 * math.cos(math.radians(lat0))
    n_towns = max(3, round(math.sqrt(zones) / 3))
    town_xy = rng.uniform(-side_km / 2, side_km / 2, size=(n_towns, 2))
    town_w = 1 / np.arange(1, n_towns + 1) ** 0.9  # Zipf-like town sizes, town 0 the largest
    town_w /= town_w.sum()
    rural = rng.random(zones) < 0.2
    town_of = rng.choice(n_towns, size=zones, p=town_w)
    spread = 1.5 + 12 * np.sqrt(town_w[town_of] * zones / 100) / math.sqrt(n_towns)  # bigger towns spread more
    xy = town_xy[town_of] + rng.normal(size=(zones, 2)) * spread[:, None]
    xy[rural] = rng.uniform(-side_km / 2, side_km / 2, size=(int(rural.sum()), 2))
    zlat, zlon = lat0 + xy[:, 1] / km_lat, lon0 + xy[:, 0] / km_lon
    pop = np.clip(rng.normal(1550, 250, size=zones), 1000, 3000).round().astype(int)
    group = np.argmin(_km(zlat, zlon, lat0 + town_xy[:, 1] / km_lat, lon0 + town_xy[:, 0] / km_lon), axis=1)
    zid = [f"Z{i:05d}" for i in range(zones)]
    _write(data / "zones.csv", ["zone_id", "name", "group", "lat", "lon", "population", "source"],
           [[zid[i], f"Zone {i}", f"District {group[i]}", f"{zlat[i]:.5f}", f"{zlon[i]:.5f}", int(pop[i]), SOURCE]
            for i in range(zones)])
    town_dist = np.hypot(*(xy - town_xy[town_of]).T)
    _write(data / "zone_attributes.csv", ["zone_id", "imd_quintile", "rurality", "over65_pct", "source"],
           [[zid[i], int(rng.integers(1, 6)), "rural" if rural[i] or town_dist[i] > 8 else "urban",
             round(float(rng.uniform(8, 30)), 1), SOURCE] for i in range(zones)])

    # --- sites: acute in the largest towns, community spread over towns and countryside, some candidates ---
    n_acute = max(2, round(sites * 0.25))
    n_cand = max(1, round((sites - n_acute) * 0.15)) if sites - n_acute > 2 else 0
    n_comm = sites - n_acute - n_cand
    site_xy, kinds = [], []
    for j in range(n_acute):
        t = j % n_towns
        site_xy.append(town_xy[t] + (rng.normal(size=2) * 3 if j >= n_towns else 0))
        kinds.append("acute")
    for j in range(n_comm + n_cand):
        base = xy[rng.integers(zones)] if j >= n_towns else town_xy[(j * 7) % n_towns]
        site_xy.append(base + rng.normal(size=2))
        kinds.append("community" if j < n_comm else "candidate")
    site_xy = np.array(site_xy)
    slat, slon = lat0 + site_xy[:, 1] / km_lat, lon0 + site_xy[:, 0] / km_lon
    sid = [f"{'A' if k == 'acute' else 'C' if k == 'community' else 'N'}{j:04d}" for j, k in enumerate(kinds)]
    acute = [j for j, k in enumerate(kinds) if k == "acute"]
    comm = [j for j, k in enumerate(kinds) if k == "community"]
    cand = [j for j, k in enumerate(kinds) if k == "candidate"]
    km = _km(zlat, zlon, slat, slon)

    # --- services, hosts and access limits (raised where the generated geography needs it) ---
    growth_pct = (0.7, 1.0)  # demographic, non-demographic % a year
    peak = (1 + sum(growth_pct) / 100) ** years
    base_hosts = {"acute": acute, "community": comm, "both": acute + comm}
    access: dict[str, float] = {}
    for k in svc_ids:
        mode, limit, where = SERVICES[k][5], SERVICES[k][6], SERVICES[k][11]
        need = float(_minutes(km[:, base_hosts[where]], mode).min(axis=1).max())
        access[k] = float(max(limit, math.ceil(need / 5) * 5 + 5))
    svc_rows = []
    for k in svc_ids:
        name, unit, bt, fixed, var, mode, _, closest, _, _, min_sites, _ = SERVICES[k]
        svc_rows.append([k, name, unit, bt, fixed, var, mode, access[k], None, None, None, None, min_sites, None,
                         closest, False, SOURCE])
    _write(data / "services.csv", ["service_id", "name", "demand_unit", "bed_type", "fixed_cost_gbp_k",
                                   "variable_cost_gbp", "access_mode", "access_max_minutes", "coverage_minutes",
                                   "coverage_share", "min_volume", "max_volume", "min_sites", "max_sites",
                                   "closest_assignment", "single_source", "source"], svc_rows)
    _write(data / "demand.csv", ["service_id", "rate_per_1000", "los_days", "source"],
           [[k, SERVICES[k][8], SERVICES[k][9], SOURCE] for k in svc_ids])
    _write(data / "growth.csv", ["year", "service_id", "demographic_pct", "non_demographic_pct",
                                 "activity_shift_pct", "source"],
           [[y, "*", growth_pct[0], growth_pct[1], 0, SOURCE] for y in horizon])
    used_bt = sorted({SERVICES[k][2] for k in svc_ids if SERVICES[k][2]})
    _write(data / "bed_types.csv", ["bed_type", "name", "ward_size", "occupancy", "cost_per_bed_gbp_k",
                                    "cost_per_ward_gbp_k", "source"],
           [[b, *BED_TYPES[b], SOURCE] for b in used_bt])

    # beds each site needs if every zone used its nearest site today: sizes beds today and capacity
    beds_today: dict[tuple[str, str], int] = {}
    capacity = np.zeros(sites, dtype=int)
    for k in svc_ids:
        bt = SERVICES[k][2]
        if not bt:
            continue
        cols = base_hosts[SERVICES[k][11]]
        nearest = np.array(cols)[np.argmin(km[:, cols], axis=1)]
        per_zone = pop * SERVICES[k][8] / 1000 * SERVICES[k][9] / (365 * BED_TYPES[bt][2])
        need = np.bincount(nearest, weights=per_zone, minlength=sites)
        for j in cols:
            today = math.ceil(need[j] * 1.05)
            beds_today[sid[j], bt] = today
            capacity[j] += math.ceil(need[j] * peak * 1.25) + 10
    site_rows = []
    for j, kind in enumerate(kinds):
        fixed = {"acute": 20000, "community": 1500, "candidate": 800}[kind] * float(rng.uniform(0.8, 1.2))
        name = {"acute": "General Hospital", "community": "Community Hospital", "candidate": "new hub site"}[kind]
        site_rows.append([sid[j], f"{sid[j]} {name}", kind, f"{slat[j]:.5f}", f"{slon[j]:.5f}",
                          "Synthetic Trust" if kind == "acute" else "Synthetic Community Trust", kind != "candidate",
                          int(capacity[j]), round(fixed, 1), SOURCE])
    _write(data / "sites.csv", ["site_id", "name", "kind", "lat", "lon", "owner", "open_today", "bed_capacity",
                                "fixed_cost_gbp_k", "source"], site_rows)
    _write(data / "beds_today.csv", ["site_id", "bed_type", "beds", "source"],
           [[s, b, n, SOURCE] for (s, b), n in beds_today.items()])
    ss_rows = []
    for k in svc_ids:
        where = SERVICES[k][11]
        for j in base_hosts[where]:
            today = kinds[j] == "acute" or k in ("rehab", "outpatients") or rng.random() < 0.3
            ss_rows.append([sid[j], k, today, True, SOURCE])
    _write(data / "site_services.csv", ["site_id", "service_id", "today", "can_host", "source"], ss_rows)

    # --- capital schemes: new hubs on candidate sites, ward extensions at acute sites ---
    schemes, costs, effects = [], [], []
    for n, j in enumerate(cand):
        c = f"hub_{sid[j]}"
        prof = [round(float(rng.uniform(3000, 8000)), 1) for _ in range(2)]
        schemes.append([c, f"New community hub at {sid[j]}", sid[j], "community", sum(prof), 1, None, None,
                        False, f"hub{n // 2}", round(float(rng.uniform(0, 400)), 1), SOURCE])
        costs += [[c, o, v, SOURCE] for o, v in enumerate(prof)]
        effects += [[c, "enable_service", sid[j], k, None, SOURCE] for k in svc_ids
                    if SERVICES[k][11] in ("community", "both")]
        if "rehab" in svc_ids:
            effects.append([c, "add_capacity", sid[j], None, 42, SOURCE])
    for j in acute[:max(1, len(acute) // 3)]:
        c = f"ward_{sid[j]}"
        prof = [round(float(rng.uniform(4000, 12000)), 1) for _ in range(3)]
        schemes.append([c, f"Ward block at {sid[j]}", sid[j], "acute", sum(prof), 2, None, None, False, None, 0,
                        SOURCE])
        costs += [[c, o, v, SOURCE] for o, v in enumerate(prof)]
        effects.append([c, "add_capacity", sid[j], None, 56, SOURCE])
    _write(data / "schemes.csv", ["scheme_id", "name", "site_id", "programme", "total_cost_gbp_k", "lead_years",
                                  "earliest_start", "latest_start", "mandatory", "exclusive_group",
                                  "recurrent_saving_gbp_k", "source"], schemes)
    _write(data / "scheme_costs.csv", ["scheme_id", "year_offset", "cost_gbp_k", "source"], costs)
    _write(data / "scheme_effects.csv", ["scheme_id", "effect", "site_id", "service_id", "amount", "source"],
           effects)
    _write(data / "scheme_prereqs.csv", ["scheme_id", "requires_scheme_id", "kind", "source"], [])
    total_capex = sum(r[4] for r in schemes)
    funding = [["dh", "DHSC capital", y, round(0.3 * total_capex / years + 5000, 1), SOURCE] for y in horizon]
    funding.append(["local", "Local capital (receipts and reserves)", "total", round(0.2 * total_capex + 2000, 1),
                    SOURCE])
    _write(data / "funding.csv", ["funding_id", "name", "year", "available_gbp_k", "source"], funding)
    _write(data / "funding_eligibility.csv", ["funding_id", "scheme_id", "source"],
           [["dh", "*", SOURCE], ["local", "*", SOURCE]])
    _write(data / "disposals.csv", ["disposal_id", "site_id", "value_gbp_k", "vacates", "requires_scheme_id",
                                    "earliest_year", "funding_id", "source"],
           [[f"sell_{sid[j]}", sid[j], round(float(rng.uniform(1000, 5000)), 1), "*", None, None, "local", SOURCE]
            for j in comm[:max(1, len(comm) // 10)]])
    _write(data / "assumptions.csv", ["assumption_id", "description", "basis"],
           [["synthetic", f"Synthetic region generated by reconfig.inputs.synthetic (zones={zones}, sites={sites}, "
             f"services={services}, years={years}, seed={seed})",
             "Randomly generated, plausible figures for testing and benchmarking; about 1,500 residents per zone "
             "(LSOA size), national-order demand rates, bed costs and capital costs; not a real health system"]])

    weights = "{ npv_cost = 1.0" + (f", travel = {travel_weight}" if travel_weight else "") + " }"
    scenario = out_dir / "synthetic.toml"
    scenario.write_text(
        f'name = "synthetic-{zones}z-{sites}s-seed{seed}"\n'
        f'description = "Synthetic region: {zones} zones, {sites} sites, {services} services, {years} years"\n'
        f'data = "data"\nbase_year = "{fy_label(BASE_YEAR)}"\n'
        f'horizon = [{", ".join(repr(y).replace(chr(39), chr(34)) for y in horizon)}]\n\n'
        f'[objective]\nweights = {weights}\n\n'
        f'[finance]\ndiscount_rate = 0.035\ncapital_charge_rate = 0.06\n\n'
        f'[travel]\nmethod = "geodesic"\nspeed_kph = {SPEED_KPH}\ncircuity = {CIRCUITY}\n'
        f'blue_light_factor = {BLUE_FACTOR}\ncache = false\n\n'
        f'[solver]\nmip_gap = 0.0001\n' + (f"time_limit = {time_limit}\n" if time_limit else ""))
    return scenario
