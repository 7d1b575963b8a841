"""The source or assumption behind every input figure: one row per (table, row, reference)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconfig.inputs.tables import load_system, split_list

ID_COLUMNS = ("site_id", "zone_id", "service_id", "scheme_id", "funding_id", "disposal_id", "bed_type", "option_id",
              "rule_id", "assumption_id")


def _record(row: Any, columns: list[str]) -> str:
    parts = [str(row[c]) for c in columns if c in ID_COLUMNS and str(row[c]) not in ("", "nan", "None")]
    for c in ("year", "year_offset", "effect"):
        if c in columns and str(row[c]) not in ("", "nan", "None"):
            parts.append(str(row[c]))
    return " · ".join(parts)


def source_rows(data_dir: str | Path) -> list[dict[str, Any]]:
    """(table, row, record, source, assumption description, basis) for every reference in the data folder."""
    system = load_system(Path(data_dir))
    assumptions = {}
    if "assumptions" in system.tables:
        for r in system["assumptions"].to_dict("records"):
            assumptions[str(r["assumption_id"])] = (str(r.get("description") or ""), str(r.get("basis") or ""))
    out = []
    for name, df in system.tables.items():
        if "source" not in df.columns:
            continue
        cols = list(df.columns)
        for r in df.to_dict("records"):
            for ref in split_list(r["source"]):
                desc, basis = ("", "")
                if ref.startswith("assumption:"):
                    desc, basis = assumptions.get(ref.split(":", 1)[1], ("(assumption not found)", ""))
                out.append({"table": name, "file": system.files.get(name, name), "row": int(r["_row"]),
                            "record": _record(r, cols), "source": ref, "assumption": desc, "basis": basis})
    return out


def assumption_list(data_dir: str | Path) -> list[dict[str, str]]:
    system = load_system(Path(data_dir))
    if "assumptions" not in system.tables:
        return []
    return [{"id": str(r["assumption_id"]), "description": str(r.get("description") or ""),
             "basis": str(r.get("basis") or "")} for r in system["assumptions"].to_dict("records")]
