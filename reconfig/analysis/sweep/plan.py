"""What a sweep solves: parameters (key and values), checked keys, and the points (one-way or grid)."""

from __future__ import annotations

import itertools
import types
import typing
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from reconfig.inputs.adjust import row_choices, select_rows
from reconfig.inputs.adjust_keys import check_key as check_adjust_key
from reconfig.inputs.adjust_keys import parse_key
from reconfig.inputs.errors import InputError, Problem
from reconfig.inputs.scenario import LIST_TABLES, Scenario

if TYPE_CHECKING:
    from reconfig.inputs.tables import System

MISSING = object()


@dataclass
class Parameter:
    key: str
    values: list[Any]
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.key


@dataclass
class Point:
    id: str
    index: int
    overrides: dict[str, Any]
    parameter: str | None = None  # one-way: the key varied here; None for the base point and grid points
    members: list[str] = field(default_factory=list)  # one-way: every parameter whose bar uses this point

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_value(text: str) -> Any:
    """A --vary value: none, true/false, an integer, a number, else the text itself."""
    t = text.strip()
    low = t.lower()
    if low in ("none", "null"):
        return None
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(t)
        except ValueError:
            pass
    return t


def parse_vary(text: str) -> Parameter:
    """`key=v1,v2,…` (the first `=` outside [row selector] brackets separates key and values)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "=" and depth == 0:
            key, values = text[:i].strip(), text[i + 1:]
            items = [v for v in values.split(",") if v.strip()]
            if not key or not items:
                break
            return Parameter(key, [parse_value(v) for v in items])
    raise InputError([Problem("--vary", "not KEY=V1,V2,…", value=text,
                              expected="e.g. constraints.capital_total_gbp_k=250000,300000")])


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> X."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def scenario_key_problem(key: str) -> str | None:
    """Why dotted `key` names no value of a scenario (settings only; values are checked per point)."""
    parts = key.split(".")
    model: type[BaseModel] = Scenario
    i = 0
    while i < len(parts):
        fields = {n: f for n, f in model.model_fields.items() if n != "path"}
        name = parts[i]
        where = ".".join(parts[:i + 1])
        if name not in fields:
            return f"unknown setting '{where}'; expected one of {', '.join(fields)}"
        ann = _unwrap(fields[name].annotation)
        origin = typing.get_origin(ann)
        i += 1
        rest = len(parts) - i
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if rest == 0:
                return f"'{where}' is a table; name one of its settings, e.g. {where}.{next(iter(ann.model_fields))}"
            model = ann
        elif origin is dict:
            return None if rest == 1 else f"'{where}' takes one key below it, e.g. {where}.<name>"
        elif origin is list and name in LIST_TABLES:
            item = typing.get_args(ann)[0]
            if rest < 2:
                return f"'{where}' entries are named by {LIST_TABLES[name]}: use {where}.<{LIST_TABLES[name]}>.<field>"
            model, i = item, i + 1
        elif rest:
            return f"'{where}' is a single value and has no '{parts[i]}'"
        else:
            return None
    return None


def base_system(scenario: Scenario) -> System:
    """The scenario's input tables with its own [adjust] applied: what adjustment keys change."""
    from reconfig.inputs.adjust import apply_adjustments
    from reconfig.inputs.tables import load_system

    system = load_system(scenario.data_dir)
    return apply_adjustments(system, scenario) if scenario.adjust else system


def check_keys(scenario: Scenario, params: list[Parameter]) -> System | None:
    """Every parameter names a scenario value or an adjustable input-table column with matching rows.
    Returns the base input tables when an adjustment key needed them."""
    where = str(scenario.path)
    problems: list[Problem] = []
    system = None
    seen: set[str] = set()
    for p in params:
        if p.key in seen:
            problems.append(Problem(where, "the same key is varied twice", column=p.key,
                                    expected="each key once, with all its values"))
        seen.add(p.key)
        if not p.values:
            problems.append(Problem(where, "no values to try", column=p.key, expected="at least one value"))
        if any(same_value(a, b) for i, a in enumerate(p.values) for b in p.values[:i]):
            problems.append(Problem(where, "a value is listed twice", column=p.key, value=p.values,
                                    expected="each value once"))
        if p.key.startswith("adjust."):
            try:
                adj = parse_key(p.key.removeprefix("adjust."))
            except ValueError as e:
                problems.append(Problem(where, str(e), column=p.key))
                continue
            reason = check_adjust_key(adj)
            if reason is None:
                system = system or base_system(scenario)
                if not select_rows(system[adj.table], adj).any():
                    problems.append(Problem(where, "no row of the table matches the row selector", column=p.key,
                                            expected=f"{row_choices(system[adj.table], adj)} (in "
                                            f"{system.files[adj.table]})"))
                    continue
        else:
            reason = scenario_key_problem(p.key)
        if reason:
            problems.append(Problem(where, reason, column=p.key))
    if problems:
        raise InputError(problems)
    return system


def base_value(scenario: Scenario, key: str) -> Any:
    """The scenario's own value at `key` (MISSING when it cannot be told, e.g. an absent [adjust] key)."""
    if key.startswith("adjust."):
        return scenario.adjust.get(key.removeprefix("adjust."), MISSING)
    node: Any = scenario
    parts = key.split(".")
    i = 0
    while i < len(parts):
        p = parts[i]
        if isinstance(node, BaseModel):
            node = getattr(node, p, MISSING)
        elif isinstance(node, dict):
            node = node.get(p, MISSING)
        else:
            return MISSING
        if isinstance(node, list) and p in LIST_TABLES and i + 1 < len(parts):
            named = [e for e in node if getattr(e, LIST_TABLES[p], None) == parts[i + 1]]
            if not named:
                return MISSING
            node, i = named[0], i + 1
        if node is MISSING:
            return MISSING
        i += 1
    return node


def same_value(a: Any, b: Any) -> bool:
    """Equal as settings: 1 == 1.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _is_base(scenario: Scenario, key: str, value: Any, system: System | None) -> bool:
    """Whether setting `key` to `value` leaves the scenario as it is."""
    base = base_value(scenario, key)
    if base is MISSING and key.startswith("adjust."):
        adj = parse_key(key.removeprefix("adjust."))
        if adj.op != "set":  # multiplying by 1 or adding 0
            return same_value(value, 1 if adj.op == "multiply" else 0)
        if system is None or not isinstance(value, int | float) or isinstance(value, bool):
            return False
        cells = system[adj.table].loc[select_rows(system[adj.table], adj), adj.column]
        return all(c is not None and float(c) == float(value) for c in cells)  # already the value everywhere
    return base is not MISSING and same_value(base, value)


def plan_points(scenario: Scenario, params: list[Parameter], grid: bool, system: System | None = None) -> list[Point]:
    """One-way: the base point, then each value of each parameter with the others at base (a value equal to
    the base is the base point). Grid: the Cartesian product of all values. `system`: the base input tables,
    to recognise an adjustment that changes nothing."""
    if grid:
        points = []
        for i, combo in enumerate(itertools.product(*(p.values for p in params))):
            overrides = {p.key: v for p, v in zip(params, combo, strict=True)
                         if not _is_base(scenario, p.key, v, system)}
            points.append(Point(f"p{i:04d}", i, overrides))
        return points
    base = Point("p0000", 0, {}, None, [])
    points = [base]
    for p in params:
        for v in p.values:
            if _is_base(scenario, p.key, v, system):
                base.members.append(p.key)
                continue
            points.append(Point(f"p{len(points):04d}", len(points), {p.key: v}, p.key, [p.key]))
    return points
