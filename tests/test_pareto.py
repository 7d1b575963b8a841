"""Pareto frontier: anchors, ε bounds and non-dominance checked against every configuration of a tiny system."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from builders import make, times

import reconfig.solve.session as session_module
import reconfig.solve.solver as solve_module
from reconfig.analysis.pareto import pareto, parse_objectives
from reconfig.inputs.errors import InputError
from reconfig.instance.build import build_instance

NZ, NS = 8, 5


def _case(tmp_path, seed: int = 1, name: str = "p", **settings):
    """One uncapacitated service, sites with a fixed cost each: cost against mean travel (a p-median trade-off)."""
    rng = np.random.default_rng(seed)
    tt = rng.integers(5, 60, size=(NZ, NS)).astype(float)
    cost = rng.integers(10, 100, NS)
    pop = rng.integers(100, 1000, NZ)
    sites, zones = [f"S{j}" for j in range(NS)], [f"z{i}" for i in range(NZ)]
    tables = {"sites": [{"site_id": s, "fixed_cost_gbp_k": int(c)} for s, c in zip(sites, cost, strict=True)],
              "zones": [{"zone_id": z, "population": int(p)} for z, p in zip(zones, pop, strict=True)],
              "services": [{"service_id": "a"}], "site_services": [{"service_id": "a", "site_id": s} for s in sites],
              "demand": [{"service_id": "a"}]}
    sc = make(tmp_path, tables, name=name, **settings)
    return build_instance(sc, times=times(tt, zones, sites)), tt, cost, pop.astype(float)


def _all_plans(tt, cost, pop) -> list[tuple[float, float]]:
    """(cost, mean minutes to the nearest open site) of every non-empty set of open sites."""
    out = []
    for r in range(1, NS + 1):
        for sub in itertools.combinations(range(NS), r):
            out.append((float(cost[list(sub)].sum()), float(pop @ tt[:, list(sub)].min(axis=1) / pop.sum())))
    return out


def _efficient(plans):
    return [p for p in plans if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in plans)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_frontier_matches_brute_force(tmp_path, seed):
    inst, tt, cost, pop = _case(tmp_path, seed)
    r = pareto(inst, ("npv_cost", "travel"), 6, mip_gap=0.0)
    plans = _all_plans(tt, cost, pop)
    efficient = _efficient(plans)
    pts = r["points"]
    assert all(p["status"] == "optimal" and p["proven"] for p in pts)
    # anchors: min cost, then travel with cost held within the lexicographic tolerance; and the other way round
    tol = inst.scenario.objective.tolerance
    lo_cost = min(c for c, _ in plans)
    lo_travel = min(t for _, t in plans)
    a_anchor, b_anchor = pts[0], pts[-1]
    assert a_anchor["label"] == "best cost" and b_anchor["label"] == "best travel"
    assert a_anchor["a"] == pytest.approx(lo_cost)
    assert a_anchor["b"] == pytest.approx(min(t for c, t in plans if c <= lo_cost * (1 + tol)))
    assert lo_travel - 1e-9 <= b_anchor["b"] <= lo_travel * (1 + tol) + 1e-9  # 1e-9: floating-point summation order
    assert b_anchor["a"] == pytest.approx(min(c for c, t in plans if t <= lo_travel * (1 + tol) + 1e-9))
    # every point is an efficient plan, within its ε, and none dominates another
    for p in pts:
        assert any(abs(p["a"] - c) < 1e-6 and abs(p["b"] - t) < 1e-6 for c, t in efficient), p
        if p["epsilon"] is not None:
            assert p["b"] <= p["epsilon"] + 1e-7
    for p, q in itertools.permutations(pts, 2):
        assert not (q["a"] <= p["a"] and q["b"] <= p["b"])
    # shown values: £m and minutes, sorted by x; what was dropped says why
    assert [p["x"] for p in pts] == sorted(p["x"] for p in pts)
    assert a_anchor["x"] == pytest.approx(lo_cost / 1000) and a_anchor["y"] == pytest.approx(a_anchor["b"])
    assert all(d["reason"].startswith(("dominated by", "same objective values as")) for d in r["dropped"])
    assert len(pts) + len(r["dropped"]) == 8 and r["solves"] == 4 + 6
    assert r["x_label"] == "Net present cost (£m)" and r["y_label"] == "Mean travel time (minutes)"


def test_coverage_shown_as_share_and_capital_objective(tmp_path):
    """Coverage is stored negated (minimised) and shown as a percentage; capital is gross scheme spend."""
    inst, *_ = _case(tmp_path, 1, "cov")
    # every site within 30 minutes covers its zones; the more sites, the more coverage
    inst.services["a"].coverage_minutes = 30.0
    r = pareto(inst, ("npv_cost", "coverage"), 2, mip_gap=0.0)
    pts = r["points"]
    assert r["y_label"] == "Population within the coverage time (%)" and r["y_better"] == "higher"
    assert all(0 <= p["y"] <= 100 for p in pts) and pts[-1]["y"] == pytest.approx(-100 * pts[-1]["b"])
    assert pts[0]["y"] < pts[-1]["y"]  # cheapest covers less than best coverage


def test_time_limited_points_are_never_proven(tmp_path, monkeypatch):
    """ε solves stopped by the time limit carry their status, never 'optimal', wherever they end up."""
    inst, *_ = _case(tmp_path, 1, "tl")
    real, calls = session_module.solve_exact, []

    def limited(built, solver, limit, *a, **k):  # anchors solve normally; ε points get no time at all
        calls.append(1)
        if len(calls) > 4:
            return solve_module._solve_once(built.model, 1e-9, *a, solver=solver, **k)
        return real(built, solver, limit, *a, **k)

    monkeypatch.setattr(session_module, "solve_exact", limited)
    r = pareto(inst, ("npv_cost", "travel"), 3, mip_gap=0.0)
    eps = [p for p in r["points"] + r["dropped"] + r["unsolved"] if p["kind"] == "epsilon"]
    assert len(eps) == 3
    assert all(p["status"] == "time_limit" and not p["proven"] for p in eps)
    assert all(p["status"] != "optimal" for p in r["points"] if "time limit" in p["label"])


def test_time_limited_incumbent_kept_and_marked(tmp_path, monkeypatch):
    """A point whose solve hit the limit with a useful incumbent stays on the frontier, labelled as unproven."""
    inst, *_ = _case(tmp_path, 1, "tl2")
    real, calls = session_module.solve_exact, []

    def first_eps_limited(*a, **k):
        calls.append(1)
        out = real(*a, **k)
        if len(calls) == 5:  # the first ε point: as HiGHS reports a time limit reached with an incumbent
            out.status = "time_limit"
        return out

    monkeypatch.setattr(session_module, "solve_exact", first_eps_limited)
    r = pareto(inst, ("npv_cost", "travel"), 3, mip_gap=0.0)
    p1 = next(p for p in r["points"] if p["label"].startswith("P1"))
    assert p1["label"] == "P1 (time limit)" and p1["status"] == "time_limit" and p1["proven"] is False


def test_anchor_not_proven_is_not_called_no_conflict(tmp_path, monkeypatch):
    inst, *_ = _case(tmp_path, 1, "tl3")
    real, calls = session_module.solve_exact, []

    def limited(built, solver, limit, *a, **k):  # the best-travel anchor gets no time: HiGHS returns its MIP start
        calls.append(1)
        if len(calls) in (3, 4):
            return solve_module._solve_once(built.model, 1e-9, *a, solver=solver, **k)
        return real(built, solver, limit, *a, **k)

    monkeypatch.setattr(session_module, "solve_exact", limited)
    r = pareto(inst, ("npv_cost", "travel"), 3, mip_gap=0.0)
    assert "do not conflict" not in r["message"] and "not proven" in r["message"]


def test_bad_objectives():
    with pytest.raises(InputError, match="unknown objective 'speed'"):
        parse_objectives("npv_cost,speed")
    with pytest.raises(InputError, match="two different objectives"):
        parse_objectives("npv_cost,npv_cost")
    with pytest.raises(InputError, match="two different objectives"):
        parse_objectives("npv_cost")
    assert parse_objectives(" capital , coverage ") == ("capital", "coverage")


def test_objective_no_decision_can_change_is_an_error(tmp_path):
    inst, *_ = _case(tmp_path, 1, "const")
    with pytest.raises(InputError, match="'capital' cannot change"):  # no capital schemes at all
        pareto(inst, ("npv_cost", "capital"), 2, mip_gap=0.0)


def test_report_chart_marks_unproven_points():
    from reconfig.report.charts import pareto_figure

    fig = pareto_figure({"x_label": "cost", "y_label": "minutes", "points": [
        {"x": 3, "y": 1, "label": "b"}, {"x": 1, "y": 2, "label": "a (time limit)", "proven": False}]})
    trace = fig["data"][0]
    assert trace["x"] == [1, 3] and trace["marker"]["symbol"] == ["circle-open", "circle"]
    assert trace["textposition"] == ["top right", "top left"]


@pytest.mark.slow
def test_llr_frontier(tmp_path):
    """The LLR model: anchors and one ε point within a short limit per solve, statuses honest."""
    from pathlib import Path

    from reconfig.inputs.scenario import load_scenario

    inst = build_instance(load_scenario(Path(__file__).resolve().parents[1] / "models" / "llr-2017.toml"))
    r = pareto(inst, ("npv_cost", "travel"), 1, time_limit=30, mip_gap=0.01)
    assert r["solves"] == 5 and len(r["points"]) >= 2
    for p in r["points"]:
        assert p["proven"] == (p["status"] == "optimal") and (p["status"] == "optimal" or "(" in p["label"])
    assert r["points"][0]["x"] < r["points"][-1]["x"] and r["points"][0]["y"] > r["points"][-1]["y"]
