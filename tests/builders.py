"""Tiny synthetic systems for tests: write the CSV tables and a scenario TOML into a folder, load them.

`make(tmp_path, tables, **scenario)` writes every required table (header only where no rows are given),
fills unspecified columns with neutral defaults, marks every row `source = assumption:test`, writes a
scenario TOML and returns the loaded Scenario. Pass explicit travel `times` to build_instance via `times()`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from reconfig.inputs.scenario import Scenario, load_scenario
from reconfig.inputs.schema import TABLES
from reconfig.instance.build import build_instance
from reconfig.solve.solver import solve_instance

SOURCE = "assumption:test"
YEARS = ["2018/19", "2019/20", "2020/21", "2021/22"]

# neutral defaults for required columns, by table
DEFAULTS: dict[str, dict[str, Any]] = {
    "sites": {"kind": "acute", "lat": 52.0, "lon": -1.0, "owner": "test", "open_today": True, "bed_capacity": 0,
              "fixed_cost_gbp_k": 0},
    "zones": {"group": "g", "lat": 52.0, "lon": -1.0, "population": 1000},
    "services": {"demand_unit": "units", "fixed_cost_gbp_k": 0},
    "site_services": {"today": False, "can_host": True},
    "bed_types": {"ward_size": 1, "occupancy": 1.0, "cost_per_bed_gbp_k": 0},
    "demand": {"rate_per_1000": 1000},
    "schemes": {"programme": "acute", "lead_years": 0},
    "funding": {},
    "growth": {"demographic_pct": 0, "non_demographic_pct": 0},
    "demand_schemes": {"effect_lag_years": 0},
    "disposals": {},
}
NAMED = {"sites": "site_id", "zones": "zone_id", "services": "service_id", "bed_types": "bed_type",
         "schemes": "scheme_id", "funding": "funding_id", "demand_schemes": "scheme_id"}


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ";".join(str(x) for x in v)
    return str(v)


def write_tables(data: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Write every required table (and each optional one given) as CSV."""
    data.mkdir(parents=True, exist_ok=True)
    tables = {k: [dict(r) for r in v] for k, v in tables.items()}
    # scheme totals default to the sum of their cost profile
    for r in tables.get("schemes", []):
        if "total_cost_gbp_k" not in r:
            r["total_cost_gbp_k"] = sum(c["cost_gbp_k"] for c in tables.get("scheme_costs", [])
                                        if c["scheme_id"] == r["scheme_id"])
    tables["assumptions"] = [{"assumption_id": "test", "description": "synthetic test data", "basis": "test"}]
    for table in TABLES:
        rows = tables.get(table.name)
        if rows is None and table.optional:
            continue
        cols = [c.name for c in table.columns]
        out = []
        for r in rows or []:
            unknown = set(r) - set(cols)
            assert not unknown, f"{table.name}: unknown columns {unknown}"
            full = {**DEFAULTS.get(table.name, {}), **r}
            if table.name in NAMED and "name" in cols:
                full.setdefault("name", full[NAMED[table.name]])
            if "source" in cols:
                full.setdefault("source", SOURCE)
            out.append([_cell(full.get(c)) for c in cols])
        pd.DataFrame(out, columns=cols).to_csv(data / f"{table.name}.csv", index=False)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml_value(x)}' for k, x in v.items()) + " }"
    raise TypeError(v)


def to_toml(doc: dict[str, Any]) -> str:
    """Enough TOML for scenarios: top-level scalars, tables of scalars/inline tables, arrays of tables."""
    head, body = [], []
    for k, v in doc.items():
        if isinstance(v, dict):
            body.append(f"\n[{k}]")
            body += [f'"{k2}" = {_toml_value(v2)}' for k2, v2 in v.items()]
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            for item in v:
                body.append(f"\n[[{k}]]")
                body += [f'"{k2}" = {_toml_value(v2)}' for k2, v2 in item.items()]
        else:
            head.append(f"{k} = {_toml_value(v)}")
    return "\n".join(head + body) + "\n"


def make(tmp_path: Path, tables: dict[str, list[dict[str, Any]]], years: int = 1, name: str = "t",
         **settings: Any) -> Scenario:
    """Write `tables` and a scenario (horizon of `years` years from 2018/19; `settings` are scenario tables,
    e.g. objective={"weights": {"travel": 1.0}}, finance={...}, constraints={...}) and load it."""
    folder = Path(tmp_path) / name
    write_tables(folder / "data", tables)
    doc: dict[str, Any] = {"name": name, "data": "data", "base_year": "2017/18", "horizon": YEARS[:years]}
    settings.setdefault("finance", {"discount_rate": 0.0})
    doc.update(settings)
    path = folder / "scenario.toml"
    path.write_text(to_toml(doc))
    return load_scenario(path)


def times(matrix: list[list[float]] | np.ndarray, zones: list[str], sites: list[str],
          modes: tuple[str, ...] = ("car", "blue_light")) -> dict[str, pd.DataFrame]:
    """Travel-time frames (zones × sites) for build_instance(times=...): the same minutes for every mode."""
    df = pd.DataFrame(np.asarray(matrix, dtype=float), index=zones, columns=sites)
    return {m: df.copy() for m in modes}


def solve(scenario: Scenario, tt: dict[str, pd.DataFrame], **kw: Any):
    """build_instance with explicit times, then solve_instance (mip_gap 0): returns (built, outcome)."""
    inst = build_instance(scenario, times=tt)
    kw.setdefault("mip_gap", 0.0)
    return solve_instance(inst, **kw)


def open_services(built, t: int | None = 0) -> set[tuple[str, str]]:
    """(service, site) pairs provided in year index t (all years when t is None: (service, site, t))."""
    m = built.model
    if t is None:
        return {key for key in m.y if pyo.value(m.y[key]) > 0.5}
    return {(k, s) for (k, s, t2) in m.y if t2 == t and pyo.value(m.y[k, s, t2]) > 0.5}


def started(built) -> set[tuple[str, int]]:
    """(scheme, start year index) of every scheme started."""
    m = built.model
    return {key for key in m.start if pyo.value(m.start[key]) > 0.5}
