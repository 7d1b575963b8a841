"""Cases in which a constraint family binds where the one-case-per-family tests (test_constraints.py) leave it slack.

Each family here is implied by another one in those tests' instances (a volume limit also links x to y; a demand
scheme's reduction is also capped by the site's load...), so each test below builds the one instance in which
the family alone stands between the optimiser and a free lunch. tests/test_family_removal.py removes each family
and checks its test then fails. Money is £000, discount rate 0.
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from builders import open_services
from test_constraints import _ab, _enable, obj, run, system, val


def _count(var) -> int:
    return round(sum(pyo.value(v) for v in var.values()))


def test_single_source_assignment_links_to_the_site(tmp_path):
    # as test_linking, for a service on assignment variables with no volume limit: x ≤ y alone links them
    t = system({"A": 100, "B": 0}, {"z1": 1000}, [{"service_id": "a", "single_source": True}])
    w = {"weights": {"npv_cost": 1.0, "travel": 1.0}}
    built, out = run(tmp_path, t, [[1, 50]], "single", objective=w)
    assert out.objective == pytest.approx(50) and open_services(built) == {("a", "B")}


def test_beds_only_where_a_service_of_their_type_runs(tmp_path):
    # an option puts 2 beds at B (500 a year while open): the service must run there, not at free A
    t = system({"A": {"bed_capacity": 10}, "B": {"fixed_cost_gbp_k": 500, "bed_capacity": 10}}, {"z1": 20},
               [{"service_id": "a", "bed_type": "ac"}],
               bed_types=[{"bed_type": "ac", "ward_size": 3, "cost_per_bed_gbp_k": 1, "cost_per_ward_gbp_k": 100}],
               demand=[{"service_id": "a", "los_days": 36.5}],
               options=[{"option_id": "bedsB", "item": "beds", "site_id": "B", "bed_type": "ac", "value": 2}])
    built, out = run(tmp_path, t, [[1, 1]], "bedsB", fix="bedsB")
    assert out.objective == pytest.approx(500 + 2 + 100) and ("a", "B") in open_services(built)
    assert val(built.model.beds["ac", "A", 0]) == 0


def test_scheme_starts_at_most_once(tmp_path):
    # S saves 50 a year once usable for a one-off 5: started twice it would count its saving twice
    more = _enable(5)
    more["schemes"][0]["recurrent_saving_gbp_k"] = 50
    built, out = run(tmp_path, _ab(**more), [[1, 1]], "once", years=2)
    assert out.status == "optimal" and _count(built.model.start) == 1


def test_site_sold_at_most_once(tmp_path):
    # land at A that service b has already left for good (A can never host it) is sold once, for 30; a sale that
    # vacates services or the whole site is held to once by the vacate rows as well
    t = system({"A": 0, "B": 0}, {"z1": 100}, ["a", "b"], hosts=[("a", "A"), ("a", "B"), ("b", "B")],
               disposals=[{"disposal_id": "dA", "site_id": "A", "value_gbp_k": 30, "vacates": "b"}])
    built, out = run(tmp_path, t, [[1, 1]], "sold", years=2)
    assert out.objective == pytest.approx(-30) and _count(built.model.sold) == 1


def test_demand_scheme_starts_at_most_once(tmp_path):
    # D cuts demand by a quarter for good (half of its 50 % reached and held): 40 admissions → 30 = 3 beds at 100.
    # Started in both years it would reach 50 % in the second (2 beds).
    t = system({"A": {"bed_capacity": 10}}, {"z1": 40}, [{"service_id": "a", "bed_type": "ac"}],
               bed_types=[{"bed_type": "ac", "cost_per_bed_gbp_k": 100}],
               demand=[{"service_id": "a", "los_days": 36.5}],
               demand_schemes=[{"scheme_id": "D", "service_id": "a", "reduction_pct": 50, "effect_lag_years": 0,
                                "recurrent_cost_gbp_k": 10}],
               demand_scheme_ramp=[{"scheme_id": "D", "year_offset": 0, "share_pct": 50}])
    built, out = run(tmp_path, t, [[1]], "dsonce", years=2)
    assert out.objective == pytest.approx(2 * (300 + 10)) and _count(built.model.dstart) == 1


def test_reduction_capped_by_the_site_load(tmp_path):
    # D halves demand: 20 of 40 admissions system-wide, but at most half of each site's own load. z1 (30) goes to
    # A and z2 (10) to B (travel): A keeps 15 admissions (2 beds), B 5 (1 bed). Capped only by the system total,
    # A could lose 20 and B all 10 (1 bed in all).
    t = system({"A": {"bed_capacity": 10}, "B": {"bed_capacity": 10}}, {"z1": 30, "z2": 10},
               [{"service_id": "a", "bed_type": "ac", "single_source": True}],
               bed_types=[{"bed_type": "ac", "cost_per_bed_gbp_k": 100}],
               demand=[{"service_id": "a", "los_days": 36.5}],
               demand_schemes=[{"scheme_id": "D", "service_id": "a", "reduction_pct": 50, "effect_lag_years": 0,
                                "recurrent_cost_gbp_k": 10}])
    built, out = run(tmp_path, t, [[1, 99], [99, 1]], "redload",
                     objective={"weights": {"npv_cost": 1.0, "travel": 1000.0}})
    assert out.objective == pytest.approx(300 + 10 + 1000) and val(built.model.beds["ac", "B", 0]) == 1


def test_radius_service_is_provided_somewhere(tmp_path):
    # the only site costs 100 a year; the service must still run there (reach, and the chain's last level)
    t = system({"A": 100}, {"z1": 100})
    assert obj(tmp_path, t, [[5]], "last", objective={"weights": {"npv_cost": 1.0, "travel": 1.0}}) == 105


def test_lexicographic_second_stage_keeps_the_first_stage_optimum(tmp_path):
    # cost first (A free, B 10 a year), then travel: z1 is 1 minute from B but 50 from A; the cost optimum stays
    t = system({"A": 0, "B": 10}, {"z1": 100})
    built, out = run(tmp_path, t, [[50, 1]], "lex", objective={"lexicographic": ["npv_cost", "travel"]})
    assert out.status == "optimal" and out.objective == pytest.approx(50)
    assert open_services(built) == {("a", "A")}
