"""Run catalogue: a DuckDB index (`<runs folder>/catalogue.duckdb`) of the run directories in a folder.

Every run directory holds a `manifest.json` (kind, scenario, input hash, code and solver versions, timings,
status); the catalogue only indexes them, so it can always be rebuilt from the manifests. A run directory is
registered when `reconfig.results.rundir.run_directory` moves it into place, by the parent process only; `reindex`
(run by `reconfig runs list`) adds runs not yet indexed, refreshes changed manifests and drops runs whose
directory is gone. Any kind of run (solve, compare, sweep, pareto, …) is indexed the same way: common columns
are read from the manifest when present and the whole manifest is kept as JSON. A sweep still running or
interrupted (`<name>.partial`, docs/sweep.md) is listed as incomplete. Reference: docs/runs.md.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FILE = "catalogue.duckdb"
SCHEMA_VERSION = 1
PARTIAL = ".partial"
COLUMNS: dict[str, str] = {
    "run_id": "VARCHAR PRIMARY KEY", "kind": "VARCHAR", "scenario_name": "VARCHAR", "scenario": "VARCHAR",
    "option": "VARCHAR", "status": "VARCHAR", "objective": "DOUBLE", "mip_gap": "DOUBLE", "created": "VARCHAR",
    "wall_seconds": "DOUBLE", "input_hash": "VARCHAR", "reconfig": "VARCHAR", "code_version": "VARCHAR",
    "highspy": "VARCHAR", "complete": "BOOLEAN", "path": "VARCHAR", "manifest_mtime": "DOUBLE",
    "manifest": "VARCHAR", "indexed_at": "VARCHAR",
}
LOCK_WAIT_SECONDS = 10.0


class CatalogueError(Exception):
    """The catalogue cannot be opened (locked by another process, unwritable folder)."""


def catalogue_path(root: Path) -> Path:
    return Path(root) / FILE


def _is_lock_error(e: Exception) -> bool:
    text = str(e).lower()
    return "lock" in text or "resource temporarily unavailable" in text


def _open(path: Path, wait: float) -> Any:
    import duckdb

    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.Error as e:
            if _is_lock_error(e):
                if time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                raise CatalogueError(f"the run catalogue {path} is locked by another reconfig process; try again "
                                     f"when it finishes ({e})") from None
            raise


@contextmanager
def connect(root: Path, wait: float | None = None) -> Iterator[Any]:
    """A connection to ROOT/catalogue.duckdb with the current schema. A corrupt or outdated file is moved
    aside (`catalogue.duckdb.corrupt-<time>`) and rebuilt from the manifests: it is only an index."""
    import duckdb

    path = catalogue_path(root)
    wait = LOCK_WAIT_SECONDS if wait is None else wait
    try:
        Path(root).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CatalogueError(f"cannot create the runs folder {root}: {e}") from None
    try:
        con = _open(path, wait)
        version = _schema_version(con)
    except (duckdb.Error, OSError) as e:
        if isinstance(e, duckdb.Error) and _is_lock_error(e):
            raise CatalogueError(f"the run catalogue {path} is locked: {e}") from None
        aside = path.with_name(f"{FILE}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        print(f"reconfig: the run catalogue {path} could not be read ({e}); moved to {aside.name} and rebuilt "
              "from the run manifests", file=sys.stderr)
        path.replace(aside)
        Path(f"{path}.wal").unlink(missing_ok=True)
        con = _open(path, wait)
        version = None
    try:
        if version != SCHEMA_VERSION:
            con.execute("DROP TABLE IF EXISTS runs")
            con.execute("DROP TABLE IF EXISTS meta")
            con.execute("CREATE TABLE meta (schema_version INTEGER)")
            con.execute("INSERT INTO meta VALUES (?)", [SCHEMA_VERSION])
            con.execute("CREATE TABLE runs (" + ", ".join(f"{k} {t}" for k, t in COLUMNS.items()) + ")")
        yield con
    finally:
        con.close()


def _schema_version(con: Any) -> int | None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "meta" not in tables or "runs" not in tables:
        return None
    row = con.execute("SELECT schema_version FROM meta").fetchone()
    return int(row[0]) if row else None


def _number(v: Any) -> float | None:
    try:
        return float(v) if v is not None and not isinstance(v, bool) else None
    except (TypeError, ValueError):
        return None


def row_for(run_dir: Path) -> dict[str, Any] | None:
    """The catalogue row of a run directory, read from its manifest.json (None when it has none)."""
    mpath = run_dir / "manifest.json"
    try:
        man = json.loads(mpath.read_text())
        mtime = mpath.stat().st_mtime
    except (OSError, ValueError):
        return None
    if not isinstance(man, dict):
        return None
    timings = man.get("timings") if isinstance(man.get("timings"), dict) else {}
    wall = timings.get("wall_seconds")
    if wall is None and timings:
        wall = sum(v for v in timings.values() if isinstance(v, int | float) and not isinstance(v, bool))
    partial = run_dir.name.endswith(PARTIAL)
    return {
        "run_id": run_dir.name, "kind": man.get("kind"), "scenario_name": man.get("scenario_name")
        or (Path(man["scenario"]).stem if man.get("scenario") else None), "scenario": man.get("scenario"),
        "option": man.get("option"), "status": "incomplete" if partial else man.get("status"),
        "objective": _number(man.get("objective")), "mip_gap": _number(man.get("mip_gap")),
        "created": man.get("created"), "wall_seconds": _number(wall), "input_hash": man.get("input_hash"),
        "reconfig": man.get("reconfig"), "code_version": man.get("code_version"), "highspy": man.get("highspy"),
        "complete": not partial, "path": str(run_dir.resolve()), "manifest_mtime": mtime,
        "manifest": json.dumps(man, default=str), "indexed_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def _upsert(con: Any, row: dict[str, Any]) -> None:
    cols = list(COLUMNS)
    con.execute(f"INSERT OR REPLACE INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [row[c] for c in cols])


def register(run_dir: Path) -> bool:
    """Index one run directory in the catalogue of its parent folder; False when it has no manifest."""
    run_dir = Path(run_dir)
    row = row_for(run_dir)
    if row is None:
        return False
    with connect(run_dir.parent) as con:
        _upsert(con, row)
    return True


def register_quietly(run_dir: Path) -> None:
    """`register`, but a catalogue problem never fails the run: it is reported and `runs list` catches up."""
    try:
        register(run_dir)
    except Exception as e:  # noqa: BLE001 - the run is complete; the index can be rebuilt
        print(f"reconfig: {run_dir} was written but not yet indexed in the run catalogue ({e}); "
              "`reconfig runs list` will index it", file=sys.stderr)


def unregister(root: Path, run_id: str) -> None:
    with connect(root) as con:
        con.execute("DELETE FROM runs WHERE run_id = ?", [run_id])


def run_dirs(root: Path) -> list[Path]:
    """Run directories in `root`: folders with a manifest.json (not the hidden ones still being written)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                  and (p / "manifest.json").is_file())


def reindex(root: Path, rebuild: bool = False) -> dict[str, int]:
    """Bring the catalogue in line with the run directories in `root`; counts of added/updated/removed."""
    dirs = {p.name: p for p in run_dirs(root)}
    counts = {"added": 0, "updated": 0, "removed": 0}
    with connect(root) as con:
        if rebuild:
            con.execute("DELETE FROM runs")
        known = dict(con.execute("SELECT run_id, manifest_mtime FROM runs").fetchall())
        for run_id, p in dirs.items():
            try:
                mtime = (p / "manifest.json").stat().st_mtime
            except OSError:
                continue
            if run_id in known and known[run_id] == mtime:
                continue
            row = row_for(p)
            if row is not None:
                _upsert(con, row)
                counts["updated" if run_id in known else "added"] += 1
        for run_id in set(known) - set(dirs):
            con.execute("DELETE FROM runs WHERE run_id = ?", [run_id])
            counts["removed"] += 1
    return counts


LIST_COLUMNS = ("run_id", "kind", "scenario_name", "option", "status", "objective", "mip_gap", "created",
                "wall_seconds", "input_hash", "code_version", "complete", "path")


def list_runs(root: Path, kind: str | None = None, scenario: str | None = None) -> list[dict[str, Any]]:
    """Indexed runs (after a reindex), newest first; `scenario` matches the scenario name or file."""
    if not Path(root).is_dir():
        return []
    reindex(root)
    where, args = [], []
    if kind:
        where.append("kind = ?")
        args.append(kind)
    if scenario:
        where.append("(scenario_name = ? OR scenario LIKE ?)")
        args += [scenario, f"%{scenario}%"]
    sql = f"SELECT {', '.join(LIST_COLUMNS)} FROM runs" + (f" WHERE {' AND '.join(where)}" if where else "") + \
        " ORDER BY created DESC, run_id DESC"
    with connect(root) as con:
        rows = con.execute(sql, args).fetchall()
    return [dict(zip(LIST_COLUMNS, r, strict=True)) for r in rows]


def find_run(root: Path, ref: str) -> Path:
    """A run directory from a path, a run id in `root`, or a unique prefix of one."""
    p = Path(ref)
    if (p / "manifest.json").is_file():
        return p
    dirs = {d.name: d for d in run_dirs(root)}
    if ref in dirs:
        return dirs[ref]
    matches = [d for name, d in dirs.items() if name.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise LookupError(f"no run '{ref}' in {root} (and no run directory at that path)")
    raise LookupError(f"'{ref}' matches {len(matches)} runs in {root}: "
                      + ", ".join(sorted(d.name for d in matches)[:8]))
