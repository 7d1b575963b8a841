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

from typing import TYPE_CHECKING

import pandas as pd

from reconfig.inputs.adjust_keys import Adjustment, check_key, parse_key
from reconfig.inputs.errors import InputError, Problem, ProblemLog
from reconfig.inputs.schema import TABLE_BY_NAME, Column
from reconfig.inputs.tables import System, _check_semantics, _expected

if TYPE_CHECKING:
    from reconfig.inputs.scenario import Scenario

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
