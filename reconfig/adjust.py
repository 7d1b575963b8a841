"""Scenario `[adjust]` table: change numbers in the input tables before the instance is built.

A key names a numeric column of an input table, optionally a selection of its rows, and an operation:

    "bed_types.occupancy" = 0.9                       set the column in every row
    "bed_types.occupancy[acute]" = 0.95               one row, by the table's key (positional)
    "growth.demographic_pct[2019/20,ed]" = 1.2        several key columns, in key order (a prefix is allowed)
    "growth.demographic_pct[service_id=ed]*" = 1.5    rows chosen by any column; `*` multiplies
    "services.access_max_minutes[ed]+" = 15           `+` adds

Multiplying or adding leaves blank cells blank; setting fills them. Whole-number columns are rounded after
`*` and `+`. Adjusted values must stay within the column's allowed range. Every key is also a sweep key:
`--vary "adjust.bed_types.occupancy[acute]=0.85,0.95"` (reference: docs/sweep.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from reconfig.errors import InputError, Problem, ProblemLog
from reconfig.schema import TABLE_BY_NAME, Column

if TYPE_CHECKING:
    from reconfig.scenario import Scenario
    from reconfig.tables import System

KEY = re.compile(r"^(?P<table>[a-z_]+)\.(?P<column>[a-z0-9_]+)(?:\[(?P<rows>[^\[\]]*)\])?(?P<op>[*+]?)$")
NUMERIC = ("int", "float")
# numbers the model does not read: adjusting them would change nothing, so point to the one it does read
NOT_ADJUSTABLE = {
    ("schemes", "total_cost_gbp_k"): "the model uses the yearly cost profile: adjust scheme_costs.cost_gbp_k, "
                                     "e.g. \"scheme_costs.cost_gbp_k[scheme_id=S1]*\" = 1.2 (the total follows)",
}
OPS = {"": "set", "*": "multiply", "+": "add"}


@dataclass(frozen=True)
class Adjustment:
    """One parsed `[adjust]` key."""

    key: str
    table: str
    column: str
    selector: tuple[tuple[str | None, str], ...]  # (column or None for positional, value)
    op: str  # set / multiply / add


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"bed_types": {"occupancy": 0.9}}` (unquoted TOML dotted keys) -> `{"bed_types.occupancy": 0.9}`."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def parse_key(key: str) -> Adjustment:
    """Parse the syntax of an `[adjust]` key; raises ValueError with the reason."""
    m = KEY.match(key.strip())
    if not m:
        raise ValueError(f"{key!r} is not an adjustment key; expected table.column, table.column[row key], "
                         "optionally followed by * (multiply) or + (add)")
    selector: list[tuple[str | None, str]] = []
    if m.group("rows") is not None:
        items = [p.strip() for p in m.group("rows").split(",")]
        if not all(items):
            raise ValueError(f"{key!r}: empty row selector item in [{m.group('rows')}]")
        for item in items:
            col, eq, value = item.partition("=")
            selector.append((col.strip(), value.strip()) if eq else (None, item))
    return Adjustment(key, m.group("table"), m.group("column"), tuple(selector), OPS[m.group("op")])


def check_key(adj: Adjustment) -> str | None:
    """Why `adj` does not name an adjustable column (table and column only), or None."""
    table = TABLE_BY_NAME.get(adj.table)
    if table is None:
        return f"unknown table '{adj.table}'; expected one of {', '.join(TABLE_BY_NAME)}"
    numeric = [c.name for c in table.columns if c.kind in NUMERIC and (adj.table, c.name) not in NOT_ADJUSTABLE]
    col = table.columns_by_name.get(adj.column)
    if col is None:
        return f"unknown column '{adj.column}' of table {adj.table}; expected one of {', '.join(numeric)}"
    if (adj.table, adj.column) in NOT_ADJUSTABLE:
        return f"{adj.table}.{adj.column} cannot be adjusted: {NOT_ADJUSTABLE[(adj.table, adj.column)]}"
    if col.kind not in NUMERIC:
        return f"column '{adj.column}' of table {adj.table} is not a number; expected one of {', '.join(numeric)}"
    for name, _ in adj.selector:
        if name is not None and name not in table.columns_by_name:
            return (f"unknown column '{name}' in the row selector of {adj.table}; expected one of "
                    f"{', '.join(table.columns_by_name)}")
    positional = sum(1 for name, _ in adj.selector if name is None)
    if positional > len(table.key):
        keys = ", ".join(table.key) or "none"
        return (f"{positional} positional row key(s) for table {adj.table}, whose key columns are: {keys}; "
                "select rows with column=value")
    return None


def _matches(cell: object, text: str) -> bool:
    if isinstance(cell, list):
        return text in cell
    if isinstance(cell, bool):
        return str(cell).lower() == text.lower()
    if isinstance(cell, int | float):
        try:
            return float(cell) == float(text)
        except ValueError:
            return False
    return cell is not None and str(cell) == text


def select_rows(df: pd.DataFrame, adj: Adjustment) -> pd.Series:
    """Boolean mask of the rows `adj` selects (every row without a selector)."""
    key = TABLE_BY_NAME[adj.table].key
    mask = pd.Series(True, index=df.index)
    position = 0
    for name, text in adj.selector:
        if name is None:
            name = key[position]
            position += 1
        mask &= df[name].map(lambda cell, text=text: _matches(cell, text))
    return mask


def row_choices(df: pd.DataFrame, adj: Adjustment) -> str:
    key = TABLE_BY_NAME[adj.table].key
    if not key or df.empty:
        return "a row that exists"
    shown = [",".join(str(v) for v in r) for r in df[list(key)].itertuples(index=False)][:12]
    more = " …" if len(df) > 12 else ""
    return f"a row key ({', '.join(key)}) such as " + "; ".join(shown) + more


def _in_range(col: Column, v: float) -> bool:
    if col.minimum is not None and (v < col.minimum or (col.exclusive_minimum and v == col.minimum)):
        return False
    return col.maximum is None or v <= col.maximum


def _new_value(col: Column, old: object, op: str, amount: float) -> object:
    if op == "set":
        return int(round(amount)) if col.kind == "int" else float(amount)
    if old is None:
        return None
    v = float(old) * amount if op == "multiply" else float(old) + amount  # type: ignore[arg-type]
    return int(round(v)) if col.kind == "int" else v


def apply_adjustments(system: System, scenario: Scenario) -> System:
    """A copy of `system` with the scenario's `[adjust]` applied in order; every problem located and raised."""
    from reconfig.tables import System, _check_semantics, _expected

    where = str(scenario.path) if scenario.path else "scenario"
    log = ProblemLog()
    tables = dict(system.tables)
    for key, amount in scenario.adjust.items():
        column = f"adjust.{key}"
        try:
            adj = parse_key(key)
        except ValueError as e:
            log.add(where, str(e), column=column)
            continue
        reason = check_key(adj)
        if reason:
            log.add(where, reason, column=column, value=amount)
            continue
        df = tables[adj.table]
        mask = select_rows(df, adj)
        if not mask.any():
            log.add(where, f"no row of {adj.table} matches the row selector", column=column,
                    expected=row_choices(df, adj) + f" (in {system.files[adj.table]})")
            continue
        col = TABLE_BY_NAME[adj.table].columns_by_name[adj.column]
        if adj.op == "set" and col.kind == "int" and float(amount) != int(amount):
            log.add(where, "not a whole number", column=column, value=amount, expected=_expected(col))
            continue
        df = df.copy()
        for i in df.index[mask]:
            new = _new_value(col, df.at[i, adj.column], adj.op, float(amount))
            if new is not None and not _in_range(col, float(new)):  # type: ignore[arg-type]
                log.add(system.files[adj.table], f"adjusted value {new:g} (from {df.at[i, adj.column]:g}) is out "
                        f"of range (adjust '{key}' = {amount:g} in {where})", row=int(df.at[i, "_row"]),
                        column=adj.column, expected=_expected(col))
                continue
            df.at[i, adj.column] = new
        tables[adj.table] = df
        if adj.table == "scheme_costs":
            tables["schemes"] = _scheme_totals(tables["schemes"], df)
    log.raise_if_any()
    adjusted = System(system.where, tables=tables, files=system.files)
    _check_semantics(adjusted, log)
    if log:
        raise InputError([Problem(p.file, f"{p.message} after the [adjust] of {where}", p.row, p.column, p.value,
                                  p.expected) for p in log.problems])
    return adjusted


def _scheme_totals(schemes: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    """Scheme totals follow an adjusted cost profile."""
    sums = costs.groupby("scheme_id")["cost_gbp_k"].sum()
    out = schemes.copy()
    out["total_cost_gbp_k"] = [float(sums.get(s, 0.0)) for s in out["scheme_id"]]
    return out
