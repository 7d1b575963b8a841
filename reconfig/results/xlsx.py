"""results.xlsx: one sheet per result table plus a `sources` sheet; bold frozen header, sized columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reconfig.inputs.atomic import atomic_file
from reconfig.results.sources import source_rows
from reconfig.results.tables import tables

SOURCE_COLUMNS = {"table": "table", "file": "file", "row": "row (line in file)", "record": "record",
                  "source": "source reference", "assumption": "assumption description", "basis": "assumption basis"}


def _sheet(wb: Workbook, title: str, df: pd.DataFrame, wrap: tuple[str, ...] = ()) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append([str(c) for c in df.columns])
    for row in df.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for i, col in enumerate(df.columns, start=1):
        values = [str(col)] + [str(v) for v in df.iloc[:200, i - 1].tolist()]
        width = min(max(len(v) for v in values) + 2, 60)
        ws.column_dimensions[get_column_letter(i)].width = max(width, 8)
        if str(col) in wrap:
            for cell in ws[get_column_letter(i)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        elif df[col].dtype.kind == "f":
            for cell in ws[get_column_letter(i)][1:]:
                cell.number_format = "#,##0.00"


def write_xlsx(path: Path, tables: dict[str, pd.DataFrame], sources: list[dict[str, Any]]) -> Path:
    """Write atomically (temporary file beside `path`, then rename)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables.items():
        _sheet(wb, name, df)
    src = pd.DataFrame(sources, columns=list(SOURCE_COLUMNS)).rename(columns=SOURCE_COLUMNS)
    _sheet(wb, "sources", src, wrap=("assumption description", "assumption basis"))
    path = Path(path)
    with atomic_file(path) as tmp:
        wb.save(tmp)
    return path


def write_results_xlsx(path: Path, s: dict[str, Any], data_dir: str | None) -> Path:
    """results.xlsx for a solve summary `s`: its tables, and the sources of the input data in `data_dir`."""
    try:
        sources = source_rows(data_dir) if data_dir else []
    except Exception:  # data folder unreadable: the workbook still holds the results
        sources = []
    return write_xlsx(path, tables(s), sources)
