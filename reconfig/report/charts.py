"""Plotly figures for the report, as plain dicts (data, layout); every label from input data is HTML-escaped."""

from __future__ import annotations

import math
from html import escape
from typing import Any

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
FONT = {"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#222"}


def e(x: Any) -> str:
    """Escape text for plotly (which reads a subset of HTML in labels)."""
    return escape(str(x), quote=True)


def colour(i: int) -> str:
    return OKABE_ITO[i % len(OKABE_ITO)]


def _layout(title: str, **kw: Any) -> dict[str, Any]:
    lay: dict[str, Any] = {"title": {"text": e(title), "x": 0.01, "font": {"size": 18}}, "font": FONT,
                           "paper_bgcolor": "white", "plot_bgcolor": "white", "margin": {"l": 70, "r": 20, "t": 60,
                                                                                          "b": 60},
                           "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"},
                           "colorway": OKABE_ITO}
    lay.update(kw)
    return lay


def _axis(title: str, **kw: Any) -> dict[str, Any]:
    return {"title": {"text": e(title)}, "gridcolor": "#ddd", "zerolinecolor": "#999", "automargin": True, **kw}


def year_pos(label: str, years: list[str]) -> float:
    if label in years:
        return float(years.index(label))
    try:
        return float(int(str(label)[:4]) - int(years[0][:4]))
    except ValueError:
        return float(len(years))


def map_figure(s: dict[str, Any], roles: dict[str, str], default_service: str | None) -> dict[str, Any] | None:
    geo = s.get("geography")
    if not geo:
        return None
    sites = {r["site"]: r for r in geo["sites"]}
    zones = {r["zone"]: r for r in geo["zones"]}
    lats = [r["lat"] for r in [*sites.values(), *zones.values()]]
    lat0 = sum(lats) / len(lats) if lats else 52.0
    names = s.get("service_names", {})
    by_zone = s.get("access_by_zone", {})
    services = list(by_zone)
    if default_service not in services:
        default_service = services[0] if services else None
    data: list[dict[str, Any]] = []
    vis_groups: list[str | None] = []
    for k in services:
        plan = by_zone[k]["plan"]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for z, a in plan.items():
            if a["site"] in sites and z in zones:
                xs += [zones[z]["lon"], sites[a["site"]]["lon"], None]
                ys += [zones[z]["lat"], sites[a["site"]]["lat"], None]
        show = k == default_service
        data.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip",
                     "line": {"color": "rgba(80,80,80,0.35)", "width": 1}, "name": "Catchment (zone → site)",
                     "visible": show, "showlegend": True, "legendgroup": "catch"})
        vis_groups.append(k)
        zs = [z for z in plan if z in zones]
        minutes = [plan[z]["minutes"] for z in zs]
        text = [f"{e(zones[z]['name'])} ({e(z)})<br>{e(names.get(k, k))}: "
                + (f"{plan[z]['minutes']:.0f} min to {e(plan[z]['site'])}" if plan[z]["minutes"] is not None
                   else "not served") + f"<br>population {zones[z]['population']:,.0f}" for z in zs]
        data.append({"type": "scatter", "mode": "markers", "x": [zones[z]["lon"] for z in zs],
                     "y": [zones[z]["lat"] for z in zs], "text": text, "hoverinfo": "text",
                     "name": "Zone (colour: minutes)", "visible": show, "legendgroup": "zones",
                     "marker": {"size": 9, "color": [m if m is not None else 120 for m in minutes],
                                "colorscale": "Viridis", "reversescale": True, "cmin": 0, "cmax": 60,
                                "line": {"width": 0.5, "color": "#333"},
                                "colorbar": {"title": {"text": "Minutes to<br>assigned site"}, "ticksuffix": " min",
                                             "len": 0.8}}})
        vis_groups.append(k)
    symbols = {"acute": "square", "community": "circle"}
    role_order = ["gains services", "loses services", "gains and loses", "new site", "closes", "unchanged",
                  "no services"]
    for i, role in enumerate(role_order):
        ids = [x for x in sites if roles.get(x, "no services") == role]
        if not ids:
            continue
        data.append({"type": "scatter", "mode": "markers+text", "name": f"Site: {role}",
                     "x": [sites[x]["lon"] for x in ids], "y": [sites[x]["lat"] for x in ids],
                     "text": [e(x) for x in ids], "textposition": "top center",
                     "textfont": {"size": 12, "color": "#000"},
                     "hovertext": [f"{e(sites[x]['name'])} ({e(x)})<br>{e(sites[x]['kind'])}; {e(role)}" for x in ids],
                     "hoverinfo": "text",
                     "marker": {"size": 15, "color": colour(i), "symbol": [symbols.get(sites[x]["kind"], "diamond")
                                                                          for x in ids],
                                "line": {"width": 1.5, "color": "#000"}}})
        vis_groups.append(None)
    buttons = []
    for k in services:
        buttons.append({"label": e(names.get(k, k)), "method": "update",
                        "args": [{"visible": [g is None or g == k for g in vis_groups]},
                                 {"title.text": e(f"Where each zone goes for {names.get(k, k)} "
                                                  f"({by_zone[k]['year']}, by {by_zone[k]['mode']})")}]})
    title = (f"Where each zone goes for {names.get(default_service, default_service)} "
             f"({by_zone[default_service]['year']}, by {by_zone[default_service]['mode']})"
             if default_service else "Sites")
    lay = _layout(title, height=640,
                  xaxis={"visible": False, "showgrid": False},
                  yaxis={"visible": False, "showgrid": False, "scaleanchor": "x",
                         "scaleratio": 1 / math.cos(math.radians(lat0))},
                  hovermode="closest", legend={"orientation": "v", "x": 0, "y": -0.05, "yanchor": "top"},
                  margin={"l": 10, "r": 10, "t": 100, "b": 10})
    if buttons:
        active = services.index(default_service)
        lay["updatemenus"] = [{"buttons": buttons, "active": active, "x": 0.01, "y": 1.0, "xanchor": "left",
                               "yanchor": "bottom", "direction": "down", "showactive": True}]
    return {"data": data, "layout": lay}


def beds_figure(s: dict[str, Any]) -> dict[str, Any] | None:
    rows = s.get("beds") or []
    if not rows:
        return None
    years = s["years"]
    sites = sorted({r["site"] for r in rows})
    types = sorted({r["bed_type"] for r in rows})
    val = {(r["site"], r["bed_type"], r["year"]): r["beds"] for r in rows}
    x = [[e(si) for si in sites for _ in years], [e(y) for _ in sites for y in years]]
    data = [{"type": "bar", "name": e(b), "x": x, "y": [val.get((si, b, y), 0) for si in sites for y in years],
             "marker": {"color": colour(i)}, "hovertemplate": "%{x}: %{y:,.0f} beds"}
            for i, b in enumerate(types)]
    return {"data": data, "layout": _layout("Beds by site, bed type and year", barmode="stack", height=480,
                                            xaxis=_axis("Site / year", tickangle=-45, tickfont={"size": 11}),
                                            yaxis=_axis("Beds (number)"))}


def capital_figure(s: dict[str, Any]) -> dict[str, Any] | None:
    by = s.get("funding_by_source_and_year")
    if not by:
        return None
    years = s["years"]
    data = [{"type": "bar", "name": e(f), "x": [e(y) for y in years], "y": [by[f].get(y, 0) / 1000 for y in years],
             "marker": {"color": colour(i)}, "hovertemplate": "%{x}: £%{y:,.1f}m"}
            for i, f in enumerate(sorted(by))]
    avail = s.get("funding_available_by_source_and_year") or {}
    if avail:
        data.append({"type": "scatter", "mode": "lines+markers", "name": "Funding available (all sources)",
                     "x": [e(y) for y in years], "y": [sum(a.get(y, 0) for a in avail.values()) / 1000 for y in years],
                     "line": {"color": "#000", "dash": "dash", "width": 2}, "marker": {"symbol": "x", "size": 10}})
    limit = (s.get("constraints") or {}).get("capital_limit_gbp_k") or {}
    if limit:
        data.append({"type": "scatter", "mode": "markers", "name": "Net capital limit",
                     "x": [e(y) for y in years if y in limit], "y": [limit[y] / 1000 for y in years if y in limit],
                     "marker": {"symbol": "line-ew-open", "size": 30, "line": {"width": 3, "color": "#D55E00"}}})
    return {"data": data, "layout": _layout("Capital phasing by funding source against limits", barmode="stack",
                                            height=440, xaxis=_axis("Financial year"),
                                            yaxis=_axis("Capital (£ million)"))}


def timeline_figure(s: dict[str, Any]) -> dict[str, Any] | None:
    rows = s.get("schemes") or []
    if not rows:
        return None
    years = s["years"]
    rows = sorted(rows, key=lambda r: (year_pos(r["start"], years), r["scheme"]), reverse=True)
    by_scheme = s.get("capital_spend_by_scheme", {})
    start = [year_pos(r["start"], years) for r in rows]
    end = [year_pos(r.get("complete") or r["start"], years) + 1 for r in rows]
    text = [f"{e(r['scheme'])}: {e(r['start'])} to {e(r.get('complete') or r['start'])}, "
            f"£{sum(by_scheme.get(r['scheme'], {}).values()) / 1000:,.1f}m" for r in rows]
    data = [{"type": "bar", "orientation": "h", "y": [e(r["scheme"]) for r in rows], "base": start,
             "x": [b - a for a, b in zip(start, end, strict=True)], "marker": {"color": OKABE_ITO[0]},
             "hovertext": text, "hoverinfo": "text", "name": "Scheme (start to completion)", "showlegend": False}]
    ticks = list(range(len(years) + 1))
    return {"data": data, "layout": _layout(
        "Scheme timeline (bars run from start to completion)", height=max(260, 26 * len(rows) + 120),
        xaxis=_axis("Financial year", tickvals=[t + 0.5 for t in ticks[:-1]], ticktext=[e(y) for y in years],
                    range=[0, len(years)], side="top"),
        yaxis=_axis("", tickfont={"size": 12}), margin={"l": 140, "r": 20, "t": 90, "b": 20})}


def savings_figure(s: dict[str, Any]) -> dict[str, Any] | None:
    sav = s.get("savings_vs_do_nothing_by_year")
    if not sav:
        return None
    years = list(sav)
    vals = [sav[y] / 1000 for y in years]
    data = [{"type": "bar", "name": "Recurrent saving against do-nothing", "x": [e(y) for y in years], "y": vals,
             "marker": {"color": [OKABE_ITO[2] if v >= 0 else OKABE_ITO[3] for v in vals]},
             "hovertemplate": "%{x}: £%{y:,.1f}m"}]
    c = s.get("constraints") or {}
    if c.get("savings_target_gbp_k") is not None and c.get("savings_year"):
        data.append({"type": "scatter", "mode": "markers", "name": f"Target ({e(c['savings_year'])})",
                     "x": [e(c["savings_year"])], "y": [c["savings_target_gbp_k"] / 1000],
                     "marker": {"symbol": "line-ew-open", "size": 40, "line": {"width": 4, "color": "#000"}}})
    return {"data": data, "layout": _layout("Recurrent savings against do-nothing (negative: costs more)",
                                            height=400, xaxis=_axis("Financial year"),
                                            yaxis=_axis("Saving (£ million a year)"), showlegend=True)}


def access_figure(s: dict[str, Any], thresholds: tuple[int, ...]) -> dict[str, Any] | None:
    plan = s.get("access") or {}
    dn = s.get("access_do_nothing") or {}
    if not plan:
        return None
    names = s.get("service_names", {})
    ks = list(plan)
    x = [[e(names.get(k, k)) for k in ks for _ in thresholds], [f"≤{t}" for _ in ks for t in thresholds]]
    data = []
    if dn:
        data.append({"type": "bar", "name": "Do-nothing", "x": x, "marker": {"color": OKABE_ITO[1]},
                     "y": [100 * (dn.get(k, {}).get("within", {}).get(str(t)) or 0) for k in ks for t in thresholds],
                     "hovertemplate": "%{x}: %{y:.1f} %"})
    data.append({"type": "bar", "name": "This plan", "x": x, "marker": {"color": OKABE_ITO[0]},
                 "y": [100 * (plan[k]["within"].get(str(t)) or 0) for k in ks for t in thresholds],
                 "hovertemplate": "%{x}: %{y:.1f} %"})
    return {"data": data, "layout": _layout("Share of demand within 15/30/45/60 minutes of its site, final year",
                                            barmode="group", height=500,
                                            xaxis=_axis("Service / minutes", tickangle=-45, tickfont={"size": 11}),
                                            yaxis=_axis("Share of demand (%)", range=[0, 100]))}


def tornado_figure(sweep: dict[str, Any]) -> dict[str, Any] | None:
    params = sweep.get("parameters") or []
    if not params:
        return None
    base = float(sweep.get("base", 0))
    unit = sweep.get("unit", "")
    params = sorted(params, key=lambda p: abs(float(p["high"]) - float(p["low"])))
    y = [e(p.get("label") or p["parameter"]) for p in params]
    data = [{"type": "bar", "orientation": "h", "name": "Low value of the input", "y": y,
             "x": [float(p["low"]) - base for p in params], "base": base, "marker": {"color": OKABE_ITO[0]},
             "text": [e(p.get("low_value", "")) for p in params], "textposition": "auto"},
            {"type": "bar", "orientation": "h", "name": "High value of the input", "y": y,
             "x": [float(p["high"]) - base for p in params], "base": base, "marker": {"color": OKABE_ITO[1]},
             "text": [e(p.get("high_value", "")) for p in params], "textposition": "auto"}]
    obj = sweep.get("objective", "objective")
    return {"data": data, "layout": _layout(f"Sensitivity of {obj} to each input (tornado)", barmode="overlay",
                                            height=max(300, 40 * len(params) + 150),
                                            xaxis=_axis(f"{obj} ({unit})" if unit else obj),
                                            yaxis=_axis("Input"), margin={"l": 160, "r": 20, "t": 60, "b": 60})}


def pareto_figure(pareto: dict[str, Any]) -> dict[str, Any] | None:
    pts = pareto.get("points") or []
    if not pts:
        return None
    pts = sorted(pts, key=lambda p: float(p["x"]))
    xs = [float(p["x"]) for p in pts]
    mid = (xs[0] + xs[-1]) / 2
    data = [{"type": "scatter", "mode": "lines+markers+text", "name": "Efficient plans (open marker: not proven)",
             "x": xs, "y": [float(p["y"]) for p in pts],
             "text": [e(p.get("label", "")) for p in pts],
             "textposition": ["top right" if x <= mid else "top left" for x in xs],  # labels stay inside the plot
             "marker": {"size": 10, "color": OKABE_ITO[0],
                        "symbol": ["circle-open" if p.get("proven") is False else "circle" for p in pts]},
             "line": {"color": OKABE_ITO[0]}}]
    return {"data": data, "layout": _layout("Trade-off between objectives (Pareto frontier)", height=440,
                                            xaxis=_axis(pareto.get("x_label", "x")),
                                            yaxis=_axis(pareto.get("y_label", "y")))}
