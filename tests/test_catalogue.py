"""The run catalogue: every run directory indexed from its manifest; runs list/show/compare; failure modes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tiny import tiny_scenario
from typer.testing import CliRunner

import reconfig.results.catalogue as catalogue
from reconfig.cli import app
from reconfig.results.rundir import run_directory

runner = CliRunner()


def _ok(*args: str) -> Any:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r


def _list(root: Path, *args: str) -> list[dict[str, Any]]:
    return json.loads(_ok("runs", "list", "--root", str(root), "--json", *args).stdout)


@pytest.fixture()
def runs(tmp_path: Path) -> Path:
    """A runs folder holding a solve, a compare, a sweep and a solve with no capital."""
    root = tmp_path / "runs"
    path = tiny_scenario(tmp_path)
    _ok("solve", str(path), "--out", str(root / "solve-a"))
    _ok("compare", str(path), "--out", str(root / "cmp"))
    _ok("sweep", str(path), "--vary", "constraints.capital_total_gbp_k=0", "--workers", "1", "--out",
        str(root / "sw"))
    tight = tiny_scenario(tmp_path, name="tight", constraints={"capital_total_gbp_k": 0})
    _ok("solve", str(tight), "--out", str(root / "solve-b"))
    return root


def test_every_kind_is_indexed_with_its_manifest(runs: Path) -> None:
    rows = {r["run_id"]: r for r in _list(runs)}
    assert set(rows) == {"solve-a", "cmp", "sw", "solve-b"}
    assert {r["kind"] for r in rows.values()} == {"solve", "compare", "sweep"}
    assert rows["solve-a"]["status"] == "optimal" and rows["solve-a"]["mip_gap"] is not None
    assert rows["sw"]["status"] == "complete" and rows["sw"]["complete"] is True
    assert all(r["input_hash"] and r["created"] for r in rows.values())
    man = json.loads((runs / "solve-a" / "manifest.json").read_text())
    for key in ("scenario", "scenario_name", "input_hash", "reconfig", "code_version", "highspy", "pyomo",
                "status", "objective", "mip_gap", "timings"):
        assert key in man, key
    assert [r["run_id"] for r in _list(runs, "--kind", "solve")] == ["solve-b", "solve-a"]
    assert {r["run_id"] for r in _list(runs, "--scenario", "tight")} == {"solve-b"}


def test_show_and_compare(runs: Path) -> None:
    r = _ok("runs", "show", "solve-a", "--root", str(runs))
    assert "input_hash" in r.output and "optimal" in r.output and "newB" in r.output
    d = json.loads(_ok("runs", "show", "sw", "--root", str(runs), "--json").stdout)
    assert d["manifest"]["kind"] == "sweep" and d["sweep"]["points"] == 2 and "plan" in d
    c = json.loads(_ok("runs", "compare", "solve-a", "solve-b", "--root", str(runs), "--json").stdout)
    assert c["a"]["status"] == c["b"]["status"] == "optimal"
    assert c["difference"]["schemes_dropped"] == ["newB"] and c["difference"]["services_removed"] == ["ip at B"]
    assert c["capital_by_year_gbp_k"]["2018/19"] == {"a": 50.0, "b": 0.0, "change": -50.0}
    r = _ok("runs", "compare", "solve-a", str(runs / "cmp"), "--root", str(runs))
    assert "Status (gap)" in r.output and "schemes dropped: none" in r.output
    r = runner.invoke(app, ["runs", "show", "nope", "--root", str(runs)])
    assert r.exit_code == 2 and "no run 'nope'" in r.output
    r = runner.invoke(app, ["runs", "show", "solve", "--root", str(runs)])  # ambiguous prefix
    assert r.exit_code == 2 and "matches 2 runs" in r.output


def test_the_catalogue_is_rebuilt_from_the_manifests(runs: Path) -> None:
    catalogue.catalogue_path(runs).unlink()
    (runs / "cmp").rename(runs / "cmp-moved")
    assert {r["run_id"] for r in _list(runs)} == {"solve-a", "cmp-moved", "sw", "solve-b"}
    import shutil

    shutil.rmtree(runs / "solve-b")
    assert {r["run_id"] for r in _list(runs)} == {"solve-a", "cmp-moved", "sw"}
    r = _ok("runs", "reindex", "--root", str(runs), "--rebuild")
    assert "3 added" in r.output


def test_a_new_kind_is_indexed_without_code_changes(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    with run_directory(root / "front") as tmp:
        (tmp / "manifest.json").write_text(json.dumps({"kind": "pareto", "scenario": "x.toml", "status": "done",
                                                       "created": "2024-01-01T00:00:00", "points": 7}))
    [row] = _list(root)
    assert row["kind"] == "pareto" and row["scenario_name"] == "x" and row["status"] == "done"


def test_a_corrupt_catalogue_is_moved_aside_and_rebuilt(runs: Path) -> None:
    catalogue.catalogue_path(runs).write_bytes(b"not a database" * 100)
    r = runner.invoke(app, ["runs", "list", "--root", str(runs), "--json"])
    assert r.exit_code == 0 and "rebuilt" in r.output
    assert len(json.loads(r.stdout)) == 4
    assert list(runs.glob("catalogue.duckdb.corrupt-*"))


def test_a_locked_catalogue_is_a_clear_error_and_runs_still_complete(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "runs"
    path = tiny_scenario(tmp_path)
    _ok("solve", str(path), "--out", str(root / "one"))
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(30)", str(catalogue.catalogue_path(root))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        monkeypatch.setattr(catalogue, "LOCK_WAIT_SECONDS", 0.5)
        r = runner.invoke(app, ["runs", "list", "--root", str(root)])
        assert r.exit_code == 2 and "locked" in r.output and "Traceback" not in r.output
        r = runner.invoke(app, ["solve", str(path), "--out", str(root / "two")])
        assert r.exit_code == 0 and "not yet indexed" in r.output
        assert (root / "two" / "summary.json").exists()
    finally:
        holder.kill()
        holder.wait()
    assert {r["run_id"] for r in _list(root)} == {"one", "two"}  # caught up once the lock is gone


def test_nothing_half_written_when_writing_fails(tmp_path: Path, monkeypatch) -> None:
    import reconfig.results.rundir as report

    root = tmp_path / "runs"
    path = tiny_scenario(tmp_path)
    _ok("solve", str(path), "--out", str(root / "good"))

    def fail(*a: Any, **kw: Any) -> None:
        time.sleep(0.01)
        raise OSError("disk full")

    monkeypatch.setattr(report, "write_results_xlsx", fail)
    r = runner.invoke(app, ["solve", str(path), "--out", str(root / "bad")])
    assert isinstance(r.exception, OSError)
    assert sorted(p.name for p in root.iterdir()) == ["catalogue.duckdb", "good"]
    assert [r["run_id"] for r in _list(root)] == ["good"]
