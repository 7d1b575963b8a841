"""The numeric instance a model is built from: indices, projected demand, travel times, schemes, money."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reconfig.inputs.adjust import apply_adjustments
from reconfig.inputs.errors import ProblemLog
from reconfig.inputs.roles import RoleData, role_data
from reconfig.inputs.scenario import Scenario
from reconfig.inputs.tables import System, check_years, load_system
from reconfig.instance.demand import growth_index, project_demand
from reconfig.travel import travel_times


@dataclass
class Service:
    id: str
    name: str
    bed_type: str | None
    fixed_cost: float
    variable_cost_gbp: float
    mode: str
    max_minutes: float | None
    coverage_minutes: float | None
    coverage_share: float | None
    min_volume: float | None
    max_volume: float | None
    min_sites: int | None
    max_sites: int | None
    closest: bool
    single_source: bool
    los: float


@dataclass
class Scheme:
    id: str
    site: str
    programme: str
    profile: dict[int, float]
    lead: int
    earliest: int
    latest: int
    mandatory: bool
    group: str | None
    saving: float
    enables: list[tuple[str, str]] = field(default_factory=list)  # (service, site)
    capacity: dict[str, float] = field(default_factory=dict)  # site -> beds added


@dataclass
class Instance:
    scenario: Scenario
    system: System
    years: list[str]
    sites: list[str]
    zones: list[str]
    services: dict[str, Service]
    bed_types: pd.DataFrame  # indexed by bed_type
    site_info: pd.DataFrame  # indexed by site_id
    population: np.ndarray  # zones
    demand: dict[str, np.ndarray]  # service -> zones × years
    times: dict[str, pd.DataFrame]  # mode -> zones × sites minutes
    today: set[tuple[str, str]]  # (service, site)
    base_can: set[tuple[str, str]]
    hostable: set[tuple[str, str]]
    beds_today: dict[tuple[str, str], int]  # (bed_type, site)
    schemes: dict[str, Scheme]
    prereqs: list[tuple[str, str, str]]
    demand_schemes: pd.DataFrame
    dscheme_costs: dict[str, dict[int, float]]
    funding_year: dict[tuple[str, str], float]
    funding_total: dict[str, float]
    eligible: dict[str, set[str]]  # funding -> schemes
    disposals: pd.DataFrame
    rules: pd.DataFrame
    options: pd.DataFrame
    roles: RoleData = field(default_factory=RoleData)

    @property
    def site_col(self) -> dict[str, int]:
        """Column of each site in the travel-time frames."""
        return {s: j for j, s in enumerate(self.sites)}

    def tt(self, k: str) -> pd.DataFrame:
        return self.times[self.services[k].mode]



def _none(v: object) -> object:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) or v == "" else v


def build_instance(scenario: Scenario, system: System | None = None,
                   times: dict[str, pd.DataFrame] | None = None) -> Instance:
    """Validate the data against the scenario and assemble everything the model needs."""
    system = system or load_system(scenario.data_dir)
    if scenario.adjust:
        system = apply_adjustments(system, scenario)
    log = ProblemLog()
    check_years(system, scenario.base_year, scenario.horizon, log)
    log.raise_if_any()
    years = list(scenario.horizon)
    sites_df = system["sites"].set_index("site_id")
    zones_df = system["zones"]
    overrides = {a.service: a for a in scenario.access}
    known = set(system["services"]["service_id"])
    for i, a in enumerate(scenario.access):
        if a.service not in known:
            log.add(str(scenario.path), f"access rule names unknown service '{a.service}'",
                    column=f"access.{i}.service", value=a.service, expected="a service_id from services.csv")
    rules = rules_in_force(system, scenario, log)
    log.raise_if_any()
    los = system["demand"].set_index("service_id")["los_days"].to_dict()
    services: dict[str, Service] = {}
    for r in system["services"].itertuples():
        o = overrides.get(r.service_id)

        def pick(attr: str, col: object, o=o) -> object:
            v = getattr(o, attr, None) if o else None
            return _none(col) if v is None else v

        services[r.service_id] = Service(
            r.service_id, r.name, _none(r.bed_type), float(r.fixed_cost_gbp_k), float(r.variable_cost_gbp or 0),
            pick("mode", r.access_mode) or "car", pick("max_minutes", r.access_max_minutes),
            pick("coverage_minutes", r.coverage_minutes), pick("coverage_share", r.coverage_share),
            _none(r.min_volume), _none(r.max_volume), _none(r.min_sites), _none(r.max_sites),
            bool(pick("closest_assignment", r.closest_assignment)), bool(r.single_source),
            float(_none(los.get(r.service_id)) or 0.0))
    ks = list(services)
    rates = system["demand"].set_index("service_id")["rate_per_1000"].astype(float).reindex(ks).fillna(0).to_numpy()
    gidx = growth_index(system["growth"], ks, years).to_numpy()
    pop = zones_df["population"].astype(float).to_numpy()
    dem = project_demand(pop, rates, gidx)
    demand = {k: dem[:, i, :] for i, k in enumerate(ks)}

    if times is None:
        modes = {s.mode for s in services.values()}
        times = travel_times(zones_df[["zone_id", "lat", "lon", "_row"]],
                             system["sites"][["site_id", "lat", "lon", "_row"]],
                             scenario.travel, scenario.data_dir, modes)
    ss = system["site_services"]
    today = {(r.service_id, r.site_id) for r in ss.itertuples() if r.today}
    base_can = today | {(r.service_id, r.site_id) for r in ss.itertuples() if r.can_host}

    costs: dict[str, dict[int, float]] = defaultdict(dict)
    for r in system["scheme_costs"].itertuples():
        costs[r.scheme_id][int(r.year_offset)] = float(r.cost_gbp_k)
    schemes: dict[str, Scheme] = {}
    last = len(years) - 1
    for r in system["schemes"].itertuples():
        schemes[r.scheme_id] = Scheme(
            r.scheme_id, r.site_id, r.programme, costs.get(r.scheme_id, {}), int(r.lead_years),
            years.index(r.earliest_start) if _none(r.earliest_start) else 0,
            years.index(r.latest_start) if _none(r.latest_start) else last,
            bool(r.mandatory), _none(r.exclusive_group), float(r.recurrent_saving_gbp_k or 0))
    for r in system["scheme_effects"].itertuples():
        sc = schemes[r.scheme_id]
        site = _none(r.site_id) or sc.site
        if r.effect == "enable_service":
            sc.enables.append((r.service_id, site))
        else:
            sc.capacity[site] = sc.capacity.get(site, 0.0) + float(r.amount)
    hostable = base_can | {e for sc in schemes.values() for e in sc.enables}

    funding_year: dict[tuple[str, str], float] = {}
    funding_total: dict[str, float] = {}
    for r in system["funding"].itertuples():
        if r.year == "total":
            funding_total[r.funding_id] = float(r.available_gbp_k)
        else:
            funding_year[(r.funding_id, r.year)] = float(r.available_gbp_k)
    eligible: dict[str, set[str]] = defaultdict(set)
    for r in system["funding_eligibility"].itertuples():
        eligible[r.funding_id] |= set(schemes) if r.scheme_id == "*" else {r.scheme_id}
    dcosts: dict[str, dict[int, float]] = defaultdict(dict)
    for r in system["demand_scheme_costs"].itertuples():
        dcosts[r.scheme_id][int(r.year_offset)] = float(r.cost_gbp_k)

    return Instance(
        scenario=scenario, system=system, years=years, sites=list(sites_df.index), zones=list(zones_df["zone_id"]),
        services=services, bed_types=system["bed_types"].set_index("bed_type"), site_info=sites_df,
        population=pop, demand=demand, times=times, today=today, base_can=base_can, hostable=hostable,
        beds_today={(r.bed_type, r.site_id): int(r.beds) for r in system["beds_today"].itertuples()},
        schemes=schemes, prereqs=[(r.scheme_id, r.requires_scheme_id, r.kind)
                                  for r in system["scheme_prereqs"].itertuples()],
        demand_schemes=system["demand_schemes"], dscheme_costs=dict(dcosts), funding_year=funding_year,
        funding_total=funding_total, eligible=dict(eligible), disposals=system["disposals"],
        rules=rules, options=system["options"], roles=role_data(system))


def rules_in_force(system: System, scenario: Scenario, log: ProblemLog) -> pd.DataFrame:
    """rules.csv without the groups the scenario switches off (`[constraints] rules_off`)."""
    rules = system["rules"]
    groups = set(rules["group"].dropna()) - {""}
    for i, g in enumerate(scenario.constraints.rules_off):
        if g not in groups:
            log.add(str(scenario.path), f"rules_off names unknown rule group '{g}'",
                    column=f"constraints.rules_off.{i}", value=g,
                    expected=f"a group listed in {system.files['rules']}: {', '.join(sorted(groups)) or 'none'}")
    return rules[~rules["group"].isin(scenario.constraints.rules_off)]
