"""Every constraint family has a test that fails when the family is removed (docs/formulation.md, family table).

Each case deactivates one named family (the indexed Constraint of that name, including the rows a solve adds
later) in every model the solve path builds, runs the family's own test, and expects it to fail. Families that
are fixings rather than rows in a normal solve (forbid, must) are removed by dropping the fixing code instead.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyomo.environ as pyo
import pytest
import test_alternatives as alternatives
import test_constraints as constraints
import test_constraints_binding as binding
import test_radius as radius
import test_reductions as reductions
import test_roles as roles

import reconfig.analysis.alternatives as alternatives_module
import reconfig.analysis.pareto as pareto_module
import reconfig.formulation.build as build_module
import reconfig.formulation.radius as radius_module
import reconfig.solve.solver as solver

Case = tuple[Callable[..., Any], dict[str, Any]]

# family -> (test function, its arguments besides tmp_path / monkeypatch)
FAMILY_TESTS: dict[str, Case] = {
    "site_open": (constraints.test_linking, {"kind": "radius"}),
    "mandatory": (constraints.test_mandatory_scheme, {}),
    "one_start": (binding.test_scheme_starts_at_most_once, {}),
    "scheme_group": (constraints.test_exclusive_group, {}),
    "prerequisite": (constraints.test_prereq_start_after_done, {}),
    "enablement": (constraints.test_service_enablement, {}),
    "assign_link": (binding.test_single_source_assignment_links_to_the_site, {}),
    "demand_met": (constraints.test_demand_met, {"kind": "assign"}),
    "closest": (constraints.test_closest_assignment, {}),
    "reach": (constraints.test_hard_travel_max, {"kind": "radius"}),
    "demand_scheme_once": (binding.test_demand_scheme_starts_at_most_once, {}),
    "reduction_load": (binding.test_reduction_capped_by_the_site_load, {}),
    "reduction_effect": (constraints.test_demand_scheme, {}),
    "ramp_total": (roles.test_demand_scheme_ramp, {}),
    "ramp_load": (roles.test_demand_scheme_ramp_is_shared_across_sites, {}),
    "ramp_start": (roles.test_demand_scheme_ramp, {}),
    "bed_days": (constraints.test_beds_occupancy_and_wards, {}),
    "ward_size": (constraints.test_beds_occupancy_and_wards, {}),
    "bed_link": (binding.test_beds_only_where_a_service_of_their_type_runs, {}),
    "bed_capacity": (constraints.test_physical_capacity_and_add_capacity, {}),
    "ward_change_up": (constraints.test_ward_changes_per_year, {}),
    "ward_change_down": (constraints.test_ward_changes_per_year, {}),
    "ward_changes": (constraints.test_ward_changes_per_year, {}),
    "min_volume": (constraints.test_min_volume, {}),
    "max_volume": (constraints.test_max_volume, {}),
    "min_sites": (constraints.test_min_sites, {}),
    "max_sites": (constraints.test_max_sites, {}),
    "requires": (constraints.test_requires, {}),
    "excludes": (constraints.test_excludes, {}),
    "forbid": (constraints.test_forbid_with_years, {}),
    "must": (constraints.test_must, {}),
    "must_any": (constraints.test_must_without_site, {}),
    "one_role": (roles.test_at_most_one_role_per_site, {}),
    "role_bundle": (roles.test_role_implies_bundle, {}),
    "bundle_implies_role": (roles.test_bundle_implies_role, {}),
    "needs_role": (roles.test_needs_role, {}),
    "role_min_sites": (roles.test_role_site_counts, {}),
    "role_max_sites": (roles.test_role_site_counts, {}),
    "catchment_min": (roles.test_catchment_band_minimum, {}),
    "catchment_max": (roles.test_catchment_band_maximum, {}),
    "disposal_once": (binding.test_site_sold_at_most_once, {}),
    "vacate": (constraints.test_disposal_vacates_services, {}),
    "disposal_scheme": (constraints.test_disposal_requires_scheme, {}),
    "fund_balance": (constraints.test_funding_eligibility, {}),
    "funding": (constraints.test_funding_availability, {}),
    "funding_total": (constraints.test_funding_availability, {}),
    "capital_limit": (constraints.test_spend_profile_and_capital_limit, {}),
    "capital_total": (constraints.test_capital_total, {}),
    "monotone_closure": (constraints.test_monotone_closures, {}),
    "savings": (constraints.test_savings_target, {}),
    "coverage_zone": (constraints.test_coverage_share, {}),
    "coverage": (constraints.test_coverage_share, {}),
    "coverage_objective_zone": (reductions.test_maximal_covering, {"seed": 0, "p": 1}),
    "stage_bound": (binding.test_lexicographic_second_stage_keeps_the_first_stage_optimum, {}),
    "max_travel": (constraints.test_max_travel_objective_with_assignment, {}),
    "radius_level": (radius.test_mean_travel_matches_brute_force, {"seed": 0, "p": 1}),
    "radius_max_travel": (radius.test_max_travel_matches_brute_force, {"seed": 1}),
    "no_good": (alternatives.test_alternatives_are_the_k_best_structures, {"seed": 0}),
}
# families implied by others in every instance the formulation builds: no test can fail on their removal alone
NOT_TESTED: dict[str, str] = {
    "radius_last": "implied by reach: every zone's chain covers the sites reach[k,t,g] requires one of, so a zone "
                   "with all nearer levels closed already has a last-level site open (kept as stated in the radius "
                   "formulation; test_radius_service_is_provided_somewhere shows reach doing it)",
}


def _deactivate(model: pyo.ConcreteModel, name: str) -> None:
    """Deactivate family `name`, creating it empty first if the solve adds its rows later (deactivated, they
    stay out of the model whenever they are added)."""
    if not hasattr(model, name):
        model.add_component(name, pyo.Constraint(pyo.Any))
    getattr(model, name).deactivate()


def _remove(mp: pytest.MonkeyPatch, name: str) -> None:
    """Remove family `name` from every model the solve path builds."""
    if name in ("forbid", "must"):  # fixings in a normal solve, not rows: drop the rules of that kind
        real_rules = build_module.add_rules

        def add_rules(built, elastic):
            inst = built.inst
            built.inst = dataclasses.replace(inst, rules=inst.rules[inst.rules["rule"] != name])
            try:
                real_rules(built, elastic)
            finally:
                built.inst = inst

        mp.setattr(build_module, "add_rules", add_rules)
        return
    real_build = solver.build_model

    def build(*a: Any, **kw: Any):
        built = real_build(*a, **kw)
        _deactivate(built.model, name)
        return built

    mp.setattr(solver, "build_model", build)
    for module in (alternatives_module, pareto_module):
        mp.setattr(module, "build_model", build)


def _call(test: Callable[..., Any], tmp_path: Path, mp: pytest.MonkeyPatch, kwargs: dict[str, Any]) -> None:
    tmp_path.mkdir()
    params = inspect.signature(test).parameters
    if "truncate_hard" in params:
        mp.setattr(radius_module, "MIN_SITES", 1)
        mp.setattr(radius_module.RadiusChains, "initial_keep", staticmethod(lambda groups, n, p: 1))
    extra = {"monkeypatch": mp} if "monkeypatch" in params else {}
    test(tmp_path=tmp_path, **extra, **{"truncate_hard": None} if "truncate_hard" in params else {}, **kwargs)


def test_every_family_has_a_removal_test() -> None:
    """The table covers every family the formulation defines (found in its modules' source)."""
    import re

    src = "".join(p.read_text() for p in Path(solver.__file__).parents[1].rglob("*.py"))
    defined = set(re.findall(r'family\(built, "(\w+)"', src)) | set(re.findall(r'add_row\(\s*built,\s*"(\w+)"', src))
    defined |= set(re.findall(r'_zone_rows\(built, "(\w+)"', src))
    missing = defined - set(FAMILY_TESTS) - set(NOT_TESTED)
    assert not missing, f"families without a removal test: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(FAMILY_TESTS))
def test_removing_the_family_fails_its_test(name: str, tmp_path: Path) -> None:
    test, kwargs = FAMILY_TESTS[name]
    with pytest.MonkeyPatch.context() as mp:
        _call(test, tmp_path / "with", mp, kwargs)
    with pytest.MonkeyPatch.context() as mp:
        _remove(mp, name)
        with pytest.raises(AssertionError):
            _call(test, tmp_path / "without", mp, kwargs)


def test_docs_table_names_each_family_and_its_test() -> None:
    """docs/formulation.md's family table lists every family with the test this file removes it under."""
    doc = (Path(__file__).parents[1] / "docs" / "formulation.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines() if "| `reconfig/" in line}
    assert set(rows) == set(FAMILY_TESTS) | set(NOT_TESTED)
    for name, (test, _) in FAMILY_TESTS.items():
        assert f"{test.__module__}.py::{test.__name__}`" in rows[name], name
