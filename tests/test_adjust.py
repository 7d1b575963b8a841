"""The scenario [adjust] table: set, multiply or add input-table numbers before the instance is built."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import make
from tiny import TABLES, tiny_scenario
from typer.testing import CliRunner

from reconfig.cli import app
from reconfig.inputs.adjust_keys import parse_key
from reconfig.inputs.errors import InputError
from reconfig.inputs.scenario import load_scenario
from reconfig.instance.build import build_instance
from reconfig.solve.solver import solve_instance

runner = CliRunner()


def _tables(path: Path, overrides: dict) -> dict:
    inst = build_instance(load_scenario(path, overrides))
    return inst.system.tables


def _col(tables: dict, table: str, column: str) -> list:
    return list(tables[table][column])


def test_key_syntax() -> None:
    a = parse_key("growth.demographic_pct[2019/20, service_id=ed]*")
    assert (a.table, a.column, a.op) == ("growth", "demographic_pct", "multiply")
    assert a.selector == ((None, "2019/20"), ("service_id", "ed"))
    assert parse_key("bed_types.occupancy").op == "set" and parse_key("bed_types.occupancy+").op == "add"
    for bad in ("occupancy", "bed_types.occupancy!", "bed_types.occupancy[acute", "bed_types.occupancy[]"):
        with pytest.raises(ValueError):
            parse_key(bad)


def test_set_multiply_add_by_column_row_and_filter(tmp_path: Path) -> None:
    tables = {**TABLES, "bed_types": [{"bed_type": "acute", "occupancy": 0.9, "cost_per_bed_gbp_k": 10},
                                      {"bed_type": "rehab", "occupancy": 0.8, "cost_per_bed_gbp_k": 20}]}
    make(tmp_path, tables, years=2, name="two")
    path = tmp_path / "two" / "scenario.toml"
    assert _col(_tables(path, {"adjust.bed_types.occupancy": 0.85}), "bed_types", "occupancy") == [0.85, 0.85]
    assert _col(_tables(path, {"adjust.bed_types.occupancy[rehab]": 0.95}), "bed_types", "occupancy") == [0.9, 0.95]
    got = _col(_tables(path, {"adjust.bed_types.cost_per_bed_gbp_k*": 1.5}), "bed_types", "cost_per_bed_gbp_k")
    assert got == [15.0, 30.0]
    got = _col(_tables(path, {"adjust.bed_types.cost_per_bed_gbp_k[occupancy=0.8]+": 5}), "bed_types",
               "cost_per_bed_gbp_k")
    assert got == [10, 25.0]


def test_blank_cells_stay_blank_when_scaled_and_whole_numbers_round(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    t = _tables(path, {"adjust.services.max_sites*": 2, "adjust.zones.population*": 1.2345})
    assert _col(t, "services", "max_sites") == [None]
    assert _col(t, "zones", "population") == [1234, 1234]
    assert _col(_tables(path, {"adjust.services.max_sites": 2}), "services", "max_sites") == [2]


def test_scheme_totals_follow_an_adjusted_cost_profile(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    t = _tables(path, {"adjust.scheme_costs.cost_gbp_k[scheme_id=newB]*": 1.2})
    assert _col(t, "scheme_costs", "cost_gbp_k") == [60.0] and _col(t, "schemes", "total_cost_gbp_k") == [60.0]


def test_unquoted_toml_keys_and_order_of_application(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    path.write_text(path.read_text() + '\n[adjust]\nbed_types.occupancy = 0.5\n"bed_types.occupancy*" = 1.5\n')
    sc = load_scenario(path)
    assert sc.adjust == {"bed_types.occupancy": 0.5, "bed_types.occupancy*": 1.5}
    assert _col(build_instance(sc).system.tables, "bed_types", "occupancy") == [0.75]


def test_the_model_sees_the_adjusted_numbers(tmp_path: Path) -> None:
    """Adding £5k to the cost of a bed adds £5k per bed-year to the net present cost (discount rate 0)."""
    path = tiny_scenario(tmp_path)
    _, base = solve_instance(build_instance(load_scenario(path)), mip_gap=0)
    _, more = solve_instance(build_instance(load_scenario(path, {"adjust.bed_types.cost_per_bed_gbp_k+": 5})),
                             mip_gap=0)
    bed_years = sum(r["beds"] for r in base.values["beds"])
    assert bed_years > 0
    assert more.values["objectives"]["npv_cost"] == pytest.approx(base.values["objectives"]["npv_cost"]
                                                                   + 5 * bed_years)


@pytest.mark.parametrize("key, value, column, words", [
    ("adjust.bed_type.occupancy", 0.9, "adjust.bed_type.occupancy", "unknown table 'bed_type'"),
    ("adjust.bed_types.occupncy", 0.9, "adjust.bed_types.occupncy", "unknown column 'occupncy'"),
    ("adjust.bed_types.name", 0.9, "adjust.bed_types.name", "is not a number"),
    ("adjust.bed_types.occupancy[icu]", 0.9, "adjust.bed_types.occupancy[icu]", "no row of bed_types"),
    ("adjust.bed_types.occupancy[a,b]", 0.9, "adjust.bed_types.occupancy[a,b]", "positional row key"),
    ("adjust.bed_types.occupancy[ward=1]", 0.9, "adjust.bed_types.occupancy[ward=1]", "unknown column 'ward'"),
    ("adjust.schemes.total_cost_gbp_k*", 2, "adjust.schemes.total_cost_gbp_k*", "scheme_costs.cost_gbp_k"),
    ("adjust.bed_types.ward_size", 2.5, "adjust.bed_types.ward_size", "not a whole number"),
    ("adjust.bed_types.occupancy", "x", "adjust.bed_types.occupancy", "valid number"),
])
def test_bad_keys_are_located_in_the_scenario(tmp_path: Path, key: str, value: object, column: str,
                                              words: str) -> None:
    path = tiny_scenario(tmp_path)
    with pytest.raises(InputError) as e:
        build_instance(load_scenario(path, {key: value}))
    [p] = e.value.problems
    assert p.file.endswith("scenario.toml") and p.column == column and words in str(p), str(p)


def test_out_of_range_result_names_the_data_row(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    with pytest.raises(InputError) as e:
        build_instance(load_scenario(path, {"adjust.bed_types.occupancy*": 1.5}))
    [p] = e.value.problems
    assert p.file.endswith("bed_types.csv") and p.row == 2 and p.column == "occupancy"
    assert "1.35" in p.message and "scenario.toml" in p.message and "≤ 1" in (p.expected or "")


def test_cross_table_checks_run_after_adjusting(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    with pytest.raises(InputError) as e:
        build_instance(load_scenario(path, {"adjust.beds_today.beds[site_id=A]": 500}))
    [p] = e.value.problems
    assert p.file.endswith("sites.csv") and p.column == "bed_capacity" and "after the [adjust]" in p.message


def test_cli_exit_2_with_located_error_and_nothing_written(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    path.write_text(path.read_text() + '\n[adjust]\n"bed_types.occupancy[icu]" = 0.9\n')
    r = runner.invoke(app, ["validate", str(path)])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "column 'adjust.bed_types.occupancy[icu]'" in r.output and "acute" in r.output
    out = tmp_path / "runs" / "x"
    r = runner.invoke(app, ["solve", str(path), "--out", str(out)])
    assert r.exit_code == 2 and not (tmp_path / "runs").exists()


def test_access_rules_are_reachable_by_service(tmp_path: Path) -> None:
    path = tiny_scenario(tmp_path)
    sc = load_scenario(path, {"access.ip.max_minutes": 30, "access.ip.mode": "blue_light"})
    assert [(a.service, a.max_minutes, a.mode) for a in sc.access] == [("ip", 30, "blue_light")]


def test_documented_examples_are_valid_on_the_llr_data(tmp_path: Path) -> None:
    import re

    from reconfig.analysis.sweep.plan import Parameter, check_keys

    root = Path(__file__).resolve().parents[1]
    blocks = re.findall(r"```toml\n(.*?)```", (root / "docs" / "sweep.md").read_text(encoding="utf-8"), re.S)
    path = tmp_path / "doc.toml"
    path.write_text(f'name = "doc"\ndata = "{root / "data" / "llr"}"\nbase_year = "2016/17"\n'
                    'horizon = ["2017/18", "2018/19", "2019/20", "2020/21"]\n' + "\n".join(blocks))
    sc = load_scenario(path)
    assert len(sc.adjust) == 6 and [s.label for s in sc.sweep] == ["Discount rate", "Capital cost overrun"]
    occupancy = build_instance(sc).bed_types["occupancy"]
    assert occupancy["acute"] == 0.95 and occupancy["rehab"] == 0.9
    check_keys(sc, [Parameter(s.key, s.values) for s in sc.sweep])
