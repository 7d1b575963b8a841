"""A tiny solved run directory for the report tests (no tests here; helpers only)."""

from __future__ import annotations

import json
from pathlib import Path

from builders import make, times

from reconfig.instance.build import build_instance
from reconfig.results.rundir import manifest, write_run
from reconfig.results.summary import summary
from reconfig.solve.solver import solve_instance

SWEEP = {"objective": "Net present cost", "unit": "£000", "base": 1000.0,
         "parameters": [{"parameter": "discount_rate", "label": "Discount rate", "low": 950, "high": 1100,
                         "low_value": "1.5 %", "high_value": "6 %"},
                        {"parameter": "growth", "label": "Demand growth <b>x</b>", "low": 990, "high": 1020}]}
PARETO = {"x_label": "Net present cost (£m)", "y_label": "Mean travel (minutes)",
          "points": [{"x": 10, "y": 30, "label": "cheap"}, {"x": 12, "y": 22, "label": "balanced"},
                     {"x": 15, "y": 18, "label": "fast"}]}


def make_run(tmp_path: Path, site_name: str = "Town General Hospital", extras: bool = False) -> Path:
    """Two sites, three zones, one service provided at both today; the optimum closes the costly one."""
    tables = {
        "sites": [{"site_id": "A", "name": site_name, "kind": "acute", "lat": 52.63, "lon": -1.13,
                   "fixed_cost_gbp_k": 10},
                  {"site_id": "B", "name": "Cottage Hospital", "kind": "community", "lat": 52.75, "lon": -1.35,
                   "fixed_cost_gbp_k": 500}],
        "zones": [{"zone_id": z, "name": f"Zone {z}", "population": p, "lat": lat, "lon": lon}
                  for z, p, lat, lon in [("z1", 1000, 52.62, -1.12), ("z2", 800, 52.70, -1.25),
                                         ("z3", 500, 52.76, -1.37)]],
        "services": [{"service_id": "ed", "name": "Emergency <department>", "max_volume": 1e9}],
        "site_services": [{"service_id": "ed", "site_id": s, "today": True} for s in ("A", "B")],
        "demand": [{"service_id": "ed"}],
    }
    sc = make(tmp_path, tables, years=2, name="tiny")
    tt = times([[5, 30], [20, 15], [40, 8]], ["z1", "z2", "z3"], ["A", "B"])
    inst = build_instance(sc, times=tt)
    baseline = solve_instance(inst, fix="do_nothing", mip_gap=0.0)
    built, outcome = solve_instance(inst, mip_gap=0.0)
    s = summary(inst, built, outcome, baseline, None)
    run = write_run(tmp_path / "run", s, manifest(inst, "solve"))
    if extras:
        (run / "sweep.json").write_text(json.dumps(SWEEP))
        (run / "pareto.json").write_text(json.dumps(PARETO))
    return run
