"""Sensitivity sweeps: point sets, outputs checked against direct solves, failing points, resume, parallel runs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tiny import tiny_scenario
from typer.testing import CliRunner

import reconfig.analysis.sweep as sweep_mod
import reconfig.analysis.sweep.executors as executors
from reconfig.analysis.sweep.plan import Parameter, check_keys, parse_vary, plan_points
from reconfig.cli import app
from reconfig.inputs.errors import InputError
from reconfig.inputs.scenario import load_scenario
from reconfig.instance.build import build_instance
from reconfig.solve.solver import solve_instance

runner = CliRunner()
CAPITAL = "constraints.capital_total_gbp_k"
OCCUPANCY = "adjust.bed_types.occupancy[acute]"


def _sweep(*args: str) -> Any:
    return runner.invoke(app, ["sweep", *args, "--workers", "1"])


def _points(run: Path) -> pd.DataFrame:
    return pd.read_csv(run / "sweep.csv", keep_default_na=False)


def _direct(path: Path, overrides: dict[str, Any]) -> float:
    _, out = solve_instance(build_instance(load_scenario(path, overrides)))
    return out.objective


def test_parse_vary() -> None:
    p = parse_vary("finance.discount_rate=0.01, 0.035,none,true,network")
    assert p.key == "finance.discount_rate" and p.values == [0.01, 0.035, None, True, "network"]
    p = parse_vary("adjust.growth.demographic_pct[service_id=ed]*=0.5,2")
    assert p.key == "adjust.growth.demographic_pct[service_id=ed]*" and p.values == [0.5, 2]
    for bad in ("novalues", "=1,2", "key="):
        with pytest.raises(InputError):
            parse_vary(bad)


def test_one_way_points_share_one_base_point(tmp_path: Path) -> None:
    sc = load_scenario(tiny_scenario(tmp_path))  # discount rate 0, occupancy 0.9, no capital limit
    params = [Parameter("finance.discount_rate", [0.0, 0.035, 0.06]), Parameter(CAPITAL, [0, 100]),
              Parameter(OCCUPANCY, [0.8, 0.9]), Parameter("adjust.bed_types.cost_per_bed_gbp_k*", [1, 2])]
    system = check_keys(sc, params)
    points = plan_points(sc, params, grid=False, system=system)
    assert [p.overrides for p in points] == [
        {}, {"finance.discount_rate": 0.035}, {"finance.discount_rate": 0.06}, {CAPITAL: 0}, {CAPITAL: 100},
        {OCCUPANCY: 0.8}, {"adjust.bed_types.cost_per_bed_gbp_k*": 2}]
    assert points[0].members == ["finance.discount_rate", OCCUPANCY, "adjust.bed_types.cost_per_bed_gbp_k*"]
    assert [p.id for p in points] == [f"p{i:04d}" for i in range(7)]


def test_grid_points_are_the_cartesian_product(tmp_path: Path) -> None:
    sc = load_scenario(tiny_scenario(tmp_path))
    params = [Parameter("finance.discount_rate", [0.0, 0.035]), Parameter(CAPITAL, [0, 100, 200])]
    points = plan_points(sc, params, grid=True)
    assert len(points) == 6
    assert points[0].overrides == {CAPITAL: 0} and points[5].overrides == {"finance.discount_rate": 0.035,
                                                                           CAPITAL: 200}
    assert len({json.dumps(p.overrides, sort_keys=True) for p in points}) == 6


def test_bad_keys_exit_2_and_write_nothing(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    out = tmp_path / "runs" / "s"
    r = _sweep(str(path), "--vary", "finance.discont_rate=1,2", "--vary", "adjust.bed_types.occupancy[icu]=0.5",
               "--vary", "objective.weights=3", "--vary", "access.ip=3", "--vary", "constraints.fixed_until.x=1",
               "--vary", f"{CAPITAL}=1,1", "--out", str(out))
    assert r.exit_code == 2, r.output
    for words in ("unknown setting 'finance.discont_rate'", "column 'adjust.bed_types.occupancy[icu]'",
                  "objective.weights.<name>", "access.<service>.<field>", "is a single value",
                  "a value is listed twice"):
        assert words in r.output, words
    assert not (tmp_path / "runs").exists()
    r = _sweep(str(path), "--out", str(out))  # no --vary and no [[sweep]] blocks
    assert r.exit_code == 2 and "nothing to sweep" in r.output and not (tmp_path / "runs").exists()


def test_one_way_sweep_matches_direct_solves(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    run = tmp_path / "runs" / "s"
    r = _sweep(str(path), "--vary", f"{CAPITAL}=0,100", "--vary", "adjust.services.fixed_cost_gbp_k*=0.5,3",
               "--out", str(run), "--gap", "0")
    assert r.exit_code == 0, r.output
    assert not Path(f"{run}.partial").exists()
    assert {p.name for p in run.iterdir()} >= {"sweep.csv", "sweep.json", "manifest.json", "spec.json", "points",
                                                "summary.json"}
    df = _points(run)
    assert list(df["point"]) == ["p0000", "p0001", "p0002", "p0003", "p0004"]
    assert list(df["parameter"]) == ["base", CAPITAL, CAPITAL, "adjust.services.fixed_cost_gbp_k*",
                                     "adjust.services.fixed_cost_gbp_k*"]
    assert set(df["status"]) == {"optimal"} and (df["mip_gap"].astype(float) <= 1e-9).all()
    for _, row in df.iterrows():  # every point is the same answer as a solve of that scenario
        overrides = {k: float(row[k]) for k in (CAPITAL, "adjust.services.fixed_cost_gbp_k*") if row[k] != ""}
        assert float(row["objective"]) == pytest.approx(_direct(path, overrides), rel=1e-6)
    # the scheme is dropped when there is no capital
    assert df.loc[df["point"] == "p0001", "schemes"].item() == "" and "newB" in df.loc[0, "schemes"]
    tornado = json.loads((run / "sweep.json").read_text())
    assert tornado["base"] == pytest.approx(float(df.loc[0, "objective"]))
    cap = next(p for p in tornado["parameters"] if p["parameter"] == CAPITAL)
    assert cap["low_value"] == "0" and cap["low"] == pytest.approx(float(df.loc[1, "objective"]))
    assert cap["high_value"] == "100" and cap["high"] == pytest.approx(float(df.loc[2, "objective"]))
    man = json.loads((run / "manifest.json").read_text())
    assert man["kind"] == "sweep" and man["status"] == "complete" and man["points"] == 5
    assert man["failed_points"] == 0 and man["input_hash"] and man["timings"]["wall_seconds"] > 0
    from reconfig.report import build_report

    assert "fig-tornado" in build_report(run).read_text()  # the report reads sweep.json beside the base plan


def test_failing_points_are_recorded_and_the_sweep_goes_on(tmp_path: Path, monkeypatch) -> None:
    import reconfig.solve.solver as solve

    real = solve.solve_instance

    def crash_on_rate(inst, *a, **kw):
        if inst.scenario.finance.discount_rate == 0.07:
            raise RuntimeError("solver exploded")
        return real(inst, *a, **kw)

    monkeypatch.setattr(solve, "solve_instance", crash_on_rate)
    path = tiny_scenario(tmp_path)
    run = tmp_path / "runs" / "s"
    r = _sweep(str(path), "--vary", "adjust.bed_types.occupancy=0.8,1.5", "--vary",
               "constraints.savings_target_gbp_k=1000000", "--vary", "finance.discount_rate=0.07,abc",
               "--vary", f"{CAPITAL}=100", "--out", str(run))
    assert r.exit_code == 1, r.output
    df = _points(run).set_index("point")
    assert list(df["status"]) == ["optimal", "optimal", "input_error", "infeasible", "error", "input_error",
                                  "optimal"]
    assert "bed_types.csv, row 2, column 'occupancy'" in df.loc["p0002", "error"]
    assert "no plan satisfies" in df.loc["p0003", "error"]
    assert df.loc["p0004", "error"] == "RuntimeError: solver exploded"
    assert "finance.discount_rate" in df.loc["p0005", "error"]
    assert json.loads((run / "points" / "p0004.json").read_text())["traceback"]
    assert json.loads((run / "manifest.json").read_text())["failed_points"] == 4


class Counting:
    """run_point wrapper: counts calls; raises KeyboardInterrupt at call `interrupt_at` (like Ctrl-C)."""

    def __init__(self, interrupt_at: int | None = None):
        self.calls: list[str] = []
        self.interrupt_at = interrupt_at

    def __call__(self, task: dict[str, Any]) -> dict[str, Any]:
        if self.interrupt_at is not None and len(self.calls) + 1 == self.interrupt_at:
            raise KeyboardInterrupt
        self.calls.append(task["id"])
        from reconfig.analysis.sweep.point import run_point

        return run_point(task)


def test_interrupted_sweep_resumes_without_redoing_points(tmp_path: Path, monkeypatch) -> None:
    path = tiny_scenario(tmp_path)
    run = tmp_path / "runs" / "s"
    partial = Path(f"{run}.partial")
    first = Counting(interrupt_at=3)
    monkeypatch.setattr(executors, "run_point", first)
    r = _sweep(str(path), "--vary", f"{CAPITAL}=0,50,100,200", "--out", str(run))
    assert r.exit_code == 130 and "--resume" in r.output
    assert not run.exists() and sorted(p.name for p in (partial / "points").iterdir()) == ["p0000.json",
                                                                                           "p0001.json"]
    assert not [p for p in (partial / "points").iterdir() if p.name.startswith(".")]
    r = _sweep(str(path), "--vary", f"{CAPITAL}=0", "--out", str(run))  # a fresh sweep will not clobber it
    assert r.exit_code == 2 and "--resume" in r.output
    r = runner.invoke(app, ["sweep", "--resume", str(partial), "--vary", f"{CAPITAL}=0"])
    assert r.exit_code == 2 and "drop --vary" in r.output
    second = Counting()
    monkeypatch.setattr(executors, "run_point", second)
    r = runner.invoke(app, ["sweep", "--resume", str(partial), "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert second.calls == ["p0002", "p0003", "p0004"]
    assert not partial.exists() and len(_points(run)) == 5 and set(_points(run)["status"]) == {"optimal"}
    spec = json.loads((run / "spec.json").read_text())
    assert [s["points_run"] for s in spec["sessions"]] == [2, 3]


def test_resume_refuses_changed_inputs(tmp_path: Path, monkeypatch) -> None:
    path = tiny_scenario(tmp_path)
    run = tmp_path / "runs" / "s"
    monkeypatch.setattr(executors, "run_point", Counting(interrupt_at=2))
    assert _sweep(str(path), "--vary", f"{CAPITAL}=0,100", "--out", str(run)).exit_code == 130
    costs = path.parent / "data" / "scheme_costs.csv"
    costs.write_text(costs.read_text().replace(",50,", ",60,"))
    r = runner.invoke(app, ["sweep", "--resume", f"{run}.partial"])
    assert r.exit_code == 2 and "changed since this sweep started" in r.output


def test_a_failure_while_finishing_keeps_the_partial_run(tmp_path: Path, monkeypatch) -> None:
    path = tiny_scenario(tmp_path)
    run = tmp_path / "runs" / "s"

    def broken(*a: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(sweep_mod, "sweep_frame", broken)
    r = _sweep(str(path), "--vary", f"{CAPITAL}=0,100", "--out", str(run))
    assert isinstance(r.exception, OSError)
    assert not run.exists() and not [p for p in run.parent.iterdir() if p.name.startswith(".")]
    assert len(list(Path(f"{run}.partial", "points").iterdir())) == 3
    monkeypatch.undo()
    counting = Counting()
    monkeypatch.setattr(executors, "run_point", counting)
    assert runner.invoke(app, ["sweep", "--resume", f"{run}.partial"]).exit_code == 0
    assert counting.calls == [] and len(_points(run)) == 3


def test_sweep_blocks_in_the_scenario_grid_mode(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path, sweep=[{"key": CAPITAL, "values": [0, 100], "label": "Capital limit"},
                                          {"key": "finance.discount_rate", "values": [0.0, 0.035]}])
    run = tmp_path / "runs" / "g"
    r = _sweep(str(path), "--grid", "--out", str(run))
    assert r.exit_code == 0, r.output
    df = _points(run)
    assert len(df) == 4 and set(df["parameter"]) == {""}
    assert list(df[CAPITAL].astype(str)) == ["0", "0", "100", "100"]
    assert list(df["finance.discount_rate"].astype(str)) == ["", "0.035", "", "0.035"]
    tornado = json.loads((run / "sweep.json").read_text())
    assert tornado["mode"] == "grid" and tornado["parameters"] == [] and len(tornado["points"]) == 4
    assert json.loads((run / "spec.json").read_text())["parameters"][0]["label"] == "Capital limit"


def test_local_worker_processes_and_a_point_that_kills_its_worker(tmp_path: Path, monkeypatch) -> None:
    """Points run in 2 spawned processes; a point whose process dies is re-run alone and recorded as failed,
    the points in flight with it are re-run and succeed."""
    from tiny import crash_worker_at_rate

    monkeypatch.setattr(executors, "run_point", crash_worker_at_rate)  # spawned workers import it from tests/
    path = tiny_scenario(tmp_path)
    run = tmp_path / "runs" / "c"
    r = runner.invoke(app, ["sweep", str(path), "--vary", "finance.discount_rate=0.01,0.09,0.02,0.03",
                            "--workers", "2", "--out", str(run)])
    assert r.exit_code == 1, r.output
    df = _points(run).set_index("point")
    assert df.loc["p0002", "status"] == "error" and "worker process died" in df.loc["p0002", "error"]
    assert list(df.drop(index="p0002")["status"]) == ["optimal"] * 4
    recs = [json.loads(p.read_text()) for p in (run / "points").iterdir()]
    assert os.getpid() not in {rec.get("pid") for rec in recs}
    assert "2 local worker processes" in json.loads((run / "spec.json").read_text())["sessions"][0]["executor"]


def test_dask_cluster_on_loopback(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    path = tiny_scenario(tmp_path)
    run = tmp_path / "runs" / "d"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        r = runner.invoke(app, ["sweep", str(path), "--vary", f"{CAPITAL}=0,100", "--scheduler",
                                cluster.scheduler_address, "--out", str(run), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout.strip().splitlines()[-1]) == {"run": str(run), "points": 3, "failed": 0}
    assert set(_points(run)["status"]) == {"optimal"}
    assert "Dask cluster" in json.loads((run / "spec.json").read_text())["sessions"][0]["executor"]


def test_unreachable_scheduler_exit_2_nothing_written(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1.0)
    path = tiny_scenario(tmp_path)
    r = runner.invoke(app, ["sweep", str(path), "--vary", f"{CAPITAL}=0", "--scheduler", "tcp://127.0.0.1:9",
                            "--out", str(tmp_path / "runs" / "x")])
    assert r.exit_code == 2 and "cannot reach the Dask scheduler" in r.output
    assert not (tmp_path / "runs").exists()
