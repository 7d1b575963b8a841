"""Run directories: written whole or not at all, with a manifest saying how the run was made."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from reconfig import __version__
from reconfig.inputs.scenario import Scenario
from reconfig.instance.build import Instance
from reconfig.results.catalogue import register_quietly
from reconfig.results.tables import tables
from reconfig.results.xlsx import write_results_xlsx


def input_hash(inst: Instance | Scenario) -> str:
    sc = inst.scenario if isinstance(inst, Instance) else inst
    h = hashlib.sha256()
    for p in sorted(Path(sc.data_dir).rglob("*")):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    if sc.path:
        h.update(Path(sc.path).read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def code_version() -> str | None:
    """The git commit of the reconfig source, with `-dirty` when it has uncommitted changes (None outside git)."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "-C", str(here), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no", "--", "."],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "") if commit else None


def manifest(inst: Instance | Scenario, kind: str, **extra: Any) -> dict[str, Any]:
    """What a run directory holds and how it was made; `extra` adds e.g. status, timings, settings."""
    sc = inst.scenario if isinstance(inst, Instance) else inst
    return {"kind": kind, "scenario": str(sc.path), "scenario_name": sc.name, "data": str(sc.data_dir),
            "input_hash": input_hash(sc), "reconfig": __version__, "code_version": code_version(),
            "pyomo": version("pyomo"), "highspy": version("highspy"), "python": platform.python_version(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"), **extra}


@contextmanager
def run_directory(final: Path):
    """Yield a temporary directory beside `final`; move it into place only if the block succeeds, then index it
    in the run catalogue of its parent folder (reconfig/catalogue.py)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a run directory is for sharing
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    register_quietly(final)


def write_run(final: Path, s: dict[str, Any], man: dict[str, Any]) -> Path:
    with run_directory(final) as tmp:
        (tmp / "summary.json").write_text(json.dumps(s, indent=2, default=str))
        (tmp / "manifest.json").write_text(json.dumps(man, indent=2))
        for name, df in tables(s).items():
            df.to_csv(tmp / f"{name}.csv", index=False)
        write_results_xlsx(tmp / "results.xlsx", s, man.get("data"))
    return final
