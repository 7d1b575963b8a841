"""Reading and validating the input tables of a health system (CSV folder or one .xlsx workbook)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from reconfig.inputs.errors import ProblemLog
from reconfig.inputs.roles import check_roles
from reconfig.inputs.scenario import fy_start
from reconfig.inputs.schema import TABLE_BY_NAME, TABLES, Column, Table
from reconfig.inputs.system import System, split_list

SOURCE_REF = re.compile(r"^\d{3}:L\d+(-\d+)?$")
ASSUMPTION_REF = re.compile(r"^assumption:([A-Za-z0-9_.\-]+)$")
ID = re.compile(r"^[A-Za-z0-9_.\-]+$")
NEED_ROWS = ("sites", "services", "site_services", "zones", "demand")
TRUE = {"true", "1", "yes", "y"}
FALSE = {"false", "0", "no", "n", ""}


def _read_raw(where: Path, log: ProblemLog) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    raw: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    if where.suffix.lower() == ".xlsx":
        try:
            sheets = pd.read_excel(where, sheet_name=None, dtype=str, keep_default_na=False)
        except Exception as e:  # openpyxl raises many types for a corrupt workbook
            log.add(str(where), f"cannot read workbook: {e}")
            return raw, files
        for table in TABLES:
            files[table.name] = f"{where.name}[{table.name}]"
            if table.name in sheets:
                raw[table.name] = sheets[table.name]
        for extra in set(sheets) - set(TABLE_BY_NAME):
            if extra not in ("travel_matrix", "README"):
                log.add(f"{where.name}[{extra}]", "unknown sheet", expected=", ".join(TABLE_BY_NAME))
    else:
        for table in TABLES:
            path = where / f"{table.name}.csv"
            files[table.name] = str(path)
            if path.exists():
                try:
                    raw[table.name] = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True,
                                                  skip_blank_lines=False)
                except (pd.errors.ParserError, UnicodeDecodeError) as e:
                    log.add(str(path), f"not a readable CSV file: {e}")
                except pd.errors.EmptyDataError:
                    log.add(str(path), "file is empty", expected="a header row naming the columns")
    for name, df in raw.items():  # index = line (CSV) or row (sheet) number, header = 1; drop blank lines
        df.index = pd.RangeIndex(2, len(df) + 2)
        raw[name] = df[~df.apply(lambda s: s.astype(str).str.strip().eq("")).all(axis=1)]
    for table in TABLES:
        if table.name not in raw and not table.optional and table.name in files:
            if not any(p.file == files[table.name] for p in log.problems):
                log.add(files[table.name], "required table is missing",
                        expected=f"columns {', '.join(c.name for c in table.columns)}")
    return raw, files


def _parse_cell(col: Column, text: str) -> tuple[object, str | None]:
    """Return (value, error message or None)."""
    text = text.strip()
    if text == "":
        if col.required:
            return None, "value is missing"
        return col.default, None
    k = col.kind
    if k in ("id",):
        if col.wildcard and text == "*":
            return text, None
        return (text, None) if ID.match(text) else (None, "not a valid identifier (letters, digits, _ . -)")
    if k in ("str", "source"):
        return text, None
    if k == "idlist":
        items = split_list(text)
        bad = [i for i in items if not (ID.match(i) or (col.wildcard and i == "*"))]
        return (items, None) if items and not bad else (None, "not a ';'-separated list of identifiers")
    if k in ("int", "float"):
        try:
            v = float(text.replace(",", "")) if k == "float" else float(text.replace(",", ""))
        except ValueError:
            return None, "not a number"
        if v != v or v in (float("inf"), float("-inf")):
            return None, "not a finite number"
        if k == "int":
            if v != int(v):
                return None, "not a whole number"
            v = int(v)
        if col.minimum is not None and (v < col.minimum or (col.exclusive_minimum and v == col.minimum)):
            return None, "out of range"
        if col.maximum is not None and v > col.maximum:
            return None, "out of range"
        return v, None
    if k == "bool":
        low = text.lower()
        if low in TRUE:
            return True, None
        if low in FALSE:
            return False, None
        return None, "not true/false"
    if k in ("year", "year_or_total"):
        if k == "year_or_total" and text.lower() == "total":
            return "total", None
        try:
            fy_start(text)
        except ValueError:
            return None, "not a financial year"
        return text, None
    if k == "enum":
        return (text, None) if text in col.choices else (None, "not one of the allowed values")
    raise AssertionError(k)


def _expected(col: Column) -> str:
    k = col.kind
    if k in ("int", "float"):
        rng = []
        if col.minimum is not None:
            rng.append(("> " if col.exclusive_minimum else "≥ ") + f"{col.minimum:g}")
        if col.maximum is not None:
            rng.append(f"≤ {col.maximum:g}")
        noun = "a whole number" if k == "int" else "a number"
        return noun + (" " + " and ".join(rng) if rng else "")
    if k == "bool":
        return "true or false"
    if k == "year":
        return "a financial year such as 2017/18"
    if k == "year_or_total":
        return "a financial year such as 2017/18, or 'total'"
    if k == "enum":
        return "one of " + ", ".join(col.choices)
    if k == "idlist":
        return "identifiers separated by ';'" + (" or '*'" if col.wildcard else "")
    if k == "id":
        return "an identifier" + (" or '*'" if col.wildcard else "")
    return col.doc


def _typed(table: Table, df: pd.DataFrame, file: str, log: ProblemLog) -> pd.DataFrame:
    known = set(table.columns_by_name)
    for c in df.columns:
        if c not in known:
            log.add(file, "unknown column", column=c, expected=", ".join(table.columns_by_name))
    out: dict[str, list] = {"_row": [int(i) for i in df.index]}
    for col in table.columns:
        if col.name not in df.columns:
            if col.required:
                log.add(file, "required column is missing", column=col.name, expected=col.doc)
            out[col.name] = [col.default] * len(df)
            continue
        values = []
        for i, text in enumerate(df[col.name].astype(str)):
            v, err = _parse_cell(col, text)
            if err:
                log.add(file, err, row=out["_row"][i], column=col.name, value=text, expected=_expected(col))
            values.append(v)
        out[col.name] = values
    typed = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in out.items()})
    if table.key and not typed.empty:
        dup = typed.duplicated(list(table.key), keep="first")
        for _, r in typed[dup].iterrows():
            log.add(file, "duplicate entry", row=int(r["_row"]), column=", ".join(table.key),
                    value=" / ".join(str(r[k]) for k in table.key), expected="each combination once")
    return typed


def _check_refs(system: System, log: ProblemLog) -> None:
    for table in TABLES:
        df = system.tables.get(table.name)
        if df is None:
            continue
        for col in table.columns:
            if not col.ref:
                continue
            ref_table, ref_col = col.ref.split(".")
            target = system.tables.get(ref_table)
            known = set(target[ref_col].dropna()) if target is not None else set()
            for row, v in zip(df["_row"], df[col.name], strict=True):
                items = v if isinstance(v, list) else [v]
                for item in items:
                    if item is None or (col.wildcard and item == "*"):
                        continue
                    if item not in known:
                        log.add(system.files[table.name], f"unknown {ref_col.replace('_id', '')} '{item}'",
                                row=int(row), column=col.name, value=item,
                                expected=f"an id listed in {ref_table}")


def _check_sources(system: System, log: ProblemLog) -> None:
    assumptions = set(system.tables["assumptions"]["assumption_id"]) if "assumptions" in system.tables else set()
    for file, row, ref in system.sources():
        m = ASSUMPTION_REF.match(ref)
        if m:
            if m.group(1) not in assumptions:
                log.add(file, f"assumption '{m.group(1)}' is not defined in assumptions", row=row,
                        column="source", value=ref, expected="an assumption_id from assumptions.csv")
        elif not SOURCE_REF.match(ref):
            log.add(file, "not a source reference", row=row, column="source", value=ref,
                    expected="'NNN:L123' (document and line) or 'assumption:<id>'")


def _check_semantics(system: System, log: ProblemLog) -> None:
    t, f = system.tables, system.files
    costs = t.get("scheme_costs")
    if "schemes" in t and costs is not None:
        sums = costs.groupby("scheme_id")["cost_gbp_k"].sum()
        for _, r in t["schemes"].iterrows():
            total = r["total_cost_gbp_k"]
            got = float(sums.get(r["scheme_id"], 0.0))
            if total is not None and abs(got - total) > 0.5:
                log.add(f["schemes"], f"cost profile in scheme_costs adds up to {got:,.1f}, not the total",
                        row=int(r["_row"]), column="total_cost_gbp_k", value=total,
                        expected=f"{got:,.1f} (the sum of the scheme's yearly costs)")
    if "site_services" in t:
        for _, r in t["site_services"].iterrows():
            if r["today"] and r["can_host"] is False:
                log.add(f["site_services"], "provided today but marked as unable to host", row=int(r["_row"]),
                        column="can_host", value="false", expected="true where today is true")
    if "zones" in t and not t["zones"].empty and t["zones"]["population"].fillna(0).sum() <= 0:
        log.add(f["zones"], "total population is zero", column="population", expected="some residents")
    if "beds_today" in t and "sites" in t:
        sites = t["sites"].drop_duplicates("site_id").set_index("site_id")
        cap = sites["bed_capacity"]
        total = t["beds_today"].groupby("site_id")["beds"].sum()
        for site, beds in total.items():
            if site in cap.index and cap[site] is not None and beds > cap[site]:
                log.add(f["sites"], f"site has {beds} beds today but bed_capacity {cap[site]}",
                        row=int(sites.loc[site, "_row"]), column="bed_capacity",
                        value=cap[site], expected=f"at least {beds}")
    if "services" in t and "demand" in t:
        demand = t["demand"].drop_duplicates("service_id").set_index("service_id")
        los = demand["los_days"]
        for _, r in t["services"].iterrows():
            if r["bed_type"] and r["service_id"] in los.index and los[r["service_id"]] is None:
                log.add(f["demand"], f"service '{r['service_id']}' uses beds but has no length of stay",
                        row=int(demand.loc[r["service_id"], "_row"]),
                        column="los_days", expected="bed-days per unit")
            lo, hi = r["min_sites"], r["max_sites"]
            if lo is not None and hi is not None and lo > hi:
                log.add(f["services"], "min_sites exceeds max_sites", row=int(r["_row"]), column="min_sites",
                        value=lo, expected=f"at most {hi}")
    if "schemes" in t:
        for _, r in t["schemes"].iterrows():
            if r["earliest_start"] and r["latest_start"] and fy_start(r["earliest_start"]) > fy_start(
                    r["latest_start"]):
                log.add(f["schemes"], "earliest_start is after latest_start", row=int(r["_row"]),
                        column="earliest_start", value=r["earliest_start"],
                        expected=f"not after {r['latest_start']}")
    if "scheme_prereqs" in t:
        for _, r in t["scheme_prereqs"].iterrows():
            if r["scheme_id"] == r["requires_scheme_id"]:
                log.add(f["scheme_prereqs"], "a scheme cannot depend on itself", row=int(r["_row"]),
                        column="requires_scheme_id", value=r["requires_scheme_id"], expected="another scheme")
    if "scheme_effects" in t:
        for _, r in t["scheme_effects"].iterrows():
            if r["effect"] == "enable_service" and not r["service_id"]:
                log.add(f["scheme_effects"], "enable_service needs a service", row=int(r["_row"]),
                        column="service_id", expected="a service id")
            if r["effect"] == "add_capacity" and r["amount"] is None:
                log.add(f["scheme_effects"], "add_capacity needs an amount of beds", row=int(r["_row"]),
                        column="amount", expected="a number of beds")
    if "rules" in t:
        for _, r in t["rules"].iterrows():
            if r["rule"] in ("requires", "excludes") and not r["other_service_id"]:
                log.add(f["rules"], f"a '{r['rule']}' rule needs other_service_id", row=int(r["_row"]),
                        column="other_service_id", expected="a service id")
    _check_options(system, log)
    check_roles(system, log)


def _check_options(system: System, log: ProblemLog) -> None:
    opts = system.tables.get("options")
    if opts is None:
        return
    file = system.files["options"]
    schemes = set(system.tables["schemes"]["scheme_id"]) if "schemes" in system.tables else set()
    dschemes = set(system.tables["demand_schemes"]["scheme_id"]) if "demand_schemes" in system.tables else set()
    needs = {"service": ("site_id", "service_id", "value"), "beds": ("site_id", "bed_type", "value"),
             "scheme_start": ("scheme_id", "from_year"), "no_scheme": ("scheme_id",),
             "disposal": ("disposal_id", "from_year"), "demand_scheme_start": ("scheme_id", "from_year")}
    for _, r in opts.iterrows():
        for colname in needs.get(r["item"], ()):  # an unknown item is already reported
            if r[colname] in (None, ""):
                log.add(file, f"a '{r['item']}' row needs {colname}", row=int(r["_row"]), column=colname,
                        expected=f"{colname} for a '{r['item']}' option")
        sid = r["scheme_id"]
        if sid and r["item"] in ("scheme_start", "no_scheme") and sid not in schemes:
            log.add(file, f"unknown scheme '{sid}'", row=int(r["_row"]), column="scheme_id", value=sid,
                    expected="an id listed in schemes")
        if sid and r["item"] == "demand_scheme_start" and sid not in dschemes:
            log.add(file, f"unknown demand scheme '{sid}'", row=int(r["_row"]), column="scheme_id", value=sid,
                    expected="an id listed in demand_schemes")


def check_years(system: System, base_year: str, horizon: list[str], log: ProblemLog) -> None:
    """Years in the data must fall in the scenario's horizon."""
    allowed = set(horizon)
    for table in TABLES:
        df = system.tables.get(table.name)
        if df is None:
            continue
        for col in table.columns:
            if col.kind != "year":
                continue
            for row, v in zip(df["_row"], df[col.name], strict=True):
                if v and v not in allowed:
                    log.add(system.files[table.name], "year outside the scenario horizon", row=int(row),
                            column=col.name, value=v, expected=f"one of {', '.join(horizon)}")
    funding = system.tables.get("funding")
    if funding is not None:
        for row, v in zip(funding["_row"], funding["year"], strict=True):
            if v and v != "total" and v not in allowed:
                log.add(system.files["funding"], "year outside the scenario horizon", row=int(row), column="year",
                        value=v, expected=f"one of {', '.join(horizon)} or 'total'")
    costs = system.tables.get("scheme_costs")
    if costs is not None:
        for row, off in zip(costs["_row"], costs["year_offset"], strict=True):
            if off is not None and off >= len(horizon) + 20:
                log.add(system.files["scheme_costs"], "cost falls implausibly far after the start", row=int(row),
                        column="year_offset", value=off, expected="fewer than 20 years after the horizon")


def load_system(where: str | Path) -> System:
    """Read and validate every table; raises InputError listing every problem found."""
    where = Path(where)
    log = ProblemLog()
    if not where.exists():
        log.add(str(where), "data folder or workbook not found")
        log.raise_if_any()
    raw, files = _read_raw(where, log)
    if not files:  # unreadable workbook: nothing to check further
        log.raise_if_any()
    system = System(str(where), files=files)
    for name, df in raw.items():
        system.tables[name] = _typed(TABLE_BY_NAME[name], df, files[name], log)
    for table in TABLES:  # optional tables absent: empty frames with the right columns
        if table.name not in system.tables:
            system.tables[table.name] = pd.DataFrame(columns=["_row", *table.columns_by_name], dtype=object)
    for name in NEED_ROWS:
        df = system.tables[name]
        if name in raw and df.empty and not any(p.file == files[name] for p in log.problems):
            log.add(files[name], "table has no rows", expected=f"at least one row of {name}")
    _check_refs(system, log)
    _check_sources(system, log)
    _check_semantics(system, log)
    log.raise_if_any()
    return system
