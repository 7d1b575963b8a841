"""Scenario files (TOML): which data, horizon, objective, constraint settings, options and sweeps."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reconfig.inputs.adjust_keys import flatten, parse_key
from reconfig.inputs.errors import InputError, Problem

FY = re.compile(r"^(\d{4})/(\d{2})$")
OBJECTIVES = ("npv_cost", "travel", "max_travel", "coverage", "change", "savings", "capital")


def fy_start(label: str) -> int:
    """Calendar year a financial-year label starts in: ``2017/18`` -> 2017."""
    m = FY.match(label)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"{label!r} is not a financial year like 2017/18")
    return int(m.group(1))


def fy_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Objective(Strict):
    """Weighted sum of objectives (`weights`) or a lexicographic order (`lexicographic`).

    Units: npv_cost £000; travel and max_travel minutes; coverage share (0–1, maximised);
    change service moves; savings £000 (maximised); capital £000 (gross). A lexicographic order optimises each in
    turn, holding earlier ones within `tolerance` (relative) of their optimum.
    """

    weights: dict[str, float] = Field(default_factory=lambda: {"npv_cost": 1.0})
    lexicographic: list[str] = Field(default_factory=list)
    tolerance: float = Field(default=1e-4, ge=0)

    @field_validator("weights")
    @classmethod
    def _known_weights(cls, v: dict[str, float]) -> dict[str, float]:
        for k in v:
            if k not in OBJECTIVES:
                raise ValueError(f"unknown objective {k!r}; choose from {', '.join(OBJECTIVES)}")
        return v

    @field_validator("lexicographic")
    @classmethod
    def _known_lex(cls, v: list[str]) -> list[str]:
        for k in v:
            if k not in OBJECTIVES:
                raise ValueError(f"unknown objective {k!r}; choose from {', '.join(OBJECTIVES)}")
        return v


class Constraints(Strict):
    capital_limit_gbp_k: dict[str, float] = Field(default_factory=dict,
                                                  description="net capital (spend − disposal receipts) per year")
    capital_total_gbp_k: float | None = Field(default=None, ge=0)
    savings_target_gbp_k: float | None = Field(default=None, description="recurrent saving vs do-nothing")
    savings_year: str | None = None
    fixed_until: str | None = Field(default=None, description="configuration stays as today before this year")
    monotone_closures: bool = False
    max_ward_changes_per_year: int | None = Field(default=None, ge=0)
    bed_granularity: Literal["bed", "ward"] = "bed"
    allow_unmet: bool = False
    unmet_penalty_gbp_k: float = Field(default=100.0, ge=0, description="per unit of demand not served")
    rules_off: list[str] = Field(default_factory=list, description="rule groups (rules.csv `group`) not applied")


class AccessRule(Strict):
    service: str
    mode: Literal["car", "blue_light", "public_transport"] | None = None
    max_minutes: float | None = Field(default=None, gt=0)
    coverage_minutes: float | None = Field(default=None, gt=0)
    coverage_share: float | None = Field(default=None, ge=0, le=1)
    closest_assignment: bool | None = None


class Finance(Strict):
    discount_rate: float = Field(default=0.035, ge=0, le=0.5)
    capital_charge_rate: float = Field(default=0.0, ge=0, le=1,
                                       description="recurrent charge per £ of capital spent (PDC + depreciation)")
    steady_state_years: int = Field(default=0, ge=0,
                                    description="years after the horizon valued at the final year's recurrent cost")


TravelMode = Literal["car", "blue_light", "public_transport"]
TravelMethod = Literal["geodesic", "network", "matrix"]


class Travel(Strict):
    """How travel times are obtained; interpreted by reconfig.travel (reference: docs/travel.md).

    `method` applies to car and blue_light unless `modes` overrides it; public_transport
    always comes from the imported matrix. Paths are relative to the data folder.
    """

    method: TravelMethod = "geodesic"
    modes: dict[TravelMode, TravelMethod] = Field(default_factory=dict, description="per-mode method override")
    # geodesic method: straight-line distance x circuity / speed
    speed_kph: float = Field(default=50.0, gt=0, description="car speed for the geodesic method, km/h")
    circuity: float = Field(default=1.3, ge=1, description="road distance / straight-line distance (geodesic)")
    blue_light_factor: float = Field(default=1.2, gt=0, description="blue-light speed / car speed")
    # imported matrix
    matrix: str = Field(default="travel_times.csv", description="long CSV: zone_id, site_id, mode, minutes")
    # road network
    network: str = Field(default="roads", description="folder with nodes.csv, edges.csv, speeds.csv, or a .graphml")
    speeds: str | None = Field(default=None, description="speed table (default: speeds.csv beside the network)")
    blue_light_speeds: str | None = Field(default=None, description="blue-light speed table (else factor x car)")
    road_speeds_kph: dict[str, float] = Field(default_factory=dict, description="override speeds by road class")
    access_speed_kph: float = Field(default=30.0, gt=0, description="speed from a zone or site to its node")
    access_circuity: float = Field(default=1.3, ge=1, description="circuity of the access leg")
    max_snap_km: float = Field(default=20.0, gt=0, description="farthest a zone or site may be from its node")
    allow_disconnected: bool = Field(default=False, description="snap only to the largest component instead of "
                                     "reporting other components as errors")
    cache: bool = Field(default=True, description="reuse matrices cached on disk")

    @field_validator("road_speeds_kph")
    @classmethod
    def _positive_speeds(cls, v: dict[str, float]) -> dict[str, float]:
        for k, speed in v.items():
            if not speed > 0:
                raise ValueError(f"speed for road class {k!r} must be > 0 km/h, got {speed}")
        return v

    @model_validator(mode="after")
    def _public_transport_is_imported(self) -> Travel:
        if self.modes.get("public_transport", "matrix") != "matrix":
            raise ValueError("public_transport times can only come from an imported matrix (method 'matrix')")
        return self

    def method_for(self, mode: str) -> str:
        """The method that provides `mode`."""
        if mode == "public_transport":
            return "matrix"
        return self.modes.get(mode, self.method)  # type: ignore[call-overload]


class Sweep(Strict):
    """One swept input: a dotted scenario key (or `adjust.<table.column…>`) and its values (docs/sweep.md)."""

    key: str
    values: list[Any] = Field(min_length=1)
    label: str | None = Field(default=None, description="name shown in tables and the tornado (default: key)")


class Solver(Strict):
    time_limit: float | None = Field(default=None, gt=0)
    mip_gap: float = Field(default=1e-4, ge=0)
    threads: int | None = Field(default=None, ge=1)
    options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="HiGHS options passed through, e.g. {presolve = \"off\"}")


class Future(Strict):
    """A named demand future for `reconfig robust` (docs/analysis.md). Demand in horizon year t (t = 0 first) is
    the scenario's demand × demand_factor × (1 + growth_pct/100)^(t+1) × service_factor[service]."""

    name: str = Field(min_length=1)
    description: str = ""
    probability: float | None = Field(default=None, ge=0, le=1)
    demand_factor: float = Field(default=1.0, gt=0, description="level multiplier on all demand")
    growth_pct: float = Field(default=0.0, gt=-100, description="extra growth per year, compounding from base_year")
    service_factor: dict[str, float] = Field(default_factory=dict, description="activity shift by service")

    @field_validator("name")
    @classmethod
    def _not_base(cls, v: str) -> str:
        if v == "base":
            raise ValueError("'base' is the scenario's own demand; give this future another name")
        return v

    @field_validator("service_factor")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        for k, f in v.items():
            if not f > 0:
                raise ValueError(f"service_factor for {k!r} must be > 0, got {f}")
        return v


class Uncertainty(Strict):
    """Distributions of `reconfig robust --draws N`: per draw, extra growth per year ~ Normal(growth_mean_pct,
    growth_sd_pct) and per service an activity-shift factor ~ LogNormal(0, shift_sd)."""

    growth_mean_pct: float = 0.0
    growth_sd_pct: float = Field(default=0.5, ge=0)
    shift_sd: float = Field(default=0.05, ge=0)


class Scenario(Strict):
    name: str
    description: str = ""
    data: str
    base_year: str
    horizon: list[str]
    option: str | None = Field(default=None, description="named option to fix (from options.csv)")
    objective: Objective = Field(default_factory=Objective)
    constraints: Constraints = Field(default_factory=Constraints)
    finance: Finance = Field(default_factory=Finance)
    access: list[AccessRule] = Field(default_factory=list)
    travel: Travel = Field(default_factory=Travel)
    sweep: list[Sweep] = Field(default_factory=list)
    solver: Solver = Field(default_factory=Solver)
    future: list[Future] = Field(default_factory=list, description="named demand futures ([[future]])")
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    adjust: dict[str, float] = Field(default_factory=dict, description="changes to input-table numbers "
                                     "(reconfig/inputs/adjust.py, docs/sweep.md)")
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("adjust", mode="before")
    @classmethod
    def _adjust_keys(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        flat = flatten(v)
        for key in flat:
            parse_key(key)  # a ValueError becomes a located validation error
        return flat

    @field_validator("base_year")
    @classmethod
    def _fy(cls, v: str) -> str:
        fy_start(v)
        return v

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("horizon needs at least one year")
        starts = [fy_start(y) for y in v]
        if starts != list(range(starts[0], starts[0] + len(starts))):
            raise ValueError("horizon years must be consecutive, in order")
        return v

    @model_validator(mode="after")
    def _years_in_horizon(self) -> Scenario:
        if fy_start(self.base_year) >= fy_start(self.horizon[0]):
            raise ValueError("base_year must come before the first horizon year")
        c = self.constraints
        for label in [*c.capital_limit_gbp_k, c.savings_year, c.fixed_until]:
            if label is not None and label not in self.horizon:
                raise ValueError(f"year {label!r} is not in the horizon {self.horizon}")
        if c.savings_target_gbp_k is not None and c.savings_year is None:
            c.savings_year = self.horizon[-1]
        names = [f.name for f in self.future]
        if len(set(names)) < len(names):
            raise ValueError(f"future names must be unique, got {names}")
        return self

    @property
    def data_dir(self) -> Path:
        base = self.path.parent if self.path else Path.cwd()
        return (base / self.data).resolve()


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario file; `overrides` maps dotted keys to values (sweeps, --vary)."""
    path = Path(path)
    name = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(name, "scenario file not found")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InputError([Problem(name, f"not valid TOML: {e}")]) from None
    for key, value in (overrides or {}).items():
        set_dotted(raw, key, value)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as e:
        raise InputError([
            Problem(name, err["msg"], column=".".join(str(p) for p in err["loc"]) or None,
                    value=err.get("input") if not isinstance(err.get("input"), dict) else None)
            for err in e.errors()
        ]) from None
    scenario.path = path.resolve()
    if not scenario.data_dir.is_dir():
        raise InputError([Problem(name, "data folder not found", column="data", value=scenario.data)])
    return scenario


def set_dotted(raw: dict[str, Any], key: str, value: Any) -> None:
    """Set ``a.b.c`` in a nested dict, creating tables as needed.

    ``access.<service>.<field>`` sets a field of the [[access]] rule for that service (added if absent);
    ``adjust.<table.column…>`` sets one key of the [adjust] table (its keys contain dots).
    """
    if key.startswith("adjust."):
        table = raw.get("adjust") or {}
        if not isinstance(table, dict):
            raise InputError([Problem("--vary", "the scenario's adjust is not a table", column="adjust")])
        raw["adjust"] = {**flatten(table), key.removeprefix("adjust."): value}
        return
    parts = key.split(".")
    node: Any = raw
    for i, p in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = _list_entry(node, parts[i - 1], p)
        elif i == 0 and p in LIST_TABLES:
            node = node.setdefault(p, [])
        else:
            node = node.setdefault(p, {})
        if not isinstance(node, dict | list):
            raise InputError([Problem("--vary", f"{key!r} does not name a scenario table", value=key)])
    if isinstance(node, list):
        raise InputError([Problem("--vary", f"{key!r} names a list, not a value", value=key,
                                  expected=f"{key}.<field>")])
    node[parts[-1]] = value


LIST_TABLES = {"access": "service"}  # arrays of tables reachable by dotted keys, and the field naming an entry


def _list_entry(entries: list[Any], table: str, name: str) -> dict[str, Any]:
    """The entry of [[table]] named `name` (e.g. the [[access]] rule of a service), added when absent."""
    field = LIST_TABLES[table]
    for entry in entries:
        if isinstance(entry, dict) and entry.get(field) == name:
            return entry
    entries.append({field: name})
    return entries[-1]
