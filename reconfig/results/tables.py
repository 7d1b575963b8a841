"""Tidy result tables (CSV and Excel) from a solve summary, with units in column names."""

from __future__ import annotations

from typing import Any

import pandas as pd

from reconfig.results.summary import THRESHOLDS


def tables(s: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """Tidy tables for CSV / Excel output, with units in column names."""
    out = {
        "services": pd.DataFrame(s.get("services", []), columns=["site", "service", "year"]),
        "beds": pd.DataFrame(s.get("beds", []), columns=["site", "bed_type", "year", "beds"]),
        "schemes": pd.DataFrame(s.get("schemes", []), columns=["scheme", "start", "complete"]),
        "roles": pd.DataFrame(s.get("roles", []), columns=["site", "role", "year", "catchment_population"]),
        "capital_by_year": pd.DataFrame(
            [{"year": y, "capital_spend_gbp_k": c, "disposal_receipts_gbp_k": s["disposal_receipts_by_year"][y],
              "recurrent_cost_gbp_k": s["recurrent_cost_by_year"][y],
              "saving_vs_do_nothing_gbp_k": s.get("savings_vs_do_nothing_by_year", {}).get(y)}
             for y, c in s.get("capital_spend_by_year", {}).items()]),
        "capital_by_scheme": pd.DataFrame(
            [{"scheme": c, "year": y, "capital_gbp_k": v} for c, by in s.get("capital_spend_by_scheme", {}).items()
             for y, v in by.items()], columns=["scheme", "year", "capital_gbp_k"]),
        "funding": pd.DataFrame(
            [{"funding_source": f, "year": y, "capital_gbp_k": v}
             for f, by in s.get("funding_by_source_and_year", {}).items() for y, v in by.items()],
            columns=["funding_source", "year", "capital_gbp_k"]),
        "access": pd.DataFrame(
            [{"service": k, "mode": a["mode"], "year": a["year"], "mean_minutes": a["mean"],
              "p95_minutes": a["p95"], "max_minutes": a["max"],
              **{f"share_within_{t}_minutes": a["within"].get(str(t)) for t in THRESHOLDS}}
             for k, a in s.get("access", {}).items()]),
    }
    return out
