"""Binding limits, LP prices with the configuration fixed, and re-optimised values of money limits, each checked
against a finite difference (re-solving with the limit loosened by one unit)."""

from __future__ import annotations

import json

import pytest
from builders import make
from test_constraints import _ab, _enable, _funded, system
from test_diagnose import inst_of
from typer.testing import CliRunner

from reconfig.analysis.marginal import binding, limit_key, lp_prices, marginal_summary, reoptimised
from reconfig.cli import app
from reconfig.solve.solver import solve_instance

TRAVEL = {"weights": {"travel": 1.0}}
runner = CliRunner()


def _volume(max_a: float):
    """200 units at z1: A (1 min) takes at most `max_a`, the rest goes to B (10 min); travel is minimised."""
    return system({"A": 0, "B": 0}, {"z1": 200}, [{"service_id": "a", "max_volume": max_a}])


def test_lp_price_equals_finite_difference(tmp_path):
    inst = inst_of(tmp_path, _volume(150), [[1, 10]], "v150", objective=TRAVEL)
    built, out = solve_instance(inst, mip_gap=0)
    assert out.objective == pytest.approx((150 * 1 + 50 * 10) / 200)
    p = lp_prices(built)
    assert p["lp_objective"] == pytest.approx(out.objective)
    [item] = p["priced"]  # A's maximum binds; B's (50 of 150) does not
    assert (item["family"], item["site"], item["year"]) == ("max_volume", "A", "2018/19")
    # finite difference: one unit more at A, the configuration (both sites open) unchanged
    built2, out2 = solve_instance(inst_of(tmp_path, _volume(151), [[1, 10]], "v151", objective=TRAVEL), mip_gap=0)
    assert {k for k in built2.model.y if built2.model.y[k].value > 0.5} == {k for k in built.model.y
                                                                            if built.model.y[k].value > 0.5}
    assert item["value"] == pytest.approx(out.objective - out2.objective) and item["value"] == pytest.approx(0.045)
    assert item["sentence"] == ("Raising the maximum volume of a at A in 2018/19 by one unit would lower the mean "
                                "travel time by 0.045 minutes, holding the configuration fixed (a local value).")
    assert p["zero_price"] == 1
    assert [(b["family"], b["site"]) for b in binding(built)] == [("max_volume", "A")]


def test_money_rows_have_no_lp_price(tmp_path):
    inst = inst_of(tmp_path, _ab(**_enable(5)), [[1, 1]], "cap", constraints={"capital_limit_gbp_k": {"2018/19": 5}})
    built, out = solve_instance(inst, mip_gap=0)
    s = marginal_summary(built, out)
    assert s["priced"] == [] and s["fixed_by_configuration"] == ["capital_limit"]
    assert [b["sentence"] for b in s["binding"]] == [
        "Capital in 2018/19 is at its limit of £5k (net of disposal receipts)."]
    inst = inst_of(tmp_path, _ab(**_enable(5)), [[1, 1]], "cap6", constraints={"capital_limit_gbp_k": {"2018/19": 6}})
    built, out = solve_instance(inst, mip_gap=0)
    assert binding(built) == []


def test_reoptimised_capital_equals_brute_force(tmp_path):
    # the scheme (5) replaces a site costing 10 a year; with a limit of 4 it cannot be afforded
    cons = {"capital_limit_gbp_k": {"2018/19": 4}}
    inst = inst_of(tmp_path, _ab(**_enable(5)), [[1, 1]], "lim4", constraints=cons)
    built, base = solve_instance(inst, mip_gap=0)
    assert base.objective == pytest.approx(10)
    r = reoptimised(inst, None, None, base, step=1.0)
    [item] = r["items"]
    brute = solve_instance(inst_of(tmp_path, _ab(**_enable(5)), [[1, 1]], "lim5",
                                   constraints={"capital_limit_gbp_k": {"2018/19": 5}}), mip_gap=0)[1]
    assert item["value_low"] == pytest.approx(base.objective - brute.objective) == pytest.approx(5)
    assert item["value_high"] == pytest.approx(5)
    assert item["sentence"] == ("£1k more capital in 2018/19 would lower the net present cost by £5k, the plan "
                                "re-optimised.")
    # a limit far from binding: one more unit changes nothing
    inst = inst_of(tmp_path, _ab(**_enable(5)), [[1, 1]], "lim2", constraints={"capital_limit_gbp_k": {"2018/19": 2}})
    built, base = solve_instance(inst, mip_gap=0)
    [item] = reoptimised(inst, None, None, base, step=1.0)["items"]
    assert item["value_high"] == pytest.approx(0) and "would not lower" in item["sentence"]


def test_reoptimised_funding_by_source(tmp_path):
    inst = inst_of(tmp_path, _funded(avail=4), [[1, 1]], "f4")
    built, base = solve_instance(inst, mip_gap=0)
    items = {(i["family"], i.get("source"), i.get("year")): i for i in reoptimised(inst, None, None, base, step=1.0)[
        "items"]}
    assert items["funding", "f", "2018/19"]["value_low"] == pytest.approx(5)


def test_cli_marginal_and_solve(tmp_path):
    sc = make(tmp_path, _ab(**_enable(5)), name="m", constraints={"capital_limit_gbp_k": {"2018/19": 4}})
    run = tmp_path / "runs" / "m"
    r = runner.invoke(app, ["marginal", str(sc.path), "--out", str(run), "--step", "0.001"])
    assert r.exit_code == 0, r.output
    assert "£1k more capital in 2018/19 would lower the net present cost by £5k" in r.output
    d = json.loads((run / "marginal.json").read_text())
    assert d["reoptimised"]["items"][0]["value_low"] == pytest.approx(5)
    assert json.loads((run / "manifest.json").read_text())["kind"] == "marginal"
    # every solve reports binding limits and LP prices (not the re-optimised values)
    sc = make(tmp_path, _ab(**_enable(5)), name="m5", constraints={"capital_limit_gbp_k": {"2018/19": 5}})
    r = runner.invoke(app, ["solve", str(sc.path), "--out", str(tmp_path / "runs" / "s")])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "runs" / "s" / "summary.json").read_text())
    assert [b["family"] for b in s["binding"]] == ["capital_limit"] and "reoptimised" not in s["marginal_values"]
    assert "Capital in 2018/19 is at its limit of £5k" in r.output
    # --marginal adds the re-optimised values (£1m more is plenty here)
    sc = make(tmp_path, _ab(**_enable(5)), name="m4", constraints={"capital_limit_gbp_k": {"2018/19": 4}})
    r = runner.invoke(app, ["solve", str(sc.path), "--marginal", "--out", str(tmp_path / "runs" / "s4")])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "runs" / "s4" / "summary.json").read_text())
    assert s["marginal_values"]["reoptimised"]["items"][0]["value_low"] == pytest.approx(5)
    assert "£1.0m more capital in 2018/19 would lower the net present cost by £5k" in r.output


def test_binding_money_limits_are_re_optimised_first(tmp_path):
    inst = inst_of(tmp_path, _funded(avail=5), [[1, 1]], "order", constraints={"capital_limit_gbp_k": {"2018/19": 9}})
    built, base = solve_instance(inst, mip_gap=0)
    [b] = binding(built)  # the fund is used to the last £k; the capital limit of 9 is not reached
    assert limit_key(b) == ("funding", ("f", "2018/19"))
    r = reoptimised(inst, None, None, base, step=1.0, first=[limit_key(b)])
    assert [i["family"] for i in r["items"]] == ["funding", "capital_limit"]
    assert all(i["value_high"] == pytest.approx(0) for i in r["items"])  # the scheme is already afforded
