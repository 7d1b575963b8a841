"""The summary of a solve (summary.json): status, objectives, bound, gap, money, beds, services, access."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reconfig.formulation.built import Built
from reconfig.instance.build import Instance
from reconfig.solve.solver import Outcome
from reconfig.travel import access_statistics

THRESHOLDS = (15, 30, 45, 60)


def access_summary(built: Built, outcome: Outcome, baseline: Outcome | None) -> dict[str, Any]:
    """Per service, in the final year: demand-weighted mean, p95, max minutes, shares within thresholds,
    and the change against the do-nothing configuration."""
    inst = built.inst
    t = len(inst.years) - 1
    attrs = inst.system["zone_attributes"]
    attributes = attrs.set_index("zone_id")[["imd_quintile", "rurality"]] if len(attrs) else None
    out = {}
    for (k, tt_), shares in outcome.values["shares"].items():
        if tt_ != t:
            continue
        weights = pd.Series(inst.demand[k][:, t], index=inst.zones)
        base = baseline.values["shares"].get((k, t)) if baseline and baseline.values else None
        stats = access_statistics(inst.tt(k), shares, weights, THRESHOLDS, attributes=attributes,
                                  baseline_shares=base)
        d = stats.to_dict()
        d.pop("per_zone", None)
        d.pop("change", None)
        d["mode"] = inst.services[k].mode
        d["year"] = inst.years[t]
        out[k] = d
    return out


def summary(inst: Instance, built: Built, outcome: Outcome, baseline: tuple[Built, Outcome] | None,
            option: str | None) -> dict[str, Any]:
    v = outcome.values
    s: dict[str, Any] = {
        "scenario": inst.scenario.name, "option": option, "status": outcome.status,
        "objectives": v.get("objectives", {}), "objective": outcome.objective, "best_bound": outcome.best_bound,
        "mip_gap": outcome.mip_gap, "build_seconds": round(outcome.build_seconds, 3),
        "solve_seconds": round(outcome.solve_seconds, 3), "message": outcome.message, "years": inst.years,
    }
    if not v:
        return s
    for key in ("capital_spend_by_year", "disposal_receipts_by_year", "funding_by_source_and_year",
                "recurrent_cost_by_year", "beds", "services", "schemes", "capital_spend_by_scheme", "disposals",
                "demand_schemes", "roles"):
        s[key] = v[key]
    s["capital_total_gbp_k"] = sum(v["capital_spend_by_year"].values())
    if baseline and baseline[1].values:
        dn = baseline[1].values["recurrent_cost_by_year"]
        s["savings_vs_do_nothing_by_year"] = {y: dn[y] - c for y, c in v["recurrent_cost_by_year"].items()}
        s["do_nothing"] = {"status": baseline[1].status, "objectives": baseline[1].values["objectives"],
                           "mip_gap": baseline[1].mip_gap, "recurrent_cost_by_year": dn,
                           "beds": baseline[1].values["beds"], "roles": baseline[1].values["roles"]}
    elif baseline:
        s["do_nothing"] = {"status": baseline[1].status, "message": baseline[1].message}
    s["access"] = access_summary(built, outcome, baseline[1] if baseline else None)
    s.update(report_extras(inst, built, outcome, baseline))
    return s


def _zone_assignment(inst: Instance, k: str, shares: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Zone -> main site (largest share) and share-weighted minutes; unserved zones have site None."""
    tt = inst.tt(k)
    p = shares.reindex(index=tt.index, columns=tt.columns).fillna(0.0)
    out = {}
    for z in tt.index:
        row = p.loc[z]
        total = float(row.sum())
        if total <= 0:
            out[str(z)] = {"site": None, "minutes": None}
            continue
        minutes = float((row * tt.loc[z]).where(row > 0, 0.0).sum() / total)
        out[str(z)] = {"site": str(row.idxmax()), "minutes": minutes if np.isfinite(minutes) else None}
    return out


def report_extras(inst: Instance, built: Built, outcome: Outcome,
                  baseline: tuple[Built, Outcome] | None) -> dict[str, Any]:
    """Keys the consultation report needs: per-zone assignment (plan and do-nothing), do-nothing access,
    geography, today's configuration, funding limits and constraint targets."""
    t = len(inst.years) - 1
    base = baseline[1] if baseline and baseline[1].values else None
    by_zone: dict[str, Any] = {}
    for (k, tt_), shares in outcome.values.get("shares", {}).items():
        if tt_ != t:
            continue
        d: dict[str, Any] = {"year": inst.years[t], "mode": inst.services[k].mode,
                             "plan": _zone_assignment(inst, k, shares)}
        if base is not None and (k, t) in base.values.get("shares", {}):
            d["do_nothing"] = _zone_assignment(inst, k, base.values["shares"][(k, t)])
        by_zone[k] = d
    sites = inst.site_info
    zones = inst.system["zones"]
    c = inst.scenario.constraints
    extras: dict[str, Any] = {
        "access_by_zone": by_zone,
        "geography": {
            "sites": [{"site": str(i), "name": str(r.get("name") or i), "kind": str(r["kind"]),
                       "lat": float(r["lat"]), "lon": float(r["lon"]), "open_today": bool(r["open_today"])}
                      for i, r in sites.iterrows()],
            "zones": [{"zone": str(r["zone_id"]), "name": str(r.get("name") or r["zone_id"]),
                       "lat": float(r["lat"]), "lon": float(r["lon"]), "population": float(r["population"])}
                      for _, r in zones.iterrows()]},
        "services_today": sorted([{"site": s_, "service": k} for k, s_ in inst.today],
                                 key=lambda r: (r["site"], r["service"])),
        "service_names": {k: sv.name for k, sv in inst.services.items()},
        "plan_figures": plan_figures(inst),
        "funding_available_by_source_and_year": {f: {y: v for (ff, y), v in inst.funding_year.items() if ff == f}
                                                 for f in sorted({f for f, _ in inst.funding_year})},
        "constraints": {"capital_limit_gbp_k": dict(c.capital_limit_gbp_k), "capital_total_gbp_k":
                        c.capital_total_gbp_k, "savings_target_gbp_k": c.savings_target_gbp_k,
                        "savings_year": c.savings_year},
    }
    if base is not None and baseline is not None:
        extras["access_do_nothing"] = access_summary(baseline[0], base, None)
    return extras


def plan_figures(inst: Instance) -> list[dict[str, Any]]:
    """The plan's own headline figures (plan_figures.csv), with their sources, for reporting beside results."""
    return [{"figure": r.figure_id, "description": r.description, "value": float(r.value), "unit": r.unit,
             "year": r.year, "source": r.source} for r in inst.system["plan_figures"].itertuples()]


def outcome_fields(s: dict[str, Any]) -> dict[str, Any]:
    """Status, objective, bound, gap and timings of a solve summary, for its manifest."""
    return {"status": s["status"], "option": s.get("option"), "objective": s.get("objective"),
            "best_bound": s.get("best_bound"), "mip_gap": s.get("mip_gap"),
            "timings": {"build_seconds": s.get("build_seconds"), "solve_seconds": s.get("solve_seconds")}}


