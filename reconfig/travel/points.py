"""Zones and sites as passed by the caller: ids and coordinates, checked before any computation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reconfig.inputs.errors import ProblemLog
from reconfig.travel.csvio import display


@dataclass(frozen=True)
class Points:
    """Validated ids and coordinates of zones or sites (ids as str, lat/lon float arrays)."""

    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    file: str  # as shown in messages
    rows: np.ndarray  # file line of each point
    kind: str = "point"  # "zone" or "site", for messages

    def __len__(self) -> int:
        return len(self.ids)


def points(df: pd.DataFrame, id_col: str, path: Path, log: ProblemLog) -> Points:
    """Check a zones/sites frame; rows are reported as file lines (frame order, header = line 1).

    A frame with a `_row` column (as produced by reconfig's CSV readers) uses it for line numbers.
    """
    name = display(path)
    missing = [c for c in (id_col, "lat", "lon") if c not in df.columns]
    for c in missing:
        log.add(name, "required column missing", row=1, column=c, expected=f"columns {id_col}, lat, lon")
    if missing:
        return Points(np.array([], dtype=object), np.array([]), np.array([]), name, np.array([], int), id_col[:-3])
    rows = df["_row"].to_numpy() if "_row" in df.columns else np.arange(2, len(df) + 2)
    ids = df[id_col].astype(str).str.strip().to_numpy(dtype=object)
    seen: dict[str, int] = {}
    for i, z in enumerate(ids):
        if z in ("", "nan", "None"):
            log.add(name, f"missing {id_col}", row=int(rows[i]), column=id_col, value="(blank)",
                    expected="an identifier")
        elif z in seen:
            log.add(name, f"duplicate {id_col}; first on line {seen[z]}", row=int(rows[i]), column=id_col,
                    value=z, expected="unique identifiers")
        else:
            seen[z] = int(rows[i])
    coords = {}
    for col, limit in (("lat", 90.0), ("lon", 180.0)):
        v = pd.to_numeric(df[col], errors="coerce").to_numpy(float)
        for i in np.flatnonzero(~(np.abs(v) <= limit)):  # NaN fails too
            log.add(name, f"coordinate out of range or missing ({ids[i]})", row=int(rows[i]), column=col,
                    value=df[col].iat[i], expected=f"a number from -{limit:g} to {limit:g} (WGS84 degrees)")
        coords[col] = v
    return Points(ids, coords["lat"], coords["lon"], name, rows, id_col[:-3])
