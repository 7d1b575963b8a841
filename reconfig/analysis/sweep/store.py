"""A sweep's run directory: resumable while it runs, atomic when it completes.

While running, a sweep works in `<run>.partial/`: `spec.json` (what to solve) and `manifest.json` are written
first, then each finished point is written at once as `points/<id>.json` (atomically: a point file is whole or
absent). Ctrl-C or a crash leaves the finished points; `--resume <run>.partial` solves only the others. When
every point is done, the complete directory (points, spec, sweep.csv, sweep.json, summary.json of the base
point, manifest.json) is assembled through `reconfig.results.rundir.run_directory`, appears as `<run>/` in one rename,
and only then is the partial directory removed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from reconfig.analysis.sweep.executors import SweepError
from reconfig.inputs.atomic import atomic_file

PARTIAL = ".partial"
SPEC_VERSION = 1


def partial_dir(final: Path) -> Path:
    return final.with_name(final.name + PARTIAL)


def final_dir(partial: Path) -> Path:
    return partial.with_name(partial.name.removesuffix(PARTIAL))


def write_json(path: Path, data: Any) -> None:
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


class SweepDir:
    """The `.partial` working directory of one sweep."""

    def __init__(self, partial: Path):
        self.path = partial
        self.points_dir = partial / "points"

    @classmethod
    def create(cls, final: Path, spec: dict[str, Any], man: dict[str, Any]) -> SweepDir:
        partial = partial_dir(final)
        if partial.exists():
            raise SweepError(f"an unfinished sweep is already in {partial}: resume it with --resume {partial}, "
                             "or remove it")
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.mkdir()
        d = cls(partial)
        d.points_dir.mkdir()
        spec["spec_version"] = SPEC_VERSION
        write_json(partial / "spec.json", spec)
        write_json(partial / "manifest.json", man)
        return d

    @classmethod
    def open(cls, where: Path) -> SweepDir:
        """An unfinished sweep: its `.partial` directory, or the final path it will complete to."""
        where = Path(where)
        partial = where if where.name.endswith(PARTIAL) else partial_dir(where)
        if not (partial / "spec.json").is_file():
            if (where / "sweep.csv").is_file():
                raise SweepError(f"{where} is a completed sweep; nothing to resume")
            raise SweepError(f"{where} is not an unfinished sweep (no {PARTIAL} directory with spec.json)")
        return cls(partial)

    @property
    def final(self) -> Path:
        return final_dir(self.path)

    def spec(self) -> dict[str, Any]:
        spec = json.loads((self.path / "spec.json").read_text())
        if spec.get("spec_version") != SPEC_VERSION:
            raise SweepError(f"{self.path}/spec.json was written by another reconfig version "
                             f"(spec_version {spec.get('spec_version')}); start a new sweep")
        return spec

    def write_spec(self, spec: dict[str, Any]) -> None:
        write_json(self.path / "spec.json", spec)

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.path / "manifest.json").read_text())

    def write_manifest(self, man: dict[str, Any]) -> None:
        write_json(self.path / "manifest.json", man)

    def store(self, rec: dict[str, Any]) -> None:
        write_json(self.points_dir / f"{rec['id']}.json", rec)

    def finished(self, points: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Stored records of the planned points (a file whose overrides differ from the plan is not one)."""
        out = {}
        for p in points:
            f = self.points_dir / f"{p['id']}.json"
            try:
                rec = json.loads(f.read_text())
            except (OSError, ValueError):
                continue
            if rec.get("overrides") == p["overrides"]:
                out[p["id"]] = rec
        return out

    def complete(self, outputs: dict[str, str | bytes], man: dict[str, Any]) -> Path:
        """Assemble the complete run directory (one rename), then remove the partial one."""
        from reconfig.results.catalogue import unregister
        from reconfig.results.rundir import run_directory

        final = self.final
        with run_directory(final) as tmp:
            shutil.copytree(self.points_dir, tmp / "points")
            shutil.copy2(self.path / "spec.json", tmp / "spec.json")
            for name, content in outputs.items():
                if isinstance(content, bytes):
                    (tmp / name).write_bytes(content)
                else:
                    (tmp / name).write_text(content, encoding="utf-8")
            (tmp / "manifest.json").write_text(json.dumps(man, indent=2, default=str), encoding="utf-8")
        shutil.rmtree(self.path)
        try:
            unregister(final.parent, self.path.name)
        except Exception:  # noqa: BLE001 - `runs list` drops it on its next reindex
            pass
        return final
