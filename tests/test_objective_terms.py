"""Objective terms the analyses rely on: capital (gross scheme spend) and savings (recurrent cost minimised)."""

from __future__ import annotations

import pytest
from builders import make, open_services, solve, times


def _tables(**more):
    return {"sites": [{"site_id": "A", "fixed_cost_gbp_k": 10}, {"site_id": "B", "fixed_cost_gbp_k": 20}],
            "zones": [{"zone_id": "z1", "population": 100}], "services": [{"service_id": "a"}],
            "site_services": [{"service_id": "a", "site_id": s} for s in ("A", "B")],
            "demand": [{"service_id": "a"}], **more}


def test_capital_counts_gross_spend_including_after_the_horizon(tmp_path):
    schemes = {"schemes": [{"scheme_id": "S", "site_id": "A", "mandatory": True}],
               "scheme_costs": [{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": 30},
                                {"scheme_id": "S", "year_offset": 1, "cost_gbp_k": 20}]}
    sc = make(tmp_path, _tables(**schemes), name="cap", objective={"weights": {"capital": 1.0}})
    built, out = solve(sc, times([[1, 1]], ["z1"], ["A", "B"]))
    assert out.status == "optimal" and out.objective == pytest.approx(50)  # 20 of it falls after the one-year horizon
    assert out.values["objectives"]["capital"] == pytest.approx(50)


def test_savings_objective_minimises_recurrent_cost(tmp_path):
    sc = make(tmp_path, _tables(), name="sav", objective={"weights": {"savings": 1.0}})
    built, out = solve(sc, times([[1, 1]], ["z1"], ["A", "B"]))
    assert out.objective == pytest.approx(10) and open_services(built) == {("a", "A")}
