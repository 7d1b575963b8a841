"""`reconfig pareto`, `alternatives` and `robust` on a tiny system: outputs, report, and bad arguments (exit 2)."""

from __future__ import annotations

import json

import pytest
from builders import make
from typer.testing import CliRunner

from reconfig.cli import app

runner = CliRunner()


@pytest.fixture
def scenario(tmp_path):
    """Three sites west to east with falling fixed costs; six zones spread along the same line."""
    sites = [{"site_id": s, "lat": 52.0, "lon": lon, "fixed_cost_gbp_k": c}
             for s, lon, c in (("W", -1.6, 90), ("M", -1.0, 40), ("E", -0.4, 20))]
    zones = [{"zone_id": f"z{i}", "lat": 52.0, "lon": -1.7 + 0.3 * i, "population": 1000 + 200 * i} for i in range(6)]
    tables = {"sites": sites, "zones": zones, "services": [{"service_id": "a"}],
              "site_services": [{"service_id": "a", "site_id": s["site_id"], "today": True} for s in sites],
              "demand": [{"service_id": "a"}],
              "options": [{"option_id": "all", "item": "service", "site_id": s["site_id"], "service_id": "a",
                           "value": 1} for s in sites]}
    sc = make(tmp_path, tables, name="cli", solver={"mip_gap": 0.0},
              future=[{"name": "high", "demand_factor": 1.2}, {"name": "low", "demand_factor": 0.8}])
    return str(sc.path)


def _nothing_written(tmp_path) -> bool:
    return not (tmp_path / "runs").exists()


def test_pareto_writes_frontier_the_report_draws(scenario, tmp_path):
    out = tmp_path / "runs" / "p"
    r = runner.invoke(app, ["pareto", scenario, "--objectives", "npv_cost,travel", "--points", "3", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "best cost" in r.output and "best travel" in r.output
    d = json.loads((out / "pareto.json").read_text())
    assert d["x_label"] == "Net present cost (£m)" and d["y_label"] == "Mean travel time (minutes)"
    assert len(d["points"]) >= 2 and all({"x", "y", "label", "status", "mip_gap", "summary"} <= set(p)
                                         for p in d["points"])
    assert {"kept", "status", "x", "y"} <= set((out / "pareto.csv").read_text().splitlines()[0].split(","))
    assert json.loads((out / "manifest.json").read_text())["kind"] == "pareto"
    rep = runner.invoke(app, ["report", str(out)])
    assert rep.exit_code == 0, rep.output
    html = (out / "report.html").read_text()
    assert "fig-pareto" in html and "Trade-offs" in html


def test_pareto_json_output(scenario, tmp_path):
    r = runner.invoke(app, ["pareto", scenario, "--objectives", "npv_cost,change", "--points", "1", "--json",
                            "--out", str(tmp_path / "runs" / "j")])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["run"].endswith("j") and all(p["status"] == "optimal" for p in d["points"])


@pytest.mark.parametrize("args, message", [
    (["--objectives", "npv_cost,speed"], "unknown objective 'speed'"),
    (["--objectives", "travel"], "two different objectives"),
])
def test_pareto_bad_arguments(scenario, tmp_path, args, message):
    r = runner.invoke(app, ["pareto", scenario, *args, "--out", str(tmp_path / "runs" / "x")])
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
    assert _nothing_written(tmp_path)


def test_pareto_negative_points(scenario, tmp_path):
    r = runner.invoke(app, ["pareto", scenario, "--objectives", "npv_cost,travel", "--points", "-1",
                            "--out", str(tmp_path / "runs" / "x")])
    assert r.exit_code == 2 and _nothing_written(tmp_path)


def test_alternatives_command(scenario, tmp_path):
    out = tmp_path / "runs" / "a"
    r = runner.invoke(app, ["alternatives", scenario, "--within", "300%", "--count", "2", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads((out / "alternatives.json").read_text())
    assert d["within"] == pytest.approx(3.0) and len(d["alternatives"]) == 2
    assert d["optimum"]["status"] == "optimal" and "against the optimum" in r.output
    assert (out / "alternatives.csv").read_text().startswith("rank,status")


@pytest.mark.parametrize("within", ["abc", "-1%", "2%%"])
def test_alternatives_bad_within(scenario, tmp_path, within):
    r = runner.invoke(app, ["alternatives", scenario, "--within", within, "--out", str(tmp_path / "runs" / "x")])
    assert r.exit_code == 2 and "--within" in r.output and "percentage" in r.output
    assert _nothing_written(tmp_path)


def test_robust_command(scenario, tmp_path):
    out = tmp_path / "runs" / "r"
    r = runner.invoke(app, ["robust", scenario, "--futures", "high", "--choose", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads((out / "robust.json").read_text())
    assert [f["name"] for f in d["futures"]] == ["base", "high"]
    assert {c["name"] for c in d["candidates"]} >= {"base optimum", "option all"}
    assert d["chosen"]["name"] is not None and "Least worst regret" in r.output
    assert (out / "robust.csv").read_text().startswith("candidate,future,status")


def test_robust_draws_json(scenario, tmp_path):
    r = runner.invoke(app, ["robust", scenario, "--futures", "base", "--draws", "2", "--seed", "3", "--json",
                            "--out", str(tmp_path / "runs" / "d")])
    assert r.exit_code == 0, r.output
    d = json.loads((tmp_path / "runs" / "d" / "robust.json").read_text())
    assert [f["name"] for f in d["futures"]] == ["base", "draw-001", "draw-002"] and d["seed"] == 3


def test_robust_unknown_future(scenario, tmp_path):
    r = runner.invoke(app, ["robust", scenario, "--futures", "high,medium", "--out", str(tmp_path / "runs" / "x")])
    assert r.exit_code == 2 and "unknown future 'medium'" in r.output and "one of base, high, low" in r.output
    assert _nothing_written(tmp_path)


def test_robust_table_without_choose(scenario, tmp_path):
    r = runner.invoke(app, ["robust", scenario, "--futures", "low", "--out", str(tmp_path / "runs" / "t")])
    assert r.exit_code == 0, r.output
    assert "Worst regret" in r.output and "Least worst regret" not in r.output
    assert "chosen" not in json.loads((tmp_path / "runs" / "t" / "robust.json").read_text())
