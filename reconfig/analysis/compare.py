"""Comparing the optimum with named options and do-nothing: cost, capital, beds, services, schemes, access."""

from __future__ import annotations

from collections import Counter
from typing import Any

from reconfig.instance.build import Instance
from reconfig.results.summary import summary
from reconfig.solve.solver import solve_with_baseline


def _final(s: dict[str, Any], key: str) -> set[tuple[str, str]]:
    last = s["years"][-1]
    return {(r["service"], r["site"]) for r in s.get(key, []) if r["year"] == last}


def _beds(s: dict[str, Any]) -> dict[str, int]:
    last = s["years"][-1]
    c: Counter = Counter()
    for r in s.get("beds", []):
        if r["year"] == last:
            c[r["bed_type"]] += r["beds"]
    return dict(c)


def _roles_changed(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Sites whose role in the final year differs: 'site: role in a → role in b' ('none' for no role)."""
    last = a["years"][-1]
    ra = {r["site"]: r["role"] for r in a.get("roles", []) if r["year"] == last}
    rb = {r["site"]: r["role"] for r in b.get("roles", []) if r["year"] == last}
    return sorted(f"{s}: {ra.get(s, 'none')} → {rb.get(s, 'none')}" for s in set(ra) | set(rb)
                  if ra.get(s) != rb.get(s))


def difference(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What b does differently from a, in the final year (services, beds) and over the horizon."""
    sa, sb = _final(a, "services"), _final(b, "services")
    ca, cb = {r["scheme"]: r["start"] for r in a.get("schemes", [])}, {r["scheme"]: r["start"] for r in
                                                                        b.get("schemes", [])}
    ba, bb = _beds(a), _beds(b)
    return {
        "services_added": sorted(f"{k} at {s}" for k, s in sb - sa),
        "services_removed": sorted(f"{k} at {s}" for k, s in sa - sb),
        "roles_changed": _roles_changed(a, b),
        "schemes_added": sorted(c for c in cb if c not in ca),
        "schemes_dropped": sorted(c for c in ca if c not in cb),
        "schemes_retimed": sorted(f"{c}: {ca[c]} → {cb[c]}" for c in ca if c in cb and ca[c] != cb[c]),
        "beds_change": {t: bb.get(t, 0) - ba.get(t, 0) for t in sorted(set(ba) | set(bb))
                        if bb.get(t, 0) != ba.get(t, 0)},
        "npv_cost_change_gbp_k": b["objectives"]["npv_cost"] - a["objectives"]["npv_cost"],
        "capital_change_by_year_gbp_k": {y: b["capital_spend_by_year"][y] - a["capital_spend_by_year"][y]
                                         for y in a["capital_spend_by_year"]},
        "access_mean_change_minutes": {k: b["access"][k]["mean"] - a["access"][k]["mean"]
                                       for k in a.get("access", {}) if k in b.get("access", {})
                                       and a["access"][k]["mean"] is not None and b["access"][k]["mean"] is not None},
    }


def difference_text(d: dict[str, Any]) -> str:
    """difference() as one plain sentence: cost, services, schemes, beds, capital and access."""
    parts = [f"net present cost {d['npv_cost_change_gbp_k'] / 1000:+,.1f} £m"]
    for key, text in (("services_added", "adds"), ("services_removed", "drops"), ("schemes_added", "builds"),
                      ("schemes_dropped", "does not build"), ("schemes_retimed", "retimes")):
        if d[key]:
            parts.append(f"{text} {', '.join(d[key])}")
    if d["beds_change"]:
        parts.append("beds " + ", ".join(f"{b} {n:+,}" for b, n in d["beds_change"].items()))
    cap = {y: v for y, v in d["capital_change_by_year_gbp_k"].items() if abs(v) >= 50}  # shown to £0.1m
    if cap:
        parts.append("capital " + ", ".join(f"{y} {v / 1000:+,.1f} £m" for y, v in cap.items()))
    acc = {k: v for k, v in d["access_mean_change_minutes"].items() if abs(v) >= 0.05}
    if acc:
        parts.append("mean travel " + ", ".join(f"{k} {v:+.1f} min" for k, v in acc.items()))
    return "; ".join(parts)


def compare(inst: Instance, options: list[str], time_limit: float | None = None,
            mip_gap: float | None = None) -> dict[str, Any]:
    """Solve do-nothing, the optimum and each option; report each against the optimum."""
    names = ["optimum", *options]
    baseline, solved = solve_with_baseline(inst, [None if n == "optimum" else n for n in names], time_limit, mip_gap)
    runs: dict[str, dict[str, Any]] = {"do_nothing": summary(inst, *baseline, baseline, "do_nothing")}
    for name, (built, out) in zip(names, solved, strict=True):
        runs[name] = summary(inst, built, out, baseline, None if name == "optimum" else name)
    best = runs["optimum"]
    result: dict[str, Any] = {"scenario": inst.scenario.name, "runs": runs, "against_optimum": {}}
    if "capital_spend_by_year" in best:
        for name, s in runs.items():
            if name != "optimum" and "capital_spend_by_year" in s:
                result["against_optimum"][name] = difference(best, s)
    return result
