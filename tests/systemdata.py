"""Reading a system's data folder as raw text tables, for tests that pin its figures without the engine."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
YEARS = ["2017/18", "2018/19", "2019/20", "2020/21"]


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every CSV of a data folder, as text (blank cells stay '')."""
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in folder.glob("*.csv")}


def num(df: pd.DataFrame, col: str) -> pd.Series:
    """A column as numbers; blank cells become NaN."""
    return pd.to_numeric(df[col].replace("", "nan"))
