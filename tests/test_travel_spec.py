"""The [travel] scenario table: documented example, sweeps over its keys, located errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reconfig.inputs.errors import InputError
from reconfig.inputs.scenario import Travel, load_scenario

DOC = Path(__file__).resolve().parents[1] / "docs" / "travel.md"
HEAD = 'name = "t"\ndata = "."\nbase_year = "2024/25"\nhorizon = ["2025/26"]\n'


def doc_example() -> str:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/travel.md has no TOML example"
    return blocks[0]


def test_documented_example_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(HEAD + doc_example())
    t = load_scenario(path).travel
    assert t.method == "network" and t.blue_light_factor == 1.25
    assert t.method_for("car") == "network" and t.method_for("public_transport") == "matrix"
    assert t.road_speeds_kph == {"urban_primary": 25}


def test_sweep_style_overrides(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(HEAD)
    t = load_scenario(path, {"travel.road_speeds_kph.motorway": 90, "travel.modes.blue_light": "network"}).travel
    assert t.road_speeds_kph == {"motorway": 90} and t.method_for("blue_light") == "network"
    assert t.method_for("car") == "geodesic"


def test_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(HEAD + '[travel]\nmethod = "teleport"\ncircuity = 0.9\nspeeed_kph = 40\n')
    with pytest.raises(InputError) as e:
        load_scenario(path)
    cols = {p.column for p in e.value.problems}
    assert cols == {"travel.method", "travel.circuity", "travel.speeed_kph"}


def test_defaults_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, field in Travel.model_fields.items():
        assert f"| `{name}` |" in text, f"[travel] key {name} missing from docs/travel.md"
        if isinstance(field.default, int | float) and not isinstance(field.default, bool):
            row = re.search(rf"\| `{name}` \| ([^|]+) \|", text)
            assert row and f"{field.default:g}" in row.group(1), name
