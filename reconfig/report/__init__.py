"""Consultation-ready outputs of a run: one self-contained report.html and results.xlsx."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment

from reconfig.inputs.atomic import atomic_file
from reconfig.report import charts
from reconfig.results.sources import assumption_list, source_rows
from reconfig.results.xlsx import write_results_xlsx

__all__ = ["build_report", "safe_json"]

THRESHOLDS = (15, 30, 45, 60)
TEMPLATE = (Path(__file__).parent / "report.html.j2").read_text(encoding="utf-8")



def safe_json(obj: Any) -> str:
    """JSON that is safe inside a <script> element: <, >, & and line separators escaped."""
    from plotly.utils import PlotlyJSONEncoder

    text = json.dumps(obj, cls=PlotlyJSONEncoder, allow_nan=False, default=str)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _m(v: float | None, digits: int = 1) -> str:
    return "–" if v is None else f"{v / 1000:,.{digits}f}"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f} %"


def _roles(s: dict[str, Any]) -> dict[str, str]:
    last = s["years"][-1]
    today: dict[str, set[str]] = defaultdict(set)
    plan: dict[str, set[str]] = defaultdict(set)
    for r in s.get("services_today", []):
        today[r["site"]].add(r["service"])
    for r in s.get("services", []):
        if r["year"] == last:
            plan[r["site"]].add(r["service"])
    opened = {r["site"]: r.get("open_today", True) for r in s.get("geography", {}).get("sites", [])}
    out = {}
    for site in set(today) | set(plan) | set(opened):
        a, b = today.get(site, set()), plan.get(site, set())
        if not a and b:
            out[site] = "new site" if not opened.get(site, True) else "gains services"
        elif a and not b:
            out[site] = "closes"
        elif b - a and a - b:
            out[site] = "gains and loses"
        elif b - a:
            out[site] = "gains services"
        elif a - b:
            out[site] = "loses services"
        else:
            out[site] = "unchanged" if a else "no services"
    return out


def _config(s: dict[str, Any]) -> list[dict[str, Any]]:
    years = s["years"]
    names = s.get("service_names", {})
    today = {(r["site"], r["service"]) for r in s.get("services_today", [])}
    plan = {(r["site"], r["service"], r["year"]) for r in s.get("services", [])}
    pairs = sorted(today | {(a, b) for a, b, _ in plan})
    rows = []
    for site, k in pairs:
        t = (site, k) in today
        cells = []
        for y in years:
            on = (site, k, y) in plan
            cells.append(("added", "✚ ●") if on and not t else ("removed", "✖ –") if t and not on
                         else ("on", "●") if on else ("off", "–"))
        rows.append({"site": site, "service": names.get(k, k), "today": t, "cells": cells})
    return rows


def _site_roles(s: dict[str, Any]) -> list[dict[str, Any]]:
    """Site roles (roles.csv) by year: today's (the do-nothing run's first year) and this plan's, with the
    final year's catchment population where the role has a band."""
    years = s["years"]
    plan = {(r["site"], r["year"]): r for r in s.get("roles", [])}
    today = {r["site"]: r["role"] for r in (s.get("do_nothing") or {}).get("roles", []) if r["year"] == years[0]}
    rows = []
    for site in sorted({r["site"] for r in s.get("roles", [])} | set(today)):
        last = plan.get((site, years[-1]), {})
        rows.append({"site": site, "today": today.get(site, "–"),
                     "cells": [plan[site, y]["role"] if (site, y) in plan else "–" for y in years],
                     "catchment": f"{last['catchment_population']:,}" if "catchment_population" in last else ""})
    return rows


def _headline(s: dict[str, Any]) -> tuple[list[dict[str, str]], list[tuple[str, str, str, str]]]:
    gap = s.get("mip_gap")
    cards = [{"label": "Solver status (optimality gap)",
              "value": f"{s['status']} ({gap * 100:.2f} %)" if gap is not None else str(s["status"])}]
    obj = s.get("objectives") or {}
    dn = (s.get("do_nothing") or {}).get("objectives") or {}
    rows: list[tuple[str, str, str, str]] = []
    if "npv_cost" in obj:
        cards.append({"label": "Net present cost (£m)", "value": _m(obj["npv_cost"])})
        if "npv_cost" in dn:
            cards.append({"label": "Net present cost against do-nothing (£m)",
                          "value": f"{(obj['npv_cost'] - dn['npv_cost']) / 1000:+,.1f}"})
            rows.append(("Net present cost (£m)", _m(obj["npv_cost"]), _m(dn["npv_cost"]),
                         f"{(obj['npv_cost'] - dn['npv_cost']) / 1000:+,.1f}"))
    elif s.get("objective") is not None:
        cards.append({"label": "Objective", "value": f"{s['objective']:,.0f}"})
    if "capital_total_gbp_k" in s:
        cards.append({"label": "Capital, all years (£m)", "value": _m(s["capital_total_gbp_k"])})
        rows.append(("Capital, all years (£m)", _m(s["capital_total_gbp_k"]), "0.0", _m(s["capital_total_gbp_k"])))
    sav = s.get("savings_vs_do_nothing_by_year") or {}
    if sav:
        y = s["years"][-1]
        cards.append({"label": f"Recurrent saving in {y} against do-nothing (£m a year)", "value": _m(sav.get(y))})
        rc = s.get("recurrent_cost_by_year", {})
        dnc = (s.get("do_nothing") or {}).get("recurrent_cost_by_year", {})
        rows.append((f"Recurrent cost {y} (£m)", _m(rc.get(y)), _m(dnc.get(y)),
                     f"{(rc.get(y, 0) - dnc.get(y, 0)) / 1000:+,.1f}"))
    last = s["years"][-1]
    for label, key in (("This plan", "beds"),):
        del label
        plan_beds: dict[str, int] = defaultdict(int)
        dn_beds: dict[str, int] = defaultdict(int)
        for r in s.get(key, []):
            if r["year"] == last:
                plan_beds[r["bed_type"]] += r["beds"]
        for r in (s.get("do_nothing") or {}).get("beds", []):
            if r["year"] == last:
                dn_beds[r["bed_type"]] += r["beds"]
        for b in sorted(set(plan_beds) | set(dn_beds)):
            rows.append((f"Beds {b}, {last}", f"{plan_beds[b]:,}", f"{dn_beds[b]:,}",
                         f"{plan_beds[b] - dn_beds[b]:+,}"))
    return cards, rows


def _compare(run: Path) -> list[dict[str, str]]:
    f = run / "compare.json"
    if not f.exists():
        return []
    c = json.loads(f.read_text())
    against = c.get("against_optimum", {})
    out = []
    for name, r in c.get("runs", {}).items():
        d = against.get(name)
        diff = ""
        if d:
            parts = [f"services added: {', '.join(d['services_added'])}" if d.get("services_added") else "",
                     f"removed: {', '.join(d['services_removed'])}" if d.get("services_removed") else "",
                     f"schemes added: {', '.join(d['schemes_added'])}" if d.get("schemes_added") else "",
                     f"dropped: {', '.join(d['schemes_dropped'])}" if d.get("schemes_dropped") else ""]
            diff = "; ".join(p for p in parts if p) or "same configuration"
        gap = r.get("mip_gap")
        out.append({"name": name, "status": f"{r.get('status')}" + (f" ({gap * 100:.2f} %)" if gap is not None
                                                                      else ""),
                    "npv": _m((r.get("objectives") or {}).get("npv_cost")),
                    "capital": _m(r.get("capital_total_gbp_k")),
                    "delta": f"{d['npv_cost_change_gbp_k'] / 1000:+,.1f}" if d else "", "diff": diff})
    return out


def _disposals(s: dict[str, Any], data: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    return [{"disposal": r["disposal"], "site": str(data.get(r["disposal"], {}).get("site_id", "")),
             "year": r["year"], "value": _m(data.get(r["disposal"], {}).get("value_gbp_k"))}
            for r in s.get("disposals", [])]


def _access(s: dict[str, Any]) -> list[dict[str, Any]]:
    names = s.get("service_names", {})
    dn = s.get("access_do_nothing") or {}
    out = []
    for k, a in (s.get("access") or {}).items():
        b = dn.get(k, {})
        cells = []
        for t in THRESHOLDS:
            cells += [_pct(b.get("within", {}).get(str(t))), _pct(a["within"].get(str(t)))]
        cells += [f"{b['mean']:.1f}" if b.get("mean") is not None else "–",
                  f"{a['mean']:.1f}" if a.get("mean") is not None else "–"]
        out.append({"service": names.get(k, k), "mode": a.get("mode", ""), "cells": cells})
    return out


def _read_json(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def render(run: Path, s: dict[str, Any], man: dict[str, Any]) -> str:
    """The report's HTML for summary `s` and manifest `man` (sweep/pareto/compare files read from `run`)."""
    from plotly.offline import get_plotlyjs

    sources: list[dict[str, Any]] = []
    assumptions: list[dict[str, str]] = []
    disposals_data: dict[str, dict[str, Any]] = {}
    sources_error = ""
    try:
        sources = source_rows(man["data"])
        assumptions = assumption_list(man["data"])
        from reconfig.inputs.tables import load_system

        d = load_system(Path(man["data"]))["disposals"]
        disposals_data = {str(r["disposal_id"]): r for r in d.to_dict("records")}
    except Exception as exc:  # the data folder may have moved since the run
        sources_error = f"The input data folder could not be read ({exc}); sources are not listed."
    grouped: dict[tuple[str, int], dict[str, Any]] = {}
    for r in sources:
        g = grouped.setdefault((r["table"], r["row"]), {"table": r["table"], "row": r["row"],
                                                         "record": r["record"], "refs": [], "texts": []})
        g["refs"].append(r["source"])
        if r["assumption"]:
            g["texts"].append(f"{r['source'].split(':', 1)[1]}: {r['assumption']}")
    source_table = [{"table": g["table"], "row": g["row"], "record": g["record"], "source": "; ".join(g["refs"]),
                     "assumption": " | ".join(g["texts"])} for g in grouped.values()]
    default = next((k for k in ("ed", "acute_inpatient", "obstetric") if k in s.get("access_by_zone", {})), None)
    figs = {"fig-map": charts.map_figure(s, _roles(s), default), "fig-beds": charts.beds_figure(s),
            "fig-capital": charts.capital_figure(s), "fig-timeline": charts.timeline_figure(s),
            "fig-savings": charts.savings_figure(s), "fig-access": charts.access_figure(s, THRESHOLDS)}
    sweep, pareto = _read_json(run / "sweep.json"), _read_json(run / "pareto.json")
    if sweep:
        figs["fig-tornado"] = charts.tornado_figure(sweep)
    if pareto:
        figs["fig-pareto"] = charts.pareto_figure(pareto)
    figs = {k: v for k, v in figs.items() if v}
    cards, headline_table = _headline(s)
    roles = _roles(s)
    sites = [{**r, "role": roles.get(r["site"], "no services")} for r in s.get("geography", {}).get("sites", [])]
    env = Environment(autoescape=True)
    title = f"Service reconfiguration: {s.get('scenario', '')}" + (f" ({s['option']})" if s.get("option") else "")
    return env.from_string(TEMPLATE).render(
        title=title, s=s, man=man, cards=cards, headline_table=headline_table, compare=_compare(run),
        sites=sites, config=_config(s), disposals=_disposals(s, disposals_data), access=_access(s),
        thresholds=THRESHOLDS, site_roles=_site_roles(s),
        sources=source_table, assumptions=assumptions, sources_error=sources_error, figs=figs,
        figs_json=safe_json(figs), plotly_js=get_plotlyjs())


def _atomic_write(path: Path, text: str) -> None:
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def build_report(run: Path | str) -> Path:
    """Write RUN/report.html (and RUN/results.xlsx if missing) from RUN/summary.json and manifest.json."""
    run = Path(run)
    s = json.loads((run / "summary.json").read_text())
    man = json.loads((run / "manifest.json").read_text())
    out = run / "report.html"
    _atomic_write(out, render(run, s, man))
    if not (run / "results.xlsx").exists():
        write_results_xlsx(run / "results.xlsx", s, man.get("data"))
    return out
