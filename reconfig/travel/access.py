"""Access statistics for a configuration: how long demand travels, who is within reach, who is worse off.

Demand from zone z served at site s travels times[z, s]; the weight of that flow is
weights[z] * shares[z, s]. Distribution statistics (mean, weighted quantiles, max,
share within thresholds) are over these flows, so a zone split between sites counts
each part at its own time. The per-zone time is the share-weighted mean time of the zone.
Zones whose shares are all 0 are unserved: reported as `unserved_weight`, left out of the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

WORSE_OFF_MINUTES = (5, 10, 20)
MAX_CATEGORIES = 12  # numeric attributes with more distinct values are cut into fifths


@dataclass
class Summary:
    """Statistics over one set of zones (everyone, or one attribute group)."""

    weight: float  # served weight
    unserved_weight: float
    mean: float
    median: float
    p95: float
    max: float
    within: dict[float, float]  # threshold minutes -> share of served weight at or under it
    mean_change: float | None = None  # weighted mean change of zone times vs baseline (minutes)
    worse_off: dict[int, float] | None = None  # minutes -> share of weight worse off by more than that

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {k: _num(getattr(self, k)) for k in
                             ("weight", "unserved_weight", "mean", "median", "p95", "max", "mean_change")}
        d["within"] = {f"{k:g}": _num(v) for k, v in self.within.items()}
        if self.worse_off is not None:
            d["worse_off"] = {str(k): _num(v) for k, v in self.worse_off.items()}
        return d


@dataclass
class AccessStats:
    """Result of access_statistics; `overall` plus `groups[attribute][value]` summaries."""

    overall: Summary
    per_zone: pd.Series  # share-weighted minutes by zone (NaN: unserved)
    change: pd.Series | None = None  # per-zone minutes minus baseline (positive = longer)
    groups: dict[str, dict[str, Summary]] = field(default_factory=dict)
    thresholds: tuple[float, ...] = ()

    # shortcuts to the overall figures
    @property
    def mean(self) -> float:
        return self.overall.mean

    @property
    def median(self) -> float:
        return self.overall.median

    @property
    def p95(self) -> float:
        return self.overall.p95

    @property
    def max(self) -> float:
        return self.overall.max

    @property
    def within(self) -> dict[float, float]:
        return self.overall.within

    @property
    def worse_off(self) -> dict[int, float] | None:
        return self.overall.worse_off

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: non-finite numbers become null (an unreachable or undefined value)."""
        d = self.overall.to_dict()
        d["per_zone"] = {str(k): _num(v) for k, v in self.per_zone.items()}
        if self.change is not None:
            d["change"] = {str(k): _num(v) for k, v in self.change.items()}
        d["groups"] = {a: {g: s.to_dict() for g, s in by.items()} for a, by in self.groups.items()}
        return d


def _num(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def reachable_pairs(times: pd.DataFrame, max_minutes: float) -> pd.DataFrame:
    """Zone x site mask of pairs within `max_minutes` (unreachable and missing pairs are False)."""
    return times.le(max_minutes) & times.notna()


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Smallest value v with at least share q of the weight at or under v (NaN if no weight)."""
    keep = weights > 0
    v, w = values[keep], weights[keep]
    if not len(v):
        return float("nan")
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    i = int(np.searchsorted(cum, q * cum[-1] * (1 - 1e-12), side="left"))
    return float(v[order][min(i, len(v) - 1)])


def access_statistics(times: pd.DataFrame, shares: pd.DataFrame, weights: pd.Series,
                      thresholds: tuple[float, ...] = (15, 30, 45, 60), attributes: pd.DataFrame | None = None,
                      baseline_shares: pd.DataFrame | None = None) -> AccessStats:
    """Demand-weighted access statistics; see the module docstring for definitions.

    `shares` and `baseline_shares` are zone x site (missing pairs count as 0) and each row must
    sum to 1 or 0; `weights` is indexed by zone; `attributes` (zone index) gives breakdowns.
    """
    t = times.to_numpy(float)
    p = _align(shares, times, "shares")
    w = _weights(weights, times)
    per_zone = _zone_time(t, p)
    base = _align(baseline_shares, times, "baseline_shares") if baseline_shares is not None else None
    change = per_zone - _zone_time(t, base) if base is not None else None
    thresholds = tuple(thresholds)
    everyone = np.ones(len(w), bool)
    stats = AccessStats(
        overall=_summary(t, p, w, per_zone, change, everyone, thresholds),
        per_zone=pd.Series(per_zone, index=times.index, name="minutes"),
        change=None if change is None else pd.Series(change, index=times.index, name="change_minutes"),
        thresholds=thresholds)
    if attributes is not None:
        for col in attributes.columns:
            labels = _groups(attributes[col].reindex(times.index))
            stats.groups[str(col)] = {
                g: _summary(t, p, w, per_zone, change, (labels == g).to_numpy(), thresholds)
                for g in _ordered(labels)}
    return stats


def _align(shares: pd.DataFrame, times: pd.DataFrame, what: str) -> np.ndarray:
    extra_z = shares.index.difference(times.index)
    extra_s = shares.columns.difference(times.columns)
    if len(extra_z) or len(extra_s):
        raise ValueError(f"{what} names zones or sites not in times: {list(extra_z[:5]) + list(extra_s[:5])}")
    p = shares.reindex(index=times.index, columns=times.columns).fillna(0.0).to_numpy(float)
    if (p < -1e-9).any():
        raise ValueError(f"{what} must be >= 0")
    sums = p.sum(axis=1)
    bad = ~(np.isclose(sums, 1.0, atol=1e-6) | np.isclose(sums, 0.0, atol=1e-9))
    if bad.any():
        raise ValueError(f"{what} rows must sum to 1 (or 0 if unserved); zones {list(times.index[bad][:5])} "
                         f"sum to {sums[bad][:5].round(6).tolist()}")
    return np.clip(p, 0.0, None)


def _weights(weights: pd.Series, times: pd.DataFrame) -> np.ndarray:
    missing = times.index.difference(weights.index)
    if len(missing):
        raise ValueError(f"weights missing for zones {list(missing[:5])}")
    w = weights.reindex(times.index).to_numpy(float)
    if not (w >= 0).all():
        raise ValueError("weights must be >= 0 and not missing")
    return w


def _zone_time(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Share-weighted time per zone; NaN for unserved zones; inf where any share goes unreachable."""
    with np.errstate(invalid="ignore"):
        flows = np.where(p > 0, p * t, 0.0)
    sums = p.sum(axis=1)
    return np.where(sums > 0, flows.sum(axis=1) / np.where(sums > 0, sums, 1.0), np.nan)


def _summary(t: np.ndarray, p: np.ndarray, w: np.ndarray, per_zone: np.ndarray, change: np.ndarray | None,
             rows: np.ndarray, thresholds: tuple[float, ...]) -> Summary:
    flow_w = (w[rows, None] * p[rows]).ravel()
    flow_t = t[rows].ravel()
    keep = flow_w > 0
    fw, ft = flow_w[keep], flow_t[keep]
    total = float(fw.sum())
    unserved = float(w[rows][np.isnan(per_zone[rows])].sum())
    nan = float("nan")
    s = Summary(
        weight=total, unserved_weight=unserved,
        mean=float(np.dot(fw, ft) / total) if total > 0 else nan,
        median=weighted_quantile(ft, fw, 0.5), p95=weighted_quantile(ft, fw, 0.95),
        max=float(ft.max()) if len(ft) else nan,
        within={float(k): float(fw[ft <= k].sum() / total) if total > 0 else nan for k in thresholds})
    if change is not None:
        c, cw = change[rows], w[rows]
        ok = ~np.isnan(c) & (cw > 0)
        cw_ok = float(cw[ok].sum())
        with np.errstate(invalid="ignore"):
            s.mean_change = float(np.dot(cw[ok], c[ok]) / cw_ok) if cw_ok > 0 else nan
        s.worse_off = {k: float(cw[ok][c[ok] > k].sum() / cw_ok) if cw_ok > 0 else nan for k in WORSE_OFF_MINUTES}
    return s


def _groups(values: pd.Series) -> pd.Series:
    """Labels per zone: categories as text; many-valued numbers cut into fifths of zones."""
    num = pd.to_numeric(values, errors="coerce")
    if values.notna().any() and num.notna().sum() == values.notna().sum() and num.nunique() > MAX_CATEGORIES:
        cut = pd.qcut(num, 5, duplicates="drop")
        lowest = cut.cat.categories[0]  # qcut widens the first bin a little below the minimum
        labels = [f"{max(iv.left, num.min()) if iv == lowest else iv.left:g}–{iv.right:g}"
                  if isinstance(iv, pd.Interval) else "unknown" for iv in cut]
        return pd.Series(labels, index=values.index, dtype=object)
    if num.notna().sum() == values.notna().sum() and (num.dropna() % 1 == 0).all():
        text = num.map(lambda x: str(int(x)) if pd.notna(x) else "unknown")
    else:
        text = values.map(lambda x: str(x) if pd.notna(x) else "unknown")
    return text.astype(object)


def _ordered(labels: pd.Series) -> list[str]:
    """Group labels in a natural order: numeric where they are numbers, 'unknown' last."""
    found = [g for g in pd.unique(labels) if g != "unknown"]

    def key(g: str) -> tuple[int, float, str]:
        try:
            return (0, float(g.split("–")[0]), g)
        except ValueError:
            return (1, 0.0, g)

    return sorted(found, key=key) + (["unknown"] if (labels == "unknown").any() else [])
