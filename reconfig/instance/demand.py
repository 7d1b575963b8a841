"""Demand projection: base population × rate × growth (demographic, non-demographic) × activity shift."""

from __future__ import annotations

import numpy as np
import pandas as pd


def growth_index(growth: pd.DataFrame, services: list[str], years: list[str]) -> pd.DataFrame:
    """Multiplier on base-year demand, services × years.

    Growth compounds year on year; a service's own row for a year replaces the '*' row.
    The activity shift is a level against the base year that holds until another row changes it.
    """
    idx = pd.DataFrame(1.0, index=services, columns=years)
    rows = {(r.service_id, r.year): r for r in growth.itertuples()} if len(growth) else {}
    for k in services:
        level, shift = 1.0, 0.0
        for t in years:
            r = rows.get((k, t)) or rows.get(("*", t))
            if r is not None:
                level *= (1 + r.demographic_pct / 100) * (1 + r.non_demographic_pct / 100)
                shift = (r.activity_shift_pct or 0.0) / 100
            idx.loc[k, t] = level * (1 + shift)
    return idx


def project_demand(population: np.ndarray, rates_per_1000: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Demand units, zones × services × years, from base population (Z), rates (K) and growth index (K×T)."""
    return population[:, None, None] * (rates_per_1000 / 1000.0)[None, :, None] * index[None, :, :]


def beds_needed(bed_days: float, occupancy: float) -> float:
    """Beds that hold `bed_days` a year at the target occupancy."""
    return bed_days / (365.0 * occupancy)
