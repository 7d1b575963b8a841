"""What the formulation builds: the Pyomo model, its index sets and shared expressions, and its named rows.

Every constraint family is one indexed Pyomo `Constraint` named after the family (`capital_limit`,
`bed_days`, …) and indexed by the family's own keys, with years as financial-year labels and zones by id
(`capital_limit["2018/19"]`, `bed_days["acute", "LRI", "2019/20"]`). `Built.families` records the key
fields of each, so diagnosis, marginal values and alternatives find rows by family name
(`labelled_rows`), and the LP file (`reconfig solve --write-lp`) reads like the formulation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from reconfig.instance.build import Instance

TRAVEL_OBJECTIVES = ("travel", "max_travel")
YEAR_FIELDS = ("t", "sold", "start")  # key fields holding a year: a label in the key, a year index in `where`


@dataclass
class Sets:
    """Index sets and shared expressions that several families use (years are indices 0..n-1 here)."""

    T: list[int]
    wanted: set[str]  # objective terms the scenario asks for
    active: list[str]  # services with demand and a possible host
    idle: list[str]
    assign: list[str]  # services with assignment variables x[z,k,s,t]
    radius: list[str]  # services solved by the radius formulation (nearest open site)
    hosts: dict[str, list[str]]
    ykeys: list[tuple[str, str, int]] = field(default_factory=list)
    with_open: list[str] = field(default_factory=list)  # sites with an open[s,t] variable
    start_of: dict[str, list[int]] = field(default_factory=dict)  # scheme -> possible start years
    starts: list[tuple[str, int]] = field(default_factory=list)
    horizon_end: int = 0  # years up to the last one any scheme can spend in
    spend: dict[int, Any] = field(default_factory=dict)  # £000 of capital by year, all schemes
    scheme_spend: dict[tuple[str, int], Any] = field(default_factory=dict)
    by_zone: dict[tuple[int, str, int], list[str]] = field(default_factory=dict)  # (zone, k, t) -> sites
    load: dict[tuple[str, str, int], Any] = field(default_factory=dict)  # demand served at (k, s, t)
    dkeys: list[tuple[str, int]] = field(default_factory=list)
    effect: dict[tuple[str, int], Any] = field(default_factory=dict)  # demand scheme in effect in year t
    reductions: dict[tuple[str, str, int], list[Any]] = field(default_factory=dict)
    bkeys: list[tuple[str, str]] = field(default_factory=list)  # (bed type, site)
    sold_keys: list[tuple[str, int]] = field(default_factory=list)
    sold_t: dict[str, list[int]] = field(default_factory=dict)
    proceeds: dict[int, Any] = field(default_factory=dict)  # £000 of disposal receipts by year
    receipts: dict[tuple[str, int], Any] = field(default_factory=dict)  # (funding source, year) -> receipts
    role_cost: dict[int, Any] = field(default_factory=dict)
    done: Callable[[str, int], Any] = lambda c, t: 0  # scheme c complete and usable in year t


@dataclass
class Built:
    """A Pyomo model plus what is needed to read its solution."""

    model: pyo.ConcreteModel
    inst: Instance
    sets: Sets
    assign_services: list[str]
    radius_services: list[str]
    pairs: dict[tuple[str, int], list[tuple[int, str]]] = field(default_factory=dict)  # (k, t) -> [(zone, site)]
    families: dict[str, tuple[str, ...]] = field(default_factory=dict)  # constraint name -> key fields
    objective_terms: dict[str, Any] = field(default_factory=dict)
    recurrent: dict[int, Any] = field(default_factory=dict)
    spend: dict[int, Any] = field(default_factory=dict)
    proceeds: dict[int, Any] = field(default_factory=dict)
    npv: Any = None
    chains: Any = None  # lazily built radius chains (travel objectives): formulation.radius.RadiusChains


class Rows(dict):
    """The rows of one family by key; a relation between constants is dropped if true, kept infeasible if false."""

    def __setitem__(self, key: Any, expr: Any) -> None:
        if expr is True:
            return
        super().__setitem__(key, pyo.Constraint.Infeasible if expr is False else expr)


@contextmanager
def family(built: Built, name: str, fields: tuple[str, ...]) -> Iterator[Rows]:
    """Collect a family's rows, then add them as the indexed Constraint `name` (keys: `fields`).

    Years in keys are labels (`inst.years[t]`); `labelled_rows` turns them back into indices."""
    rows = Rows()
    yield rows
    built.families[name] = fields
    if not fields:  # a single row, key None
        built.model.add_component(name, pyo.Constraint(expr=rows[None]) if rows else pyo.Constraint(pyo.Any))
    else:
        built.model.add_component(name, pyo.Constraint(list(rows), rule=lambda _m, *key: rows[_key(key)]))


def add_row(built: Built, name: str, fields: tuple[str, ...], key: Any, expr: Any) -> None:
    """Add one row to a family that grows during the solve (radius levels, stage bounds, no-good cuts)."""
    m = built.model
    if not hasattr(m, name):
        built.families[name] = fields
        m.add_component(name, pyo.Constraint(pyo.Any))
    if expr is True:
        return
    getattr(m, name)[key] = pyo.Constraint.Infeasible if expr is False else expr


def _key(key: tuple) -> Any:
    return key[0] if len(key) == 1 else key


def where(built: Built, name: str, key: Any) -> dict[str, Any]:
    """The key of row `name[key]` as {field: value}, years as indices, blank keys ("") as None."""
    fields = built.families[name]
    if not fields:
        return {}
    values = key if isinstance(key, tuple) else (key,)
    out: dict[str, Any] = {}
    for f, v in zip(fields, values, strict=True):
        if f in YEAR_FIELDS:
            v = built.inst.years.index(v)
        out[f] = None if v == "" else v
    return out


def labelled_rows(built: Built, families: tuple[str, ...] | set[str] | None = None
                  ) -> Iterator[tuple[Any, str, dict[str, Any]]]:
    """(row, family, where) for every row of the named families (all when None), in build order."""
    for name in built.families:
        if families is not None and name not in families:
            continue
        for key, con in getattr(built.model, name).items():
            yield con, name, where(built, name, key)
