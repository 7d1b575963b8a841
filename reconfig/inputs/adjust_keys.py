"""The syntax of scenario `[adjust]` keys (table.column[rows]op): parsing and checking against the schema.

Applying adjustments to the tables is reconfig/inputs/adjust.py; the key syntax is documented there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reconfig.inputs.schema import TABLE_BY_NAME

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
