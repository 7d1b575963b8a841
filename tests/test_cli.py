"""The command line: exit statuses, readable errors, JSON output, run directories."""

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from reconfig.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]


def _broken_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data" / "llr", tmp_path / "data" / "llr")
    shutil.copytree(ROOT / "models", tmp_path / "models")
    sites = tmp_path / "data" / "llr" / "sites.csv"
    text = sites.read_text().splitlines()
    cols = text[2].split(",")
    cols[3] = "95"  # latitude out of range on line 3
    text[2] = ",".join(cols)
    sites.write_text("\n".join(text) + "\n")
    return tmp_path / "models" / "llr-2017.toml"


def test_validate_ok():
    r = runner.invoke(app, ["validate", str(ROOT / "models/llr-2017.toml")])
    assert r.exit_code == 0, r.output
    assert "valid" in r.output


def test_bad_input_exit_2_names_file_row_column(tmp_path):
    r = runner.invoke(app, ["validate", str(_broken_copy(tmp_path))])
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert "sites.csv, row 3, column 'lat'" in r.output


def test_bad_input_json(tmp_path):
    r = runner.invoke(app, ["validate", "--json", str(_broken_copy(tmp_path))])
    assert r.exit_code == 2
    errors = json.loads(r.stdout)["errors"]
    assert errors[0]["row"] == 3 and errors[0]["column"] == "lat" and errors[0]["file"].endswith("sites.csv")


def test_solve_bad_input_writes_nothing(tmp_path):
    out = tmp_path / "runs" / "x"
    r = runner.invoke(app, ["solve", str(_broken_copy(tmp_path)), "--out", str(out)])
    assert r.exit_code == 2
    assert not out.exists() and not (tmp_path / "runs").exists()


def test_missing_scenario_file():
    r = runner.invoke(app, ["validate", "no/such/file.toml"])
    assert r.exit_code == 2 and "scenario file not found" in r.output


def test_describe():
    r = runner.invoke(app, ["describe", "--json", str(ROOT / "models/llr-2017.toml")])
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert d["zones"] >= 40 and d["beds_today"]["acute"] == 1940
    assert d["scheme_capital_gbp_k"] == 321582


def test_solve_preferred_writes_run(tmp_path):
    out = tmp_path / "run"
    r = runner.invoke(app, ["solve", str(ROOT / "models/llr-2017-preferred.toml"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    s = json.loads((out / "summary.json").read_text())
    for key in ("status", "objectives", "best_bound", "mip_gap", "build_seconds", "solve_seconds",
                "capital_spend_by_year", "disposal_receipts_by_year", "funding_by_source_and_year",
                "recurrent_cost_by_year", "savings_vs_do_nothing_by_year", "beds", "services", "schemes",
                "capital_spend_by_scheme", "access"):
        assert key in s, key
    assert s["status"] == "optimal" and s["mip_gap"] <= 1e-3
    assert s["do_nothing"]["status"] == "optimal"
    assert {"mean", "p95", "max", "within"} <= set(s["access"]["ed"])
    assert (out / "beds.csv").exists() and (out / "manifest.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_time_limited_solve_never_claims_optimal(tmp_path):
    r = runner.invoke(app, ["solve", str(ROOT / "models/llr-2017.toml"), "--time-limit", "1", "--gap", "0",
                            "--out", str(tmp_path / "run"), "--json"])
    s = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert s["status"] in ("time_limit", "feasible", "error")
    assert r.exit_code in (0, 1)


def test_infeasible_scenario_says_so_plainly(tmp_path):
    text = (ROOT / "models/llr-2017-preferred.toml").read_text()
    text = text.replace('data = "../data/llr"', f'data = "{ROOT / "data/llr"}"')
    text = text.replace("[constraints]", "[constraints]\ncapital_total_gbp_k = 1000", 1)
    scenario = tmp_path / "tight.toml"
    scenario.write_text(text)
    r = runner.invoke(app, ["solve", str(scenario), "--out", str(tmp_path / "run")])
    assert r.exit_code == 1
    assert "infeasible" in r.output and "No plan satisfies every constraint" in r.output
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["status"] == "infeasible"
