"""A finished sweep's tables: sweep.csv (one row per point) and sweep.json (the report's tornado, every point)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reconfig.analysis.sweep.point import has_solution

CSV_RESULTS = ("status", "objective", "npv_cost_gbp_k", "best_bound", "mip_gap", "capital_total_gbp_k",
               "savings_gbp_k", "savings_year", "do_nothing_status", "schemes", "build_seconds", "solve_seconds",
               "wall_seconds", "host", "error")


def value_text(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def point_label(spec: dict[str, Any], point: dict[str, Any]) -> str:
    """'base', 'Label = value', or 'k1 = v1, k2 = v2' for grid points."""
    labels = {p["key"]: p["label"] for p in spec["parameters"]}
    if not point["overrides"]:
        return "base"
    return ", ".join(f"{labels.get(k, k)} = {value_text(v)}" for k, v in point["overrides"].items())


def sweep_frame(spec: dict[str, Any], records: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per point, in plan order: parameter values (blank: the scenario's own), results, error."""
    rows = []
    for p in spec["points"]:
        rec = records.get(p["id"], {})
        row: dict[str, Any] = {"point": p["id"], "parameter": p.get("parameter") or ("base" if spec["mode"] ==
                                                                                       "one_way" and not
                                                                                       p["overrides"] else "")}
        for par in spec["parameters"]:
            row[par["key"]] = value_text(p["overrides"][par["key"]]) if par["key"] in p["overrides"] else ""
        row.update({k: rec.get(k) for k in CSV_RESULTS})
        row["npv_cost_gbp_k"] = (rec.get("objectives") or {}).get("npv_cost")
        row["schemes"] = "; ".join(rec.get("schemes") or [])
        row["status"] = rec.get("status", "not run")
        rows.append(row)
    cols = ["point", "parameter", *[p["key"] for p in spec["parameters"]], *CSV_RESULTS]
    return pd.DataFrame(rows, columns=cols)


def objective_name(spec: dict[str, Any]) -> tuple[str, str]:
    """(name, unit) of the objective the sweep reports."""
    if spec.get("objective_weights") == {"npv_cost": 1.0} and not spec.get("lexicographic"):
        return "Net present cost", "£000"
    return "Objective", ""


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def tornado(spec: dict[str, Any], records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """sweep.json: the report's tornado format (docs/report.md) for one-way sweeps, plus every point."""
    name, unit = objective_name(spec)
    points = spec["points"]
    out: dict[str, Any] = {"objective": name, "unit": unit, "mode": spec["mode"], "scenario": spec["scenario_name"],
                           "parameters": [], "omitted": [], "points": []}
    for p in points:
        rec = records.get(p["id"], {})
        out["points"].append({"point": p["id"], "overrides": p["overrides"], "status": rec.get("status", "not run"),
                              "objective": rec.get("objective"), "mip_gap": rec.get("mip_gap"),
                              "capital_total_gbp_k": rec.get("capital_total_gbp_k"), "error": rec.get("error")})
    if spec["mode"] != "one_way":
        return out
    base_point = points[0]
    base = records.get(base_point["id"], {})
    if not has_solution(base):
        out["omitted"] = [{"parameter": p["key"], "reason": "the base point has no solution"}
                          for p in spec["parameters"]]
        return out
    out["base"] = base["objective"]
    out["base_status"], out["base_gap"] = base.get("status"), base.get("mip_gap")
    for par in spec["parameters"]:
        key = par["key"]
        tried = [(v, next((q for q in points if q["overrides"] == {key: v}), base_point)) for v in par["values"]]
        solved = [(v, records[q["id"]]) for v, q in tried if has_solution(records.get(q["id"], {}))]
        failed = [value_text(v) for v, q in tried if not has_solution(records.get(q["id"], {}))]
        if not solved:
            out["omitted"].append({"parameter": key, "reason": "no value of it has a solution", "failed": failed})
            continue
        if all(_numeric(v) for v, _ in solved):
            solved.sort(key=lambda vr: vr[0])
        (lo_v, lo), (hi_v, hi) = solved[0], solved[-1]
        entry = {"parameter": key, "label": par["label"], "low": lo["objective"], "high": hi["objective"],
                 "low_value": value_text(lo_v), "high_value": value_text(hi_v), "low_status": lo["status"],
                 "high_status": hi["status"], "low_gap": lo.get("mip_gap"), "high_gap": hi.get("mip_gap"),
                 "values": [{"value": v, "objective": r["objective"], "status": r["status"], "mip_gap":
                             r.get("mip_gap")} for v, r in solved]}
        if failed:
            entry["failed_values"] = failed
        out["parameters"].append(entry)
    return out
