"""Bad input in the tables added for site roles, rule groups, demand-scheme ramps and plan figures: each broken copy
of the BLMK system (data/blmk, which uses all of them) is reported as a located Problem, as in test_bad_input.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_bad_input import ANY, Case, append_copy, assert_reported, line_of, problems_of, set_cell

from reconfig.inputs.errors import InputError
from reconfig.inputs.scenario import load_scenario
from reconfig.inputs.tables import load_system
from reconfig.instance.build import build_instance

ROOT = Path(__file__).resolve().parents[1]
BLMK = ROOT / "data" / "blmk"


def _two_roles_today(d: Path) -> int:
    return set_cell(d, "site_roles", "today", "true", site_id="BED", role_id="ich")


def _role_without_its_bundle_today(d: Path) -> int:
    n = line_of(d, "site_services", site_id="BED", service_id="hdu")
    set_cell(d, "site_services", "today", "false", n)
    return line_of(d, "site_roles", site_id="BED", role_id="ec")


def _service_needs_a_role_today(d: Path) -> int:
    set_cell(d, "site_roles", "today", "false", site_id="MKUH", role_id="ec")
    return line_of(d, "site_services", site_id="MKUH", service_id="ae")


def _bundle_implies_higher_role(d: Path) -> int:
    set_cell(d, "site_roles", "today", "false", site_id="LDH", role_id="mec")
    set_cell(d, "site_roles", "today", "true", site_id="LDH", role_id="ec")
    return line_of(d, "site_roles", site_id="LDH", role_id="mec")


def _role_option(d: Path, **cells: str) -> int:
    n = append_copy(d, "options", line_of(d, "options", item="demand_scheme_start"), item="role", scheme_id="",
                    site_id="BED", role_id="ec", value="1")
    for col, v in cells.items():
        set_cell(d, "options", col, v, n)
    return n


CASES: list[Case] = [
    Case("role-service-unknown-service", "role_services",
         lambda d: set_cell(d, "role_services", "service_id", "teleport"), "service_id", "unknown service 'teleport'"),
    Case("role-service-unknown-role", "role_services", lambda d: set_cell(d, "role_services", "role_id", "castle"),
         "role_id", "unknown role 'castle'"),
    Case("site-role-unknown-site", "site_roles", lambda d: set_cell(d, "site_roles", "site_id", "NOWHERE"), "site_id",
         "unknown site 'NOWHERE'"),
    Case("site-role-unknown-role", "site_roles", lambda d: set_cell(d, "site_roles", "role_id", "castle"), "role_id",
         "unknown role 'castle'"),
    Case("role-anchor-unknown-service", "roles",
         lambda d: set_cell(d, "roles", "catchment_service_id", "teleport"), "catchment_service_id",
         "unknown service 'teleport'"),
    Case("role-band-min-over-max", "roles", lambda d: set_cell(d, "roles", "catchment_min_pop", "800000",
                                                                role_id="mec"), "catchment_min_pop",
         "catchment_min_pop exceeds catchment_max_pop"),
    Case("role-band-without-anchor", "roles", lambda d: set_cell(d, "roles", "catchment_service_id", "",
                                                                  role_id="ec"), "catchment_service_id",
         "a catchment band needs the service"),
    Case("role-negative-band", "roles", lambda d: set_cell(d, "roles", "catchment_min_pop", "-1"),
         "catchment_min_pop", "out of range"),
    Case("role-rank-zero", "roles", lambda d: set_cell(d, "roles", "rank", "0"), "rank", "out of range"),
    Case("role-min-sites-over-max", "roles", lambda d: (set_cell(d, "roles", "max_sites", "1", role_id="ucc"),
                                                        set_cell(d, "roles", "min_sites", "2", role_id="ucc"))[1],
         "min_sites", "min_sites exceeds max_sites"),
    Case("role-min-sites-over-allowed-sites", "roles", lambda d: set_cell(d, "roles", "min_sites", "2",
                                                                           role_id="mec"),
         "min_sites", "only 1 site(s) may take the role"),
    Case("site-roles-duplicate", "site_roles", lambda d: append_copy(d, "site_roles", 2), "site_id, role_id",
         "duplicate entry"),
    Case("two-roles-today", "site_roles", _two_roles_today, "today", "a site holds at most one role"),
    Case("role-today-without-its-bundle", "site_roles", _role_without_its_bundle_today, "today",
         "does not provide 'hdu' today"),
    Case("service-needs-a-role-today", "site_services", _service_needs_a_role_today, "today",
         "holds none of them today"),
    Case("bundle-implies-higher-role-today", "site_roles", _bundle_implies_higher_role, "today",
         "provides every service of role 'mec' today"),
    Case("role-option-without-role", "options", lambda d: _role_option(d, role_id=""), "role_id",
         "a 'role' row needs role_id"),
    Case("role-option-unknown-role", "options", lambda d: _role_option(d, role_id="castle"), "role_id",
         "unknown role 'castle'"),
    Case("role-option-pair-not-allowed", "options", lambda d: _role_option(d, role_id="mec"), "role_id",
         "site 'BED' may not take role 'mec'"),
    Case("role-option-value-not-0-or-1", "options", lambda d: _role_option(d, value="2"), "value",
         "a role is held or not"),
    Case("ramp-unknown-scheme", "demand_scheme_ramp",
         lambda d: set_cell(d, "demand_scheme_ramp", "scheme_id", "ghost"), "scheme_id", "unknown scheme 'ghost'"),
    Case("ramp-share-over-100", "demand_scheme_ramp", lambda d: set_cell(d, "demand_scheme_ramp", "share_pct", "120"),
         "share_pct", "out of range"),
    Case("ramp-duplicate-offset", "demand_scheme_ramp", lambda d: append_copy(d, "demand_scheme_ramp", 2),
         "scheme_id, year_offset", "duplicate entry"),
    Case("plan-figure-not-a-number", "plan_figures", lambda d: set_cell(d, "plan_figures", "value", "lots"), "value",
         "not a number"),
    Case("plan-figure-source-missing", "plan_figures", lambda d: set_cell(d, "plan_figures", "source", ""), "source",
         "value is missing"),
    Case("rule-group-not-an-identifier", "rules", lambda d: set_cell(d, "rules", "group", "keep sites"), "group",
         "not a valid identifier"),
]


@pytest.fixture
def blmk(tmp_path: Path) -> Path:
    d = tmp_path / "blmk"
    shutil.copytree(BLMK, d)
    return d


def test_unbroken_copy_is_valid(blmk: Path) -> None:
    load_system(blmk)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_located(case: Case, blmk: Path) -> None:
    row = case.edit(blmk)
    p = assert_reported(problems_of(blmk), f"{case.table}.csv", row, case.column, case.fragment)
    assert Path(p.file).name == f"{case.table}.csv" and p.expected


def test_unknown_rule_group_in_the_scenario(tmp_path: Path) -> None:
    text = (ROOT / "models" / "blmk-2016-open.toml").read_text(encoding="utf-8")
    text = text.replace('rules_off = ["keep-acute-sites"]', 'rules_off = ["keep-acute-site"]')
    text = text.replace('data = "../data/blmk"', f'data = "{BLMK.as_posix()}"')
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        build_instance(load_scenario(path))
    p = assert_reported(e.value.problems, "scenario.toml", None, "constraints.rules_off.0",
                        "unknown rule group 'keep-acute-site'")
    assert p.expected and "keep-acute-sites" in p.expected and "co-location" in p.expected


def test_corpus_is_distinct() -> None:
    assert len({c.id for c in CASES}) == len(CASES) and ANY is not None
