"""The source register (seeds/00N-*.toml) against every bundled system's data (data/*/), both ways: every source
cell is a registered figure or a defined assumption of its system, every registered figure is used exactly where
the register says, and every assumption is used and justified. Figures: shared design SOURCES.md."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SYSTEMS = sorted(p for p in (ROOT / "data").iterdir() if (p / "sites.csv").is_file())
REF = re.compile(r"^\d{3}:L\d+(-\d+)?$")
TRAVEL_ONLY = {"travel-geodesic", "travel-blue-light", "travel-access-leg"}  # cited by scenario [travel] settings


def data_refs(folders: list[Path]) -> dict[str, set[str]]:
    """Reference -> files (relative to the repository) whose source cells cite it."""
    out: dict[str, set[str]] = {}
    for folder in folders:
        for p in sorted(folder.rglob("*.csv")):
            df = pd.read_csv(p, dtype=str, keep_default_na=False)
            if "source" not in df.columns:
                continue
            for cell in df["source"]:
                for ref in filter(None, (x.strip() for x in cell.split(";"))):
                    out.setdefault(ref, set()).add(str(p.relative_to(ROOT)))
    return out


def register() -> dict[str, dict]:
    figs = {}
    for p in sorted(SEEDS.glob("00[0-4]-*.toml")):
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
        assert p.name.startswith(doc["document"]["id"] + "-")
        for f in doc.get("figure", []):
            assert f["ref"].startswith(doc["document"]["id"] + ":")
            assert f["ref"] not in figs
            figs[f["ref"]] = f
    return figs


def assumptions(folder: Path) -> pd.DataFrame:
    frames = [pd.read_csv(folder / "assumptions.csv", dtype=str, keep_default_na=False)]
    if (folder / "roads" / "assumptions.csv").is_file():
        frames.append(pd.read_csv(folder / "roads" / "assumptions.csv", dtype=str, keep_default_na=False))
    return pd.concat(frames).drop_duplicates("assumption_id")


def test_there_are_systems() -> None:
    assert {p.name for p in SYSTEMS} >= {"llr", "cambs", "blmk"}


@pytest.mark.parametrize("folder", SYSTEMS, ids=[p.name for p in SYSTEMS])
def test_every_source_cell_is_registered_or_an_assumption(folder: Path) -> None:
    figs = register()
    defined = set(assumptions(folder).assumption_id)
    for ref, files in data_refs([folder]).items():
        if ref.startswith("assumption:"):
            assert ref.split(":", 1)[1] in defined, (ref, files)
        else:
            assert REF.match(ref), ref
            assert ref in figs, (ref, files)


def test_every_registered_figure_is_used_where_it_says() -> None:
    refs = data_refs(SYSTEMS)
    for ref, f in register().items():
        assert ref in refs, ref
        assert set(f["used_in"]) == refs[ref], ref
        assert f["value"] and f["unit"] and f["description"]


@pytest.mark.parametrize("folder", SYSTEMS, ids=[p.name for p in SYSTEMS])
def test_every_assumption_is_used_and_justified(folder: Path) -> None:
    used = {r.split(":", 1)[1] for r in data_refs([folder]) if r.startswith("assumption:")}
    a = pd.read_csv(folder / "assumptions.csv", dtype=str, keep_default_na=False)
    assert a.assumption_id.is_unique
    assert set(a.assumption_id) <= used | TRAVEL_ONLY, set(a.assumption_id) - used - TRAVEL_ONLY
    assert (a.basis.str.len() > 60).all()


def test_register_documents() -> None:
    ids = []
    for p in sorted(SEEDS.glob("00[0-4]-*.toml")):
        d = tomllib.loads(p.read_text(encoding="utf-8"))["document"]
        assert d["title"] and d["publisher"] and d["date"]
        ids.append(d["id"])
    assert ids == ["000", "001", "002", "003", "004"]
