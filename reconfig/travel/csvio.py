"""Reading CSV inputs as text with their line numbers, and parsing cells into located problems."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from reconfig.inputs.errors import ProblemLog

TRUE = {"true", "1", "yes", "y", "t"}
FALSE = {"false", "0", "no", "n", "f", ""}


def display(path: Path) -> str:
    """A path as shown in messages: relative to the working directory when below it."""
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)


def read_csv(path: Path, log: ProblemLog, required: tuple[str, ...]) -> pd.DataFrame | None:
    """Read every cell as stripped text; column `_row` holds the 1-based line (header = line 1).

    Returns None (with problems logged) if the file is missing, unreadable or lacks a required column.
    """
    name = display(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding="utf-8-sig")
    except FileNotFoundError:
        log.add(name, "file not found", expected="a CSV file with columns " + ", ".join(required))
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        log.add(name, f"not a readable CSV file: {e}")
        return None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    for c in missing:
        log.add(name, "required column missing", row=1, column=c, expected="columns " + ", ".join(required))
    if missing:
        return None
    df = df.apply(lambda s: s.str.strip())
    df["_row"] = np.arange(2, len(df) + 2)
    blank = (df.drop(columns="_row") == "").all(axis=1)
    return df.loc[~blank].reset_index(drop=True)


def parse_float(df: pd.DataFrame, col: str, name: str, log: ProblemLog, *, minimum: float | None = None,
                maximum: float | None = None, positive: bool = False, required: bool = True,
                allow_inf: bool = False, expected: str = "a number") -> np.ndarray:
    """Column as floats (NaN where blank and optional, or bad); bad cells are logged with their line."""
    text = df[col].astype(str)
    values = pd.to_numeric(text.where(text != ""), errors="coerce").to_numpy(float, copy=True)
    bad = _bad(values, text.to_numpy(), minimum, maximum, positive, required, allow_inf)
    for i in np.flatnonzero(bad):
        log.add(name, f"invalid {col}", row=int(df["_row"].iat[i]), column=col, value=text.iat[i] or "(blank)",
                expected=expected)
    values[bad] = np.nan  # reported; later checks skip it
    return values


def _bad(values: np.ndarray, text: np.ndarray, minimum: float | None, maximum: float | None, positive: bool,
         required: bool, allow_inf: bool) -> np.ndarray:
    blank = text == ""
    bad = np.isnan(values) & ~(blank & (not required))
    if not allow_inf:
        bad |= np.isinf(values)
    with np.errstate(invalid="ignore"):
        if minimum is not None:
            bad |= values < minimum
        if maximum is not None:
            bad |= values > maximum
        if positive:
            bad |= values <= 0
    return bad


def parse_bool(df: pd.DataFrame, col: str, name: str, log: ProblemLog) -> np.ndarray:
    """Column of true/false (1/0, yes/no; blank = false)."""
    low = df[col].astype(str).str.lower()
    out = low.isin(TRUE).to_numpy()
    for i in np.flatnonzero(~(low.isin(TRUE) | low.isin(FALSE)).to_numpy()):
        log.add(name, f"invalid {col}", row=int(df["_row"].iat[i]), column=col, value=df[col].iat[i],
                expected="true or false")
    return out


def duplicates(df: pd.DataFrame, key: list[str], name: str, log: ProblemLog, what: str) -> np.ndarray:
    """Log every repeat of `key` naming the first line it appeared on; returns the mask of repeats."""
    dup = df.duplicated(key, keep="first").to_numpy()
    if dup.any():
        first = df.drop_duplicates(key, keep="first").set_index(key)["_row"]
        for i in np.flatnonzero(dup):
            k = tuple(df[c].iat[i] for c in key)
            log.add(name, f"duplicate {what}; first on line {int(first.loc[k if len(k) > 1 else k[0]])}",
                    row=int(df["_row"].iat[i]), column=", ".join(key), value=" / ".join(k),
                    expected=f"each {what} once")
    return dup
