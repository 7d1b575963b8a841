"""The MILP builder: the constraint families of formulation/, in order (docs/formulation.md).

Services that use beds or have volume limits get explicit assignment variables x[z,k,s,t]. Services
without them are uncapacitated: every zone uses its nearest open site, so their travel terms use the
radius formulation (sorted distinct travel times per zone, one continuous variable per level), which is
exact, far smaller than x, and has the same LP bound.
"""

from __future__ import annotations

import pyomo.environ as pyo

from reconfig.formulation.access import add_coverage, add_coverage_term
from reconfig.formulation.assignment import add_assignment, add_closest_assignment, add_reachability
from reconfig.formulation.beds import add_beds, add_ward_changes
from reconfig.formulation.built import TRAVEL_OBJECTIVES, Built
from reconfig.formulation.capital import add_capital_limits, add_funding
from reconfig.formulation.configuration import add_configuration, model_sets
from reconfig.formulation.demand_schemes import add_demand_schemes
from reconfig.formulation.disposals import add_disposals
from reconfig.formulation.objective import add_objective_terms, add_recurrent_cost
from reconfig.formulation.options import apply_option
from reconfig.formulation.roles import add_role_constraints
from reconfig.formulation.rules import add_rules
from reconfig.formulation.savings import add_savings_target
from reconfig.formulation.schemes import add_enablement, add_schemes
from reconfig.formulation.stability import add_stability
from reconfig.formulation.travel import add_travel_terms
from reconfig.formulation.volumes import add_site_counts, add_volumes
from reconfig.instance.build import Instance


def _wanted(inst: Instance) -> set[str]:
    o = inst.scenario.objective
    return {k for k, w in o.weights.items() if w} | set(o.lexicographic)


def build_model(inst: Instance, fix: str | None = None, do_nothing_cost: float | None = None,
                elastic: bool = False) -> Built:
    """Build the MILP for `inst`.

    `fix` names an option from options.csv or 'do_nothing'; `do_nothing_cost` (£000, the do-nothing recurrent
    cost in the savings year) switches the savings target on; `elastic` (analysis/diagnose.py) states must/forbid
    rules as rows instead of fixings, so that they can be relaxed. Raises InputError for input the model cannot
    take (a zone no site can reach within the access limit, an option item no site can take)."""
    wanted = _wanted(inst)
    sets = model_sets(inst, wanted)
    built = Built(pyo.ConcreteModel(name=inst.scenario.name), inst, sets, sets.assign, sets.radius)
    add_configuration(built)
    add_schemes(built)
    add_enablement(built)
    add_assignment(built)
    add_closest_assignment(built)
    add_reachability(built)
    add_demand_schemes(built)
    add_beds(built)
    add_ward_changes(built)
    add_volumes(built)
    add_site_counts(built)
    add_rules(built, elastic)
    add_role_constraints(built, fix)
    add_disposals(built)
    add_funding(built)
    add_capital_limits(built)
    add_stability(built)
    add_recurrent_cost(built)
    add_savings_target(built, fix, do_nothing_cost)
    add_objective_terms(built)
    if wanted & set(TRAVEL_OBJECTIVES):
        add_travel_terms(built)
    if "coverage" in wanted:
        add_coverage_term(built)
    add_coverage(built)
    apply_option(built, fix)
    return built
