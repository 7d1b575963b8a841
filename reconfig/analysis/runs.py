"""Reading run directories for `reconfig runs show|compare`: manifest, the run's plan, differences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from reconfig.analysis.compare import difference


def read_json(path: Path) -> Any:
    return json.loads(path.read_text()) if path.is_file() else None


def plan_summary(run: Path) -> dict[str, Any] | None:
    """The plan a run stands for: summary.json (solve; the base point of a sweep), else a comparison's optimum."""
    s = read_json(run / "summary.json")
    if s:
        return s
    c = read_json(run / "compare.json")
    if c and "optimum" in c.get("runs", {}):
        return c["runs"]["optimum"]
    return None


def details(run: Path) -> dict[str, Any]:
    """Manifest, files and the kind's headline results."""
    man = read_json(run / "manifest.json") or {}
    out: dict[str, Any] = {"run_id": run.name, "path": str(run.resolve()), "manifest": man,
                           "files": sorted(p.name for p in run.iterdir() if not p.name.startswith("."))}
    s = plan_summary(run)
    if s:
        out["plan"] = {k: s.get(k) for k in ("status", "option", "objective", "best_bound", "mip_gap", "objectives",
                                             "capital_spend_by_year", "capital_total_gbp_k",
                                             "savings_vs_do_nothing_by_year")}
        out["plan"]["schemes"] = [f"{r['scheme']} ({r['start']})" for r in s.get("schemes", [])]
    c = read_json(run / "compare.json")
    if c:
        out["compare"] = {name: {"status": r.get("status"), "objective": r.get("objective"),
                                 "mip_gap": r.get("mip_gap")} for name, r in c.get("runs", {}).items()}
    if (run / "sweep.csv").is_file():
        df = pd.read_csv(run / "sweep.csv")
        out["sweep"] = {"points": len(df), "status": df["status"].value_counts().to_dict(),
                        "objective_min": _num(df["objective"].min()), "objective_max": _num(df["objective"].max())}
    elif (run / "points").is_dir():
        out["sweep"] = {"finished_points": len(list((run / "points").glob("*.json"))),
                        "points": len((read_json(run / "spec.json") or {}).get("points", []))}
    return out


def _num(v: Any) -> float | None:
    return None if pd.isna(v) else float(v)


def _pairs(a: dict[str, float], b: dict[str, float]) -> dict[str, dict[str, float | None]]:
    out = {}
    for k in list(a) + [k for k in b if k not in a]:
        va, vb = a.get(k), b.get(k)
        out[k] = {"a": va, "b": vb, "change": vb - va if va is not None and vb is not None else None}
    return out


def compare_runs(a: Path, b: Path) -> dict[str, Any]:
    """Run B against run A: status and gap, objectives, capital by year, and what the plans do differently."""
    sa, sb = plan_summary(a), plan_summary(b)
    missing = [r.name for r, s in ((a, sa), (b, sb)) if s is None]
    if missing:
        raise LookupError(f"{', '.join(missing)} holds no plan to compare (no summary.json or compare.json)")
    assert sa is not None and sb is not None
    out: dict[str, Any] = {
        "a": {"run": a.name, "status": sa.get("status"), "mip_gap": sa.get("mip_gap"), "option": sa.get("option"),
              "scenario": sa.get("scenario"), "objective": sa.get("objective")},
        "b": {"run": b.name, "status": sb.get("status"), "mip_gap": sb.get("mip_gap"), "option": sb.get("option"),
              "scenario": sb.get("scenario"), "objective": sb.get("objective")},
        "objectives": _pairs(sa.get("objectives") or {}, sb.get("objectives") or {}),
        "capital_by_year_gbp_k": _pairs(sa.get("capital_spend_by_year") or {}, sb.get("capital_spend_by_year") or {}),
    }
    if "capital_spend_by_year" in sa and "capital_spend_by_year" in sb and sa.get("years") == sb.get("years"):
        out["difference"] = difference(sa, sb)
    else:
        out["difference"] = None
        out["note"] = "no plan-level difference: one run has no solution or the horizons differ"
    return out
