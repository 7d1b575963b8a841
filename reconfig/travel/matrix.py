"""Imported travel-time matrices: long CSV (zone_id, site_id, mode, minutes) from GIS tools."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reconfig.inputs.errors import ProblemLog
from reconfig.inputs.schema import MODES
from reconfig.travel.csvio import display, duplicates, parse_float, read_csv
from reconfig.travel.points import Points

COLUMNS = ("zone_id", "site_id", "mode", "minutes")
MAX_PAIRS_LISTED = 20


def read_matrix(path: Path, log: ProblemLog) -> pd.DataFrame | None:
    """Read and check the whole file once: modes known, minutes >= 0 ('inf' = unreachable), no repeats."""
    name = display(path)
    df = read_csv(path, log, COLUMNS)
    if df is None:
        return None
    for i in np.flatnonzero(~df["mode"].isin(MODES).to_numpy()):
        log.add(name, "unknown travel mode", row=int(df["_row"].iat[i]), column="mode", value=df["mode"].iat[i],
                expected="one of " + ", ".join(MODES))
    for col in ("zone_id", "site_id"):
        for i in np.flatnonzero(df[col].to_numpy() == ""):
            log.add(name, f"missing {col}", row=int(df["_row"].iat[i]), column=col, value="(blank)",
                    expected="an identifier")
    df["minutes_f"] = parse_float(df, "minutes", name, log, minimum=0, allow_inf=True,
                                  expected="minutes >= 0, or 'inf' where there is no route")
    dup = duplicates(df, ["zone_id", "site_id", "mode"], name, log, "zone, site and mode")
    return df.loc[~dup]


def matrix_minutes(df: pd.DataFrame, path: Path, mode: str, zones: Points, sites: Points,
                   log: ProblemLog) -> np.ndarray:
    """Zone x site minutes for one mode; every zone x site pair must be present (extra rows are ignored)."""
    name = display(path)
    sub = df.loc[df["mode"] == mode]
    zi = pd.Index(zones.ids).get_indexer(sub["zone_id"])
    si = pd.Index(sites.ids).get_indexer(sub["site_id"])
    keep = (zi >= 0) & (si >= 0)
    out = np.full((len(zones), len(sites)), np.nan)
    out[zi[keep], si[keep]] = sub["minutes_f"].to_numpy()[keep]
    missing = np.isnan(out)
    if not missing.any():
        return out
    whole_zone, whole_site = missing.all(axis=1), missing.all(axis=0)
    for i in np.flatnonzero(whole_zone):
        log.add(name, f"zone has no {mode} times", column="zone_id", value=zones.ids[i],
                expected=f"a row for zone {zones.ids[i]} and each of the {len(sites)} sites with mode {mode}")
    for j in np.flatnonzero(whole_site & ~whole_zone.all()):
        log.add(name, f"site has no {mode} times", column="site_id", value=sites.ids[j],
                expected=f"a row for site {sites.ids[j]} and each of the {len(zones)} zones with mode {mode}")
    rest = missing & ~whole_zone[:, None] & ~whole_site[None, :]
    pairs = np.argwhere(rest)
    for i, j in pairs[:MAX_PAIRS_LISTED]:
        log.add(name, f"no {mode} time for this zone and site", column="zone_id, site_id",
                value=f"{zones.ids[i]} / {sites.ids[j]}", expected="a row for every zone and site pair")
    if len(pairs) > MAX_PAIRS_LISTED:
        log.add(name, f"... and {len(pairs) - MAX_PAIRS_LISTED} more missing {mode} zone/site pairs",
                expected="a row for every zone and site pair")
    return out
