"""Bad-input corpus: every kind of broken input is reported as a located Problem (file, row, column, message).

Each case copies the valid LLR system (data/llr) to a temporary folder, breaks one thing (a cell, a row,
a column or a whole file) and checks the InputError. Rows are CSV line numbers with the header as line 1
(the spreadsheet row for a workbook sheet). Scenario (TOML) problems and the .xlsx route are covered at the end.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from reconfig.inputs.errors import InputError, Problem, ProblemLog
from reconfig.inputs.scenario import load_scenario
from reconfig.inputs.schema import TABLES
from reconfig.inputs.tables import check_years, load_system

ROOT = Path(__file__).resolve().parents[1]
LLR = ROOT / "data" / "llr"
HORIZON = ["2017/18", "2018/19", "2019/20", "2020/21"]


# ------------------------------------------------------------------ editing helpers


def _path(d: Path, table: str) -> Path:
    return d / f"{table}.csv"


def _rows(d: Path, table: str) -> list[list[str]]:
    with _path(d, table).open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(d: Path, table: str, rows: list[list[str]]) -> None:
    with _path(d, table).open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def line_of(d: Path, table: str, **where: str) -> int:
    """CSV line number (header = 1) of the first row matching every column=value in `where`."""
    rows = _rows(d, table)
    head = rows[0]
    for n, r in enumerate(rows[1:], start=2):
        if all(r[head.index(c)] == v for c, v in where.items()):
            return n
    raise LookupError(f"{table}: no row with {where}")


def set_cell(d: Path, table: str, column: str, value: str, line: int | None = None, **where: str) -> int:
    """Set one cell (in `line`, or the first row matching `where`, else line 2); returns its line number."""
    rows = _rows(d, table)
    n = line or (line_of(d, table, **where) if where else 2)
    rows[n - 1][rows[0].index(column)] = value
    _write(d, table, rows)
    return n


def get_cell(d: Path, table: str, column: str, line: int) -> str:
    rows = _rows(d, table)
    return rows[line - 1][rows[0].index(column)]


def append_copy(d: Path, table: str, line: int = 2, **changes: str) -> int:
    """Append a copy of `line` with some cells changed; returns the new line number."""
    rows = _rows(d, table)
    new = list(rows[line - 1])
    for c, v in changes.items():
        new[rows[0].index(c)] = v
    rows.append(new)
    _write(d, table, rows)
    return len(rows)


def drop_column(d: Path, table: str, column: str) -> None:
    rows = _rows(d, table)
    i = rows[0].index(column)
    _write(d, table, [r[:i] + r[i + 1:] for r in rows])


def add_column(d: Path, table: str, column: str, value: str = "x") -> None:
    rows = _rows(d, table)
    _write(d, table, [rows[0] + [column]] + [r + [value] for r in rows[1:]])


def bedded_service(d: Path) -> str:
    services = pd.read_csv(_path(d, "services"), dtype=str, keep_default_na=False)
    return services.loc[services.bed_type != "", "service_id"].iloc[0]


# ------------------------------------------------------------------ the corpus

ANY = object()  # row or column not checked


@dataclass(frozen=True)
class Case:
    id: str
    table: str  # file the problem is reported in: <table>.csv
    edit: Callable[[Path], int | None]  # breaks the copy; returns the expected row (None: whole-file problem)
    column: str | None | object
    fragment: str  # part of the message
    years: bool = False  # found by check_years (scenario horizon), not by load_system


def _missing_table(d: Path) -> None:
    _path(d, "sites").unlink()


def _empty_file(d: Path) -> None:
    _path(d, "services").write_text("", encoding="utf-8")


def _unreadable(d: Path) -> None:
    with _path(d, "bed_types").open("a", encoding="utf-8") as fh:
        fh.write("extra,row,with,far,too,many,fields,here,really\n")


def _unknown_column(d: Path) -> None:
    add_column(d, "zones", "colour")


def _missing_column(d: Path) -> None:
    drop_column(d, "zones", "population")


def _blank_lines_keep_numbering(d: Path) -> int:
    rows = _rows(d, "sites")
    rows.insert(1, [])  # a blank line after the header, and another before the broken row
    rows.insert(3, [])
    _write(d, "sites", rows)
    return set_cell(d, "sites", "lat", "95", line=5)  # site_id of the data row originally on line 3


def _cost_profile(d: Path) -> int:
    n = line_of(d, "scheme_costs", scheme_id="reprovision", year_offset="0")
    set_cell(d, "scheme_costs", "cost_gbp_k", str(float(get_cell(d, "scheme_costs", "cost_gbp_k", n)) + 1000), n)
    return line_of(d, "schemes", scheme_id="reprovision")


def _beds_over_capacity(d: Path) -> int:
    set_cell(d, "beds_today", "beds", "5000", site_id="LRI", bed_type="acute")
    return line_of(d, "sites", site_id="LRI")


def _no_los(d: Path) -> int:
    return set_cell(d, "demand", "los_days", "", service_id=bedded_service(d))


def _min_over_max(d: Path) -> int:
    n = set_cell(d, "services", "min_sites", "4", service_id="ed")
    set_cell(d, "services", "max_sites", "3", n)
    return n


def _earliest_after_latest(d: Path) -> int:
    n = set_cell(d, "schemes", "earliest_start", "2019/20", scheme_id="reprovision")
    set_cell(d, "schemes", "latest_start", "2018/19", n)
    return n


def _self_dependency(d: Path) -> int:
    return set_cell(d, "scheme_prereqs", "requires_scheme_id", get_cell(d, "scheme_prereqs", "scheme_id", 2), 2)


def _option_missing_field(d: Path) -> int:
    return set_cell(d, "options", "from_year", "", item="scheme_start")


def _today_cannot_host(d: Path) -> int:
    n = line_of(d, "site_services", today="true")
    return set_cell(d, "site_services", "can_host", "false", n)


CASES: list[Case] = [
    # files and columns
    Case("missing-required-table", "sites", _missing_table, None, "required table is missing"),
    Case("empty-file", "services", _empty_file, None, "file is empty"),
    Case("unreadable-csv", "bed_types", _unreadable, None, "not a readable CSV file"),
    Case("unknown-column", "zones", _unknown_column, "colour", "unknown column"),
    Case("missing-required-column", "zones", _missing_column, "population", "required column is missing"),
    # cell types and ranges
    Case("missing-value", "sites", lambda d: set_cell(d, "sites", "name", "", site_id="LRI"), "name",
         "value is missing"),
    Case("not-a-number", "zones", lambda d: set_cell(d, "zones", "lat", "fifty-two"), "lat", "not a number"),
    Case("not-finite", "zones", lambda d: set_cell(d, "zones", "lon", "inf"), "lon", "not a finite number"),
    Case("not-a-whole-number", "bed_types", lambda d: set_cell(d, "bed_types", "ward_size", "28.5"), "ward_size",
         "not a whole number"),
    Case("negative-population", "zones", lambda d: set_cell(d, "zones", "population", "-5"), "population",
         "out of range"),
    Case("negative-beds", "beds_today", lambda d: set_cell(d, "beds_today", "beds", "-1"), "beds", "out of range"),
    Case("occupancy-above-one", "bed_types", lambda d: set_cell(d, "bed_types", "occupancy", "1.5"), "occupancy",
         "out of range"),
    Case("occupancy-zero", "bed_types", lambda d: set_cell(d, "bed_types", "occupancy", "0"), "occupancy",
         "out of range"),
    Case("latitude-95", "sites", lambda d: set_cell(d, "sites", "lat", "95"), "lat", "out of range"),
    Case("bad-boolean", "sites", lambda d: set_cell(d, "sites", "open_today", "maybe"), "open_today",
         "not true/false"),
    Case("year-with-dash", "growth", lambda d: set_cell(d, "growth", "year", "2017-18"), "year",
         "not a financial year"),
    Case("year-not-consecutive", "funding", lambda d: set_cell(d, "funding", "year", "2017/19"), "year",
         "not a financial year"),
    Case("enum-not-allowed", "sites", lambda d: set_cell(d, "sites", "kind", "hospital"), "kind",
         "not one of the allowed values"),
    Case("bad-identifier", "zones", lambda d: set_cell(d, "zones", "zone_id", "LC 01"), "zone_id",
         "not a valid identifier"),
    Case("bad-id-list", "disposals", lambda d: set_cell(d, "disposals", "vacates", ";;"), "vacates",
         "not a ';'-separated list"),
    Case("unknown-option-item", "options", lambda d: set_cell(d, "options", "item", "wish"), "item",
         "not one of the allowed values"),
    Case("blank-lines-keep-line-numbers", "sites", _blank_lines_keep_numbering, "lat", "out of range"),
    # keys and references
    Case("duplicate-key", "sites", lambda d: append_copy(d, "sites", 2), "site_id", "duplicate entry"),
    Case("scheme-on-unknown-site", "schemes", lambda d: set_cell(d, "schemes", "site_id", "NOWHERE"), "site_id",
         "unknown site 'NOWHERE'"),
    Case("rule-unknown-service", "rules", lambda d: set_cell(d, "rules", "service_id", "brain_surgery"),
         "service_id", "unknown service 'brain_surgery'"),
    Case("site-service-unknown-service", "site_services",
         lambda d: set_cell(d, "site_services", "service_id", "teleport"), "service_id", "unknown service 'teleport'"),
    Case("eligibility-unknown-scheme", "funding_eligibility",
         lambda d: set_cell(d, "funding_eligibility", "scheme_id", "ghost"), "scheme_id", "unknown scheme 'ghost'"),
    Case("eligibility-unknown-funding", "funding_eligibility",
         lambda d: set_cell(d, "funding_eligibility", "funding_id", "lottery"), "funding_id",
         "unknown funding 'lottery'"),
    Case("disposal-vacates-unknown-service", "disposals",
         lambda d: set_cell(d, "disposals", "vacates", "acute_inpatient;teleport", disposal_id="lgh_acute"),
         "vacates", "unknown service 'teleport'"),
    Case("beds-unknown-bed-type", "beds_today", lambda d: set_cell(d, "beds_today", "bed_type", "hammock"),
         "bed_type", "unknown bed_type 'hammock'"),
    # sources
    Case("source-missing", "bed_types", lambda d: set_cell(d, "bed_types", "source", ""), "source",
         "value is missing"),
    Case("source-malformed", "sites", lambda d: set_cell(d, "sites", "source", "page 3"), "source",
         "not a source reference"),
    Case("source-one-of-list-malformed", "zones", lambda d: set_cell(d, "zones", "source", "002:L292;p. 3"),
         "source", "not a source reference"),
    Case("assumption-not-defined", "demand", lambda d: set_cell(d, "demand", "source", "assumption:made-up"),
         "source", "assumption 'made-up' is not defined"),
    # meaning
    Case("cost-profile-not-total", "schemes", _cost_profile, "total_cost_gbp_k", "cost profile"),
    Case("today-but-cannot-host", "site_services", _today_cannot_host, "can_host",
         "provided today but marked as unable to host"),
    Case("beds-today-over-capacity", "sites", _beds_over_capacity, "bed_capacity", "beds today but bed_capacity"),
    Case("bedded-service-without-los", "demand", _no_los, "los_days", "uses beds but has no length of stay"),
    Case("min-sites-over-max", "services", _min_over_max, "min_sites", "min_sites exceeds max_sites"),
    Case("earliest-after-latest", "schemes", _earliest_after_latest, "earliest_start",
         "earliest_start is after latest_start"),
    Case("scheme-depends-on-itself", "scheme_prereqs", _self_dependency, "requires_scheme_id",
         "cannot depend on itself"),
    Case("enable-service-without-service", "scheme_effects",
         lambda d: set_cell(d, "scheme_effects", "service_id", "", effect="enable_service"), "service_id",
         "enable_service needs a service"),
    Case("add-capacity-without-amount", "scheme_effects",
         lambda d: set_cell(d, "scheme_effects", "amount", "", effect="add_capacity"), "amount",
         "add_capacity needs an amount"),
    Case("requires-rule-without-other", "rules",
         lambda d: set_cell(d, "rules", "other_service_id", "", rule="requires"), "other_service_id",
         "needs other_service_id"),
    Case("option-missing-field", "options", _option_missing_field, "from_year", "a 'scheme_start' row needs"),
    Case("option-unknown-scheme", "options",
         lambda d: set_cell(d, "options", "scheme_id", "ghost", item="scheme_start"), "scheme_id",
         "unknown scheme 'ghost'"),
    Case("option-unknown-demand-scheme", "options",
         lambda d: append_copy(d, "options", line_of(d, "options", item="scheme_start"), item="demand_scheme_start",
                               scheme_id="ghost"), "scheme_id", "unknown demand scheme 'ghost'"),
    # years against the scenario horizon (check_years, run by build_instance)
    Case("growth-year-outside-horizon", "growth", lambda d: set_cell(d, "growth", "year", "2030/31"), "year",
         "year outside the scenario horizon", years=True),
    Case("scheme-earliest-start-outside-horizon", "schemes",
         lambda d: set_cell(d, "schemes", "earliest_start", "2025/26"), "earliest_start",
         "year outside the scenario horizon", years=True),
    Case("funding-year-outside-horizon", "funding", lambda d: set_cell(d, "funding", "year", "2030/31"), "year",
         "year outside the scenario horizon", years=True),
    Case("disposal-year-outside-horizon", "disposals",
         lambda d: set_cell(d, "disposals", "earliest_year", "2012/13"), "earliest_year",
         "year outside the scenario horizon", years=True),
]


@pytest.fixture
def llr(tmp_path: Path) -> Path:
    """A private, valid copy of the LLR tables."""
    d = tmp_path / "llr"
    shutil.copytree(LLR, d, ignore=shutil.ignore_patterns("roads", "*.md"))
    return d


def problems_of(d: Path, years: bool = False) -> list[Problem]:
    """Problems load_system (and, with `years`, check_years for the LLR horizon) reports for `d`."""
    with pytest.raises(InputError) as exc:
        system = load_system(d)
        if years:
            log = ProblemLog()
            check_years(system, "2016/17", HORIZON, log)
            log.raise_if_any()
    assert str(exc.value) == "\n".join(str(p) for p in exc.value.problems)
    return exc.value.problems


def assert_reported(problems: list[Problem], file_end: str, row: object, column: object, fragment: str) -> Problem:
    for p in problems:
        assert str(p).startswith(p.file), p  # every message names its file first
    hits = [p for p in problems if p.file.endswith(file_end) and fragment in p.message
            and (row is ANY or p.row == row) and (column is ANY or p.column == column)]
    assert hits, f"no problem in {file_end} row {row} column {column} with {fragment!r}; got:\n" + "\n".join(
        str(p) for p in problems)
    return hits[0]


def test_corpus_is_large_and_distinct() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def test_unbroken_copy_is_valid(llr: Path) -> None:
    system = load_system(llr)
    log = ProblemLog()
    check_years(system, "2016/17", HORIZON, log)
    assert not log.problems


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_located(case: Case, llr: Path) -> None:
    row = case.edit(llr)
    problems = problems_of(llr, years=case.years)
    p = assert_reported(problems, f"{case.table}.csv", row, case.column, case.fragment)
    assert Path(p.file).name == f"{case.table}.csv"
    assert p.file in str(p) and (row is None or f"row {row}" in str(p))
    if p.row is not None:
        assert p.expected, p  # a cell problem says what was expected


def test_out_of_range_says_what_is_allowed(llr: Path) -> None:
    set_cell(llr, "zones", "population", "-5")
    p = assert_reported(problems_of(llr), "zones.csv", 2, "population", "out of range")
    assert p.value == "-5" and "≥ 0" in p.expected and "whole number" in p.expected
    set_cell(llr, "zones", "population", "100")
    set_cell(llr, "bed_types", "occupancy", "0")
    p = assert_reported(problems_of(llr), "bed_types.csv", 2, "occupancy", "out of range")
    assert "> 0" in p.expected and "≤ 1" in p.expected


def test_missing_folder(tmp_path: Path) -> None:
    p = assert_reported(problems_of(tmp_path / "nowhere"), "nowhere", None, None, "data folder or workbook not found")
    assert p.row is None


def test_all_problems_are_reported_together(llr: Path) -> None:
    lat = set_cell(llr, "sites", "lat", "95", site_id="LRI")
    kind = set_cell(llr, "sites", "kind", "hospital", site_id="GH")
    pop = set_cell(llr, "zones", "population", "lots")
    problems = problems_of(llr)
    assert len(problems) >= 3
    assert_reported(problems, "sites.csv", lat, "lat", "out of range")
    assert_reported(problems, "sites.csv", kind, "kind", "not one of the allowed values")
    assert_reported(problems, "zones.csv", pop, "population", "not a number")
    assert len({p.file for p in problems}) >= 2


def test_cell_errors_and_meaning_errors_together(llr: Path) -> None:
    """A broken cell does not hide problems found later (references, sources, semantics)."""
    set_cell(llr, "zones", "lat", "95")
    set_cell(llr, "schemes", "site_id", "NOWHERE")
    set_cell(llr, "sites", "source", "page 3")
    _self_dependency(llr)
    problems = problems_of(llr)
    for fragment in ("out of range", "unknown site", "not a source reference", "cannot depend on itself"):
        assert any(fragment in p.message for p in problems), fragment


# ------------------------------------------------------------------ scenario files

SCENARIO = """\
name = "bad"
data = "{data}"
base_year = "2016/17"
horizon = ["2017/18", "2018/19", "2019/20", "2020/21"]

[objective]
weights = {{ npv_cost = 1.0 }}
"""


def _scenario(tmp_path: Path, text: str | None = None) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text if text is not None else SCENARIO.format(data=LLR.as_posix()), encoding="utf-8")
    return path


SCENARIO_CASES = [
    # id, edit(text) -> text, column, fragment
    ("invalid-toml", lambda t: t + "horizon = [\n", None, "not valid TOML"),
    ("unknown-key", lambda t: t.replace('name = "bad"', 'name = "bad"\ncolour = "blue"'), "colour",
     "Extra inputs are not permitted"),
    ("unknown-nested-key", lambda t: t + "[solver]\ntime_limt = 5\n", "solver.time_limt",
     "Extra inputs are not permitted"),
    ("horizon-not-consecutive", lambda t: t.replace('"2018/19", ', ""), "horizon", "consecutive"),
    ("horizon-empty", lambda t: t.replace('["2017/18", "2018/19", "2019/20", "2020/21"]', "[]"), "horizon",
     "at least one year"),
    ("horizon-bad-label", lambda t: t.replace('"2019/20"', '"2019-20"'), "horizon", "not a financial year"),
    ("unknown-objective", lambda t: t.replace("npv_cost = 1.0", "happiness = 1.0"), "objective.weights",
     "unknown objective 'happiness'"),
    ("unknown-lexicographic-objective", lambda t: t + 'lexicographic = ["npv_cost", "fame"]\n',
     "objective.lexicographic", "unknown objective 'fame'"),
    ("base-year-after-horizon", lambda t: t.replace('base_year = "2016/17"', 'base_year = "2021/22"'), None,
     "base_year must come before"),
    ("base-year-malformed", lambda t: t.replace('base_year = "2016/17"', 'base_year = "2016-17"'), "base_year",
     "not a financial year"),
    ("missing-required-key", lambda t: t.replace('name = "bad"\n', ""), "name", "Field required"),
    ("wrong-type", lambda t: t + "\n[finance]\ndiscount_rate = \"low\"\n", "finance.discount_rate",
     "valid number"),
    ("constraint-year-outside-horizon", lambda t: t + '\n[constraints]\nfixed_until = "2030/31"\n', None,
     "not in the horizon"),
    ("bad-enum", lambda t: t + '\n[travel]\nmethod = "teleport"\n', "travel.method", "Input should be"),
]


@pytest.mark.parametrize("edit,column,fragment", [c[1:] for c in SCENARIO_CASES],
                         ids=[c[0] for c in SCENARIO_CASES])
def test_bad_scenario(tmp_path: Path, edit, column, fragment) -> None:
    path = _scenario(tmp_path, edit(SCENARIO.format(data=LLR.as_posix())))
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert_reported(exc.value.problems, "scenario.toml", None, column, fragment)


def test_scenario_data_folder_not_found(tmp_path: Path) -> None:
    path = _scenario(tmp_path, SCENARIO.format(data="../no/such/folder"))
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    p = assert_reported(exc.value.problems, "scenario.toml", None, "data", "data folder not found")
    assert p.value == "../no/such/folder"


def test_scenario_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_scenario(tmp_path / "missing.toml")
    assert_reported(exc.value.problems, "missing.toml", None, None, "scenario file not found")


def test_scenario_problems_reported_together(tmp_path: Path) -> None:
    text = SCENARIO.format(data=LLR.as_posix()).replace('name = "bad"', 'name = "bad"\ncolour = 1')
    text = text.replace("npv_cost = 1.0", "happiness = 1.0").replace('"2018/19", ', "")
    with pytest.raises(InputError) as exc:
        load_scenario(_scenario(tmp_path, text))
    assert {p.column for p in exc.value.problems} >= {"colour", "objective.weights", "horizon"}


def test_valid_scenario_with_valid_data_passes(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario(tmp_path))
    assert scenario.horizon == HORIZON and scenario.data_dir == LLR.resolve()


def test_years_checked_against_the_scenario_horizon(tmp_path: Path, llr: Path) -> None:
    """build_instance runs check_years: a year outside the scenario's horizon stops it with a located problem."""
    from reconfig.instance.build import build_instance

    row = set_cell(llr, "growth", "year", "2030/31")
    scenario = load_scenario(_scenario(tmp_path, SCENARIO.format(data=llr.as_posix())))
    with pytest.raises(InputError) as exc:
        build_instance(scenario)
    assert_reported(exc.value.problems, "growth.csv", row, "year", "year outside the scenario horizon")


# ------------------------------------------------------------------ .xlsx workbooks


def _workbook(src: Path, dest: Path, drop: tuple[str, ...] = (), extra: dict[str, pd.DataFrame] | None = None,
              edit: Callable[[dict[str, pd.DataFrame]], None] | None = None) -> Path:
    """Write every table in `src` to one workbook, one sheet per table; numbers and booleans as typed cells."""
    frames = {t.name: pd.read_csv(_path(src, t.name), keep_default_na=False)
              for t in TABLES if _path(src, t.name).exists() and t.name not in drop}
    if edit:
        edit(frames)
    frames.update(extra or {})
    with pd.ExcelWriter(dest, engine="openpyxl") as xw:
        for name, df in frames.items():
            df.to_excel(xw, sheet_name=name, index=False)
    return dest


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _workbook(LLR, tmp_path_factory.mktemp("xlsx") / "workbook.xlsx")


def test_workbook_reads_like_the_csv_folder(workbook: Path) -> None:
    from_csv, from_xlsx = load_system(LLR), load_system(workbook)
    assert set(from_csv.tables) == set(from_xlsx.tables)
    for name, df in from_csv.tables.items():
        other = from_xlsx.tables[name]
        assert len(other) == len(df), name
        assert list(other.columns) == list(df.columns), name
        assert list(other["_row"]) == list(df["_row"]), name
    for name in ("sites", "zones", "services", "schemes", "funding", "site_services"):
        pd.testing.assert_frame_equal(from_xlsx.tables[name], from_csv.tables[name], check_dtype=False)
    assert from_xlsx.files["sites"] == "workbook.xlsx[sites]"


def test_workbook_cell_error_names_sheet_and_row(tmp_path: Path) -> None:
    def edit(frames: dict[str, pd.DataFrame]) -> None:
        sites = frames["sites"]
        sites.loc[sites.site_id == "GH", "lat"] = 95.0
        zones = frames["zones"]
        zones["population"] = zones["population"].astype(object)
        zones.loc[3, "population"] = "lots"

    book = _workbook(LLR, tmp_path / "workbook.xlsx", edit=edit)
    problems = problems_of(book)
    gh = line_of(LLR, "sites", site_id="GH")
    p = assert_reported(problems, "workbook.xlsx[sites]", gh, "lat", "out of range")
    assert p.file == "workbook.xlsx[sites]" and str(p).startswith(f"workbook.xlsx[sites], row {gh}, column 'lat'")
    assert_reported(problems, "workbook.xlsx[zones]", 5, "population", "not a number")


def test_workbook_missing_and_unknown_sheets(tmp_path: Path) -> None:
    book = _workbook(LLR, tmp_path / "workbook.xlsx", drop=("beds_today",),
                     extra={"Sheet9": pd.DataFrame({"a": [1]})})
    problems = problems_of(book)
    assert_reported(problems, "workbook.xlsx[beds_today]", None, None, "required table is missing")
    assert_reported(problems, "workbook.xlsx[Sheet9]", None, None, "unknown sheet")


def test_workbook_not_readable(tmp_path: Path) -> None:
    book = tmp_path / "workbook.xlsx"
    book.write_bytes(b"this is not a zip file")
    assert_reported(problems_of(book), "workbook.xlsx", None, None, "cannot read workbook")


def test_required_table_with_header_but_no_rows_is_one_clear_problem(tmp_path):
    import shutil

    from reconfig.inputs.errors import InputError
    from reconfig.inputs.tables import load_system

    data = tmp_path / "llr"
    shutil.copytree(ROOT / "data" / "llr", data)
    sites = data / "sites.csv"
    sites.write_text(sites.read_text().splitlines()[0] + "\n")
    with pytest.raises(InputError) as e:
        load_system(data)
    assert any(p.file.endswith("sites.csv") and "no rows" in p.message for p in e.value.problems)
