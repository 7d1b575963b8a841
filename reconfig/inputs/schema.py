"""The input tables: one declaration per table, the single source of truth for
loading, validation and the input-format reference (docs/input-format.md is generated from it).

Conventions: identifiers are short strings; money is £000 (`_gbp_k`) unless the column
says otherwise; years are financial-year labels such as ``2017/18``; booleans are
``true/false`` (also ``1/0``, ``yes/no``); list cells are separated by ``;``.
Every table has a ``source`` column: a register reference ``NNN:L123`` (document id and
line of the plain-text copy, see seeds/) or ``assumption:<id>`` defined in assumptions.csv.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "str", "int", "float", "bool", "year", "year_or_total", "enum", "idlist", "source"]

SITE_KINDS = ("acute", "community", "hub", "candidate", "other")
MODES = ("car", "blue_light", "public_transport")
RULES = ("requires", "excludes", "must", "forbid")
SCHEME_EFFECTS = ("enable_service", "add_capacity")
PREREQ_KINDS = ("start_after_done", "done_with")
OPTION_ITEMS = ("service", "scheme_start", "no_scheme", "beds", "disposal", "demand_scheme_start", "role")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    doc: str
    required: bool = True
    ref: str | None = None  # "table.column" the value must exist in ("*" allowed where wildcard)
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()
    wildcard: bool = False  # "*" means "all"
    default: object = None


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that must be unique together
    optional: bool = False
    columns_by_name: dict[str, Column] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns_by_name", {c.name: c for c in self.columns})


SOURCE = Column("source", "source", "register reference `NNN:L123` or `assumption:<id>`")


def _c(*args, **kw) -> Column:
    return Column(*args, **kw)


TABLES: tuple[Table, ...] = (
    Table("assumptions", "Every figure not taken from a source document, with its justification.", (
        _c("assumption_id", "id", "identifier used as `assumption:<id>` in source cells"),
        _c("description", "str", "what is assumed"),
        _c("basis", "str", "why: the public fact, national figure or reasoning behind it"),
    ), key=("assumption_id",)),
    Table("sites", "Acute and community hospitals, hubs and candidate new sites.", (
        _c("site_id", "id", "short identifier"),
        _c("name", "str", "full name"),
        _c("kind", "enum", "site kind", choices=SITE_KINDS),
        _c("lat", "float", "latitude, WGS84 degrees", minimum=-90, maximum=90),
        _c("lon", "float", "longitude, WGS84 degrees", minimum=-180, maximum=180),
        _c("owner", "str", "organisation that owns or runs the site"),
        _c("open_today", "bool", "whether the site operates in the base year"),
        _c("bed_capacity", "int", "physical bed spaces available without capital works", minimum=0),
        _c("fixed_cost_gbp_k", "float", "fixed running cost per year while open, £000", minimum=0),
        SOURCE,
    ), key=("site_id",)),
    Table("bed_types", "Bed types, their ward module and cost.", (
        _c("bed_type", "id", "identifier"),
        _c("name", "str", "description"),
        _c("ward_size", "int", "beds per ward module", minimum=1),
        _c("occupancy", "float", "target occupancy (share of bed-days used)", minimum=0, maximum=1,
           exclusive_minimum=True),
        _c("cost_per_bed_gbp_k", "float", "running cost per staffed bed-year, £000", minimum=0),
        _c("cost_per_ward_gbp_k", "float", "fixed cost per open ward module per year, £000", minimum=0,
           required=False, default=0.0),
        SOURCE,
    ), key=("bed_type",)),
    Table("services", "Services that can be provided at a site.", (
        _c("service_id", "id", "identifier"),
        _c("name", "str", "description"),
        _c("demand_unit", "str", "unit of demand (attendances, births, admissions, appointments…)"),
        _c("bed_type", "id", "bed type used (blank: no beds)", required=False, ref="bed_types.bed_type"),
        _c("fixed_cost_gbp_k", "float", "fixed cost per site-year while provided, £000", minimum=0),
        _c("variable_cost_gbp", "float", "cost per unit of demand, £", minimum=0, required=False, default=0.0),
        _c("access_mode", "enum", "travel mode the access standard uses", choices=MODES, required=False,
           default="car"),
        _c("access_max_minutes", "float", "hard limit: no zone assigned further than this", minimum=0,
           exclusive_minimum=True, required=False),
        _c("coverage_minutes", "float", "coverage threshold", minimum=0, exclusive_minimum=True, required=False),
        _c("coverage_share", "float", "share of population to be within coverage_minutes", minimum=0,
           maximum=1, required=False),
        _c("min_volume", "float", "minimum units per year at any site providing it", minimum=0, required=False),
        _c("max_volume", "float", "maximum units per year at one site", minimum=0, exclusive_minimum=True,
           required=False),
        _c("min_sites", "int", "fewest sites providing it", minimum=0, required=False),
        _c("max_sites", "int", "most sites providing it", minimum=0, required=False),
        _c("closest_assignment", "bool", "patients go to the nearest open site", required=False, default=False),
        _c("single_source", "bool", "each zone served by exactly one site", required=False, default=False),
        SOURCE,
    ), key=("service_id",)),
    Table("site_services", "Which site provides which service today and which could host it.", (
        _c("site_id", "id", "site", ref="sites.site_id"),
        _c("service_id", "id", "service", ref="services.service_id"),
        _c("today", "bool", "provided in the base year"),
        _c("can_host", "bool", "could be provided without a capital scheme"),
        SOURCE,
    ), key=("site_id", "service_id")),
    Table("beds_today", "Beds open in the base year by site and type.", (
        _c("site_id", "id", "site", ref="sites.site_id"),
        _c("bed_type", "id", "bed type", ref="bed_types.bed_type"),
        _c("beds", "int", "beds", minimum=0),
        SOURCE,
    ), key=("site_id", "bed_type")),
    Table("zones", "Demand zones: where residents live.", (
        _c("zone_id", "id", "identifier"),
        _c("name", "str", "name"),
        _c("group", "str", "administrative group (CCG, district) for reporting and totals"),
        _c("lat", "float", "population-weighted centroid latitude", minimum=-90, maximum=90),
        _c("lon", "float", "population-weighted centroid longitude", minimum=-180, maximum=180),
        _c("population", "int", "residents in the base year", minimum=0),
        SOURCE,
    ), key=("zone_id",)),
    Table("zone_attributes", "Optional zone characteristics for equality-impact breakdowns.", (
        _c("zone_id", "id", "zone", ref="zones.zone_id"),
        _c("imd_quintile", "int", "Index of Multiple Deprivation quintile (1 = most deprived fifth)",
           minimum=1, maximum=5),
        _c("rurality", "enum", "urban or rural", choices=("urban", "rural")),
        _c("over65_pct", "float", "residents aged 65 and over, %", minimum=0, maximum=100),
        SOURCE,
    ), key=("zone_id",), optional=True),
    Table("demand", "Demand rate and length of stay by service.", (
        _c("service_id", "id", "service", ref="services.service_id"),
        _c("rate_per_1000", "float", "units per 1,000 residents per year in the base year", minimum=0),
        _c("los_days", "float", "bed-days per unit (required where the service uses beds)", minimum=0,
           required=False),
        SOURCE,
    ), key=("service_id",)),
    Table("growth", "Demand growth and activity shift by year ('*' = every service).", (
        _c("year", "year", "financial year the factors apply to"),
        _c("service_id", "id", "service or '*'", ref="services.service_id", wildcard=True),
        _c("demographic_pct", "float", "demographic growth this year over last, %", minimum=-50, maximum=50),
        _c("non_demographic_pct", "float", "non-demographic growth this year over last, %", minimum=-50,
           maximum=50),
        _c("activity_shift_pct", "float", "level change against the base year from shifting activity "
           "(e.g. -30), %; not compounded; holds in later years until another row changes it",
           minimum=-100, maximum=100, required=False, default=0.0),
        SOURCE,
    ), key=("year", "service_id"), optional=True),
    Table("schemes", "Capital schemes.", (
        _c("scheme_id", "id", "identifier"),
        _c("name", "str", "name"),
        _c("site_id", "id", "site it is built on", ref="sites.site_id"),
        _c("programme", "str", "programme for reporting (acute, community…)"),
        _c("total_cost_gbp_k", "float", "total capital cost, £000 (the cost profile must add up to it)",
           minimum=0),
        _c("lead_years", "int", "years from start until usable (0: usable in the start year)", minimum=0),
        _c("earliest_start", "year", "earliest start year", required=False),
        _c("latest_start", "year", "latest start year", required=False),
        _c("mandatory", "bool", "must be started within the horizon", required=False, default=False),
        _c("exclusive_group", "str", "at most one scheme of a group is started", required=False),
        _c("recurrent_saving_gbp_k", "float", "recurrent saving once usable, £000 a year (savings not "
           "already produced by the configuration and bed costs)", minimum=0, required=False, default=0.0),
        SOURCE,
    ), key=("scheme_id",)),
    Table("scheme_costs", "Capital cost profile: cost in each year counted from the start year (offset 0).", (
        _c("scheme_id", "id", "scheme", ref="schemes.scheme_id"),
        _c("year_offset", "int", "years after start", minimum=0),
        _c("cost_gbp_k", "float", "capital, £000", minimum=0),
        SOURCE,
    ), key=("scheme_id", "year_offset")),
    Table("scheme_effects", "What a scheme does once usable.", (
        _c("scheme_id", "id", "scheme", ref="schemes.scheme_id"),
        _c("effect", "enum", "enable_service (service may run at the site) or add_capacity (physical beds)",
           choices=SCHEME_EFFECTS),
        _c("site_id", "id", "site affected (blank: the scheme's site)", required=False, ref="sites.site_id"),
        _c("service_id", "id", "service enabled (enable_service)", required=False, ref="services.service_id"),
        _c("amount", "float", "beds added (add_capacity; negative removes)", required=False),
        SOURCE,
    ), key=("scheme_id", "effect", "site_id", "service_id")),
    Table("scheme_prereqs", "Scheme dependencies.", (
        _c("scheme_id", "id", "dependent scheme", ref="schemes.scheme_id"),
        _c("requires_scheme_id", "id", "scheme it depends on", ref="schemes.scheme_id"),
        _c("kind", "enum", "start_after_done: may start only once the other is usable; done_with: usable "
           "only when the other is", choices=PREREQ_KINDS),
        SOURCE,
    ), key=("scheme_id", "requires_scheme_id")),
    Table("demand_schemes", "Revenue-funded schemes that reduce demand.", (
        _c("scheme_id", "id", "identifier"),
        _c("name", "str", "name"),
        _c("service_id", "id", "service whose demand falls ('*' = all bedded services)",
           ref="services.service_id", wildcard=True),
        _c("reduction_pct", "float", "demand reduction once effective, %", minimum=0, maximum=100),
        _c("effect_lag_years", "int", "years from start until the reduction applies", minimum=0),
        _c("recurrent_cost_gbp_k", "float", "running cost per year while effective, £000", minimum=0,
           required=False, default=0.0),
        _c("mandatory", "bool", "must be started", required=False, default=False),
        SOURCE,
    ), key=("scheme_id", "service_id"), optional=True),
    Table("demand_scheme_ramp", "How a demand scheme's reduction builds up: the share of reduction_pct reached in "
          "each year after its effect starts (offset 0 = the first effective year); later years keep the last "
          "share. Without rows the full reduction applies from the first effective year.", (
        _c("scheme_id", "id", "demand scheme", ref="demand_schemes.scheme_id"),
        _c("year_offset", "int", "years after the effect starts", minimum=0),
        _c("share_pct", "float", "share of the full reduction reached that year, %", minimum=0, maximum=100),
        SOURCE,
    ), key=("scheme_id", "year_offset"), optional=True),
    Table("demand_scheme_costs", "Non-recurrent cost of a demand scheme by year from its start.", (
        _c("scheme_id", "id", "demand scheme", ref="demand_schemes.scheme_id"),
        _c("year_offset", "int", "years after start", minimum=0),
        _c("cost_gbp_k", "float", "cost, £000", minimum=0),
        SOURCE,
    ), key=("scheme_id", "year_offset"), optional=True),
    Table("funding", "Capital available by source and year ('total' = cap over the horizon).", (
        _c("funding_id", "id", "funding source"),
        _c("name", "str", "description"),
        _c("year", "year_or_total", "financial year, or 'total'"),
        _c("available_gbp_k", "float", "£000 available", minimum=0),
        SOURCE,
    ), key=("funding_id", "year")),
    Table("funding_eligibility", "Which schemes a funding source may pay for ('*' = any).", (
        _c("funding_id", "id", "funding source", ref="funding.funding_id"),
        _c("scheme_id", "id", "scheme or '*'", ref="schemes.scheme_id", wildcard=True),
        SOURCE,
    ), key=("funding_id", "scheme_id")),
    Table("disposals", "Land or buildings that can be sold once vacated.", (
        _c("disposal_id", "id", "identifier"),
        _c("site_id", "id", "site", ref="sites.site_id"),
        _c("value_gbp_k", "float", "proceeds, £000", minimum=0),
        _c("vacates", "idlist", "services that must have left the site for good ('*' = the whole site "
           "closes)", ref="services.service_id", wildcard=True),
        _c("requires_scheme_id", "id", "scheme that must be usable first", required=False,
           ref="schemes.scheme_id"),
        _c("earliest_year", "year", "first year the sale can be realised", required=False),
        _c("funding_id", "id", "funding source the proceeds feed (blank: none)", required=False,
           ref="funding.funding_id"),
        SOURCE,
    ), key=("disposal_id",), optional=True),
    Table("rules", "Clinical and policy rules.", (
        _c("rule", "enum", "requires (service needs other_service on the same site), excludes, must, forbid",
           choices=RULES),
        _c("service_id", "id", "service", ref="services.service_id"),
        _c("other_service_id", "id", "the other service (requires, excludes)", required=False,
           ref="services.service_id"),
        _c("site_id", "id", "site (must, forbid; blank = every site)", required=False, ref="sites.site_id"),
        _c("from_year", "year", "first year the rule applies (blank: all)", required=False),
        _c("to_year", "year", "last year the rule applies (blank: all)", required=False),
        _c("group", "id", "rule group: a scenario can switch every rule of a group off with "
           "`[constraints] rules_off`", required=False),
        SOURCE,
    ), optional=True),
    Table("roles", "Site roles (optional): bundles of services a site takes on together, such as a major "
          "emergency centre, with the catchment population the role serves. A site holds at most one role a "
          "year; a role implies every service of its bundle (role_services). Counts and catchment bands apply "
          "from the scenario's `fixed_until` year on; before it, and in the do-nothing case, sites keep "
          "today's roles.", (
        _c("role_id", "id", "identifier"),
        _c("name", "str", "description"),
        _c("rank", "int", "level for reporting (1 = the highest level)", minimum=1),
        _c("catchment_service_id", "id", "anchor service: the role's catchment at a site is the base-year "
           "population assigned to that site for this service (blank: no catchment band)", required=False,
           ref="services.service_id"),
        _c("catchment_min_pop", "float", "smallest catchment population of a site holding the role",
           minimum=0, required=False),
        _c("catchment_max_pop", "float", "largest catchment population of a site holding the role", minimum=0,
           exclusive_minimum=True, required=False),
        _c("min_sites", "int", "fewest sites holding the role each year", minimum=0, required=False),
        _c("max_sites", "int", "most sites holding the role each year", minimum=0, required=False),
        _c("fixed_cost_gbp_k", "float", "cost per site-year of holding the role on top of its services' own "
           "fixed costs, £000 (negative: the saving from running the bundle as one unit)", required=False,
           default=0.0),
        _c("from_bundle", "bool", "true: a site providing every service of the bundle holds this role or one of "
           "the same or a higher rank (the role classifies sites by what they provide)", required=False,
           default=False),
        SOURCE,
    ), key=("role_id",), optional=True),
    Table("role_services", "The service bundle of each role.", (
        _c("role_id", "id", "role", ref="roles.role_id"),
        _c("service_id", "id", "service the role provides", ref="services.service_id"),
        _c("needs_role", "bool", "true: at a site that may take this role, the service runs only while the "
           "site holds a role listing it with needs_role true", required=False, default=False),
        SOURCE,
    ), key=("role_id", "service_id"), optional=True),
    Table("site_roles", "Which roles a site may take, and which it holds today.", (
        _c("site_id", "id", "site", ref="sites.site_id"),
        _c("role_id", "id", "role the site may take", ref="roles.role_id"),
        _c("today", "bool", "held in the base year"),
        SOURCE,
    ), key=("site_id", "role_id"), optional=True),
    Table("plan_figures", "Figures the plan states for the whole system (financial challenge, investment, "
          "population, allocations) that frame the results: reported beside them, not constraints.", (
        _c("figure_id", "id", "identifier"),
        _c("description", "str", "what the figure is"),
        _c("value", "float", "the figure"),
        _c("unit", "str", "unit (e.g. £000, persons, %)"),
        _c("year", "year", "financial year it refers to (blank: none)", required=False),
        SOURCE,
    ), key=("figure_id",), optional=True),
    Table("options", "Named options: fixed decisions such as the plan's preferred option.", (
        _c("option_id", "id", "option name"),
        _c("item", "enum", "what is fixed", choices=OPTION_ITEMS),
        _c("site_id", "id", "site (service, beds)", required=False, ref="sites.site_id"),
        _c("service_id", "id", "service (service)", required=False, ref="services.service_id"),
        _c("bed_type", "id", "bed type (beds)", required=False, ref="bed_types.bed_type"),
        _c("scheme_id", "id", "scheme (scheme_start, no_scheme) or demand scheme (demand_scheme_start)",
           required=False),
        _c("disposal_id", "id", "disposal (disposal)", required=False, ref="disposals.disposal_id"),
        _c("role_id", "id", "site role (role)", required=False, ref="roles.role_id"),
        _c("from_year", "year", "first year fixed (scheme_start, disposal: the year)", required=False),
        _c("to_year", "year", "last year fixed (blank: to the end)", required=False),
        _c("value", "float", "1/0 for service and role, beds for beds", required=False),
        SOURCE,
    ), optional=True),
)

TABLE_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
