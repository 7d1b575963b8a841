"""Robustness to demand futures: regret matrices on tiny systems whose answers are worked out by hand.

Money is £000, one year, discount 0, so each objective is capital + £1k per bed. Demand 1,000 admissions × 3.65
days = 10 beds at 100 % occupancy.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import make, times

from reconfig.analysis.robust import apply_future, futures_for, robust
from reconfig.inputs.errors import InputError
from reconfig.instance.build import build_instance


def _one_site(tmp_path, name: str = "r", futures=None, options=None, **settings):
    """Site A holds 10 beds; scheme S (£100k) adds 5. 'high' (×1.3) needs 13 beds, 'low' (×0.5) needs 5."""
    tables = {"sites": [{"site_id": "A", "bed_capacity": 10}], "zones": [{"zone_id": "z1", "population": 1000}],
              "services": [{"service_id": "a", "bed_type": "ac"}],
              "site_services": [{"service_id": "a", "site_id": "A", "today": True}],
              "bed_types": [{"bed_type": "ac", "cost_per_bed_gbp_k": 1}],
              "demand": [{"service_id": "a", "los_days": 3.65}],
              "schemes": [{"scheme_id": "S", "site_id": "A"}],
              "scheme_costs": [{"scheme_id": "S", "year_offset": 0, "cost_gbp_k": 100}],
              "scheme_effects": [{"scheme_id": "S", "effect": "add_capacity", "amount": 5}]}
    if options:
        tables["options"] = options
    fut = futures if futures is not None else [{"name": "high", "demand_factor": 1.3, "probability": 0.25},
                                               {"name": "low", "demand_factor": 0.5, "probability": 0.25}]
    sc = make(tmp_path, tables, name=name, future=fut, **settings)
    return build_instance(sc, times=times([[1]], ["z1"], ["A"]))


def _cell(r, cand, fut):
    return next(c for c in r["cells"] if c["candidate"] == cand and c["future"] == fut)


def _cand(r, name):
    return next(c for c in r["candidates"] if c["name"] == name)


def test_regret_matrix_by_hand(tmp_path):
    inst = _one_site(tmp_path)
    r = robust(inst, futures_for(inst, None), choose=True, mip_gap=0.0)
    assert [f["name"] for f in r["futures"]] == ["base", "high", "low"]
    assert [f["best_known_objective"] for f in r["futures"]] == pytest.approx([10, 113, 5])
    # the base optimum (no works) is also the low optimum and do-nothing; it cannot hold 13 beds
    base = _cand(r, "base optimum")
    assert sorted(base["also"]) == ["do-nothing", "optimum in low"]
    assert _cell(r, "base optimum", "high")["status"] == "infeasible"
    assert _cell(r, "base optimum", "high")["regret"] is None
    assert base["worst_regret"] is None and base["fails_in"] == ["high"]
    # building S serves every future at £100k more than the best there, except in high where it is the best
    high = _cand(r, "optimum in high")
    assert [_cell(r, "optimum in high", f)["objective"] for f in ("base", "high", "low")] == pytest.approx([110, 113,
                                                                                                           105])
    assert [_cell(r, "optimum in high", f)["regret"] for f in ("base", "high", "low")] == pytest.approx([100, 0, 100])
    assert high["worst_regret"] == pytest.approx(100) and high["worst_future"] in ("base", "low")
    # probabilities: high and low 0.25 each, the base the remaining 0.5
    assert [f["weight"] for f in r["futures"]] == pytest.approx([0.5, 0.25, 0.25])
    assert high["expected_objective"] == pytest.approx(0.5 * 110 + 0.25 * 113 + 0.25 * 105)
    assert high["expected_regret"] == pytest.approx(0.5 * 100 + 0.25 * 100)
    assert high["schemes"] == ["S"] and "builds S" in high["against_base_optimum_text"]
    # minimax: the joint MILP agrees (regret 100, proven) and its plan is the high optimum
    assert r["joint"]["status"] == "optimal" and r["joint"]["max_regret"] == pytest.approx(100)
    assert r["joint"]["candidate"] == "optimum in high" and r["joint"]["mip_start"] == "optimum in high"
    assert r["chosen"]["name"] == "optimum in high" and r["chosen"]["proven_minimax"]
    assert all(c["proven"] for c in r["cells"] if c["objective"] is not None)


def test_named_option_holds_only_its_rows(tmp_path):
    late = [{"option_id": "works", "item": "scheme_start", "scheme_id": "S", "from_year": "2018/19"},
            {"option_id": "works", "item": "beds", "site_id": "A", "bed_type": "ac", "value": 10}]  # not held
    inst = _one_site(tmp_path, "opt", options=late)
    r = robust(inst, futures_for(inst, ["high"]), mip_gap=0.0)
    assert [f["name"] for f in r["futures"]] == ["base", "high"]
    assert _cell(r, "option works", "high")["objective"] == pytest.approx(113)
    assert _cand(r, "option works")["worst_regret"] == pytest.approx(100)
    assert "chosen" not in r


def _two_sites(tmp_path):
    """Acute beds at A, rehab beds at B, 10 of each today. 'acute_up' needs 13 at A, 'rehab_up' 13 at B.
    Scheme a3 (£50k) adds 3 at A, r3 (£50k) 3 at B, c (£80k) 3 at each. Each future's optimum fails the other
    up-future; only the joint MILP finds c: regret 80 in the base, 30 in each up-future."""
    tables = {"sites": [{"site_id": "A", "bed_capacity": 10}, {"site_id": "B", "bed_capacity": 10}],
              "zones": [{"zone_id": "z1", "population": 1000}],
              "services": [{"service_id": "acute", "bed_type": "ac"}, {"service_id": "rehab", "bed_type": "rh"}],
              "site_services": [{"service_id": "acute", "site_id": "A", "today": True},
                                {"service_id": "rehab", "site_id": "B", "today": True}],
              "bed_types": [{"bed_type": b, "cost_per_bed_gbp_k": 1} for b in ("ac", "rh")],
              "demand": [{"service_id": k, "los_days": 3.65} for k in ("acute", "rehab")],
              "schemes": [{"scheme_id": c, "site_id": s} for c, s in (("a3", "A"), ("r3", "B"), ("c", "A"))],
              "scheme_costs": [{"scheme_id": c, "year_offset": 0, "cost_gbp_k": v}
                               for c, v in (("a3", 50), ("r3", 50), ("c", 80))],
              "scheme_effects": [{"scheme_id": "a3", "effect": "add_capacity", "site_id": "A", "amount": 3},
                                 {"scheme_id": "r3", "effect": "add_capacity", "site_id": "B", "amount": 3},
                                 {"scheme_id": "c", "effect": "add_capacity", "site_id": "A", "amount": 3},
                                 {"scheme_id": "c", "effect": "add_capacity", "site_id": "B", "amount": 3}]}
    fut = [{"name": "acute_up", "service_factor": {"acute": 1.3}},
           {"name": "rehab_up", "service_factor": {"rehab": 1.3}}]
    sc = make(tmp_path, tables, name="two", future=fut)
    return build_instance(sc, times=times([[1, 1]], ["z1"], ["A", "B"]))


def test_joint_minimax_finds_a_plan_no_future_would_choose(tmp_path):
    inst = _two_sites(tmp_path)
    r = robust(inst, futures_for(inst, None), choose=True, mip_gap=0.0)
    for name in ("base optimum", "optimum in acute_up", "optimum in rehab_up"):
        assert _cand(r, name)["worst_regret"] is None  # each fails at least one future
    assert _cand(r, "optimum in acute_up")["schemes"] == ["a3"]
    joint = _cand(r, "minimax (joint MILP)")
    assert joint["schemes"] == ["c"] and joint["kind"] == "minimax"
    assert [_cell(r, joint["name"], f)["regret"] for f in ("base", "acute_up", "rehab_up")] == pytest.approx([80, 30,
                                                                                                              30])
    assert r["joint"]["max_regret"] == pytest.approx(80) and r["joint"]["status"] == "optimal"
    assert r["chosen"]["name"] == "minimax (joint MILP)" and r["chosen"]["worst_regret"] == pytest.approx(80)
    assert "expected_objective" in joint and joint["expected_objective"] is None  # no probabilities given


def test_futures_apply_and_validate(tmp_path):
    inst = _one_site(tmp_path, "f", futures=[{"name": "g", "growth_pct": 10.0, "demand_factor": 2.0,
                                              "service_factor": {"a": 1.5}}], years=2)
    base, g = futures_for(inst, None)
    assert base.name == "base" and g.weight is None
    fi = apply_future(inst, g)
    assert fi.demand["a"] == pytest.approx(inst.demand["a"] * np.array([2 * 1.1 * 1.5, 2 * 1.1 ** 2 * 1.5]))
    assert inst.demand["a"][0, 0] == pytest.approx(1000)  # the original is untouched
    with pytest.raises(InputError, match="unknown future 'medium'") as e:
        futures_for(inst, ["g", "medium"])
    assert "one of base, g" in str(e.value)
    bad = _one_site(tmp_path, "bad", futures=[{"name": "x", "service_factor": {"nope": 1.2}}])
    with pytest.raises(InputError, match="unknown service 'nope'") as e:
        futures_for(bad, None)
    assert e.value.problems[0].column == "future.0.service_factor"
    none = _one_site(tmp_path, "none", futures=[])
    with pytest.raises(InputError, match="no demand futures"):
        futures_for(none, None)
    over = _one_site(tmp_path, "over", futures=[{"name": "h", "probability": 0.7}, {"name": "l", "probability": 0.6}])
    with pytest.raises(InputError, match="add up to 1.3"):
        futures_for(over, None)


def test_draws_are_seeded(tmp_path):
    inst = _one_site(tmp_path, "d", futures=[], uncertainty={"growth_sd_pct": 1.0, "shift_sd": 0.1})
    a = futures_for(inst, None, draws=3, seed=7)
    b = futures_for(inst, None, draws=3, seed=7)
    c = futures_for(inst, None, draws=3, seed=8)
    assert [f.name for f in a] == ["base", "draw-001", "draw-002", "draw-003"]
    assert [(f.growth_pct, f.service_factor) for f in a] == [(f.growth_pct, f.service_factor) for f in b]
    assert [f.growth_pct for f in a] != [f.growth_pct for f in c]
    assert [f.weight for f in a] == [None, 1 / 3, 1 / 3, 1 / 3]  # expected values: the mean over the draws
    flat = _one_site(tmp_path, "flat", futures=[], uncertainty={"growth_sd_pct": 0.0, "shift_sd": 0.0})
    assert all(f.growth_pct == 0 and set(f.service_factor.values()) == {1.0} for f in futures_for(flat, None, 2)[1:])


def test_future_name_base_is_reserved(tmp_path):
    with pytest.raises(InputError, match="'base' is the scenario's own demand"):
        _one_site(tmp_path, "reserved", futures=[{"name": "base"}])
