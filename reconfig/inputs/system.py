"""A health system's validated input tables, and the list cells they share."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class System:
    """A health system's validated input tables (typed DataFrames, one per table)."""

    where: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # table -> file or sheet name for messages

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def sources(self) -> list[tuple[str, int, str]]:
        """(file, row, reference) for every source reference used."""
        out = []
        for name, df in self.tables.items():
            if "source" not in df.columns:
                continue
            for row, cell in zip(df["_row"], df["source"], strict=True):
                for ref in split_list(cell):
                    out.append((self.files[name], int(row), ref))
        return out


def split_list(cell: object) -> list[str]:
    return [p.strip() for p in str(cell or "").split(";") if p.strip()]
