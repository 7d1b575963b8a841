"""Imported travel-time matrices (long CSV) and mixing methods across modes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reconfig.inputs.errors import InputError
from reconfig.inputs.scenario import Travel
from reconfig.travel import travel_times

ZONES = pd.DataFrame({"zone_id": ["z1", "z2"], "lat": [52.63, 52.77], "lon": [-1.13, -1.21]})
SITES = pd.DataFrame({"site_id": ["s1", "s2"], "lat": [52.62, 52.65], "lon": [-1.14, -1.18]})
GOOD = """zone_id,site_id,mode,minutes,source
z1,s1,public_transport,20,assumption:pt
z1,s2,public_transport,35.5,assumption:pt
z2,s1,public_transport,inf,assumption:pt
z2,s2,public_transport,50,assumption:pt
z1,s1,car,9,assumption:gis
z1,s2,car,12,assumption:gis
z2,s1,car,25,assumption:gis
z2,s2,car,22,assumption:gis
z9,s1,car,99,extra rows are ignored
"""


def run(tmp_path: Path, text: str, modes: list[str], **kw: object) -> dict[str, pd.DataFrame]:
    (tmp_path / "travel_times.csv").write_text(text)
    return travel_times(ZONES, SITES, Travel(cache=False, **kw), tmp_path, modes)  # type: ignore[arg-type]


def test_matrix_read_per_mode(tmp_path: Path) -> None:
    out = run(tmp_path, GOOD, ["public_transport", "car"], method="matrix")
    pt = out["public_transport"]
    assert pt.loc["z1", "s2"] == 35.5 and np.isinf(pt.loc["z2", "s1"])
    assert out["car"].to_numpy().tolist() == [[9.0, 12.0], [25.0, 22.0]]


def test_public_transport_from_matrix_car_from_geodesic(tmp_path: Path) -> None:
    text = "\n".join(line for line in GOOD.splitlines() if ",car," not in line) + "\n"
    out = run(tmp_path, text, ["car", "public_transport"])  # default method: geodesic
    assert out["public_transport"].loc["z1", "s1"] == 20
    assert 0 < out["car"].loc["z1", "s1"] < 5


def test_only_requested_modes_are_computed(tmp_path: Path) -> None:
    out = run(tmp_path, "zone_id,site_id,mode,minutes\n", ["car"], method="geodesic")
    assert set(out) == {"car"}  # the (empty) matrix is never needed


def test_missing_zone_site_and_pairs(tmp_path: Path) -> None:
    text = "zone_id,site_id,mode,minutes\nz1,s1,car,9\n"
    with pytest.raises(InputError) as e:
        run(tmp_path, text, ["car"], method="matrix")
    got = [(p.column, p.value, p.message) for p in e.value.problems]
    assert got == [("zone_id", "z2", "zone has no car times"), ("site_id", "s2", "site has no car times")]

    text = "zone_id,site_id,mode,minutes\nz1,s1,car,9\nz2,s2,car,9\nz2,s1,car,3\n"
    with pytest.raises(InputError) as e:
        run(tmp_path, text, ["car"], method="matrix")
    (p,) = e.value.problems
    assert p.value == "z1 / s2" and "no car time for this zone and site" in p.message and p.expected


def test_whole_mode_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        run(tmp_path, GOOD, ["blue_light"], method="matrix")
    assert {p.value for p in e.value.problems} == {"z1", "z2"}


def test_bad_rows_located(tmp_path: Path) -> None:
    text = GOOD + "z1,s1,car,10,again\nz1,s1,bike,5,x\nz2,s9,public_transport,-4,x\nz2,,car,abc,x\n"
    with pytest.raises(InputError) as e:
        run(tmp_path, text, ["car"], method="matrix")
    got = {(p.row, p.column, str(p.value)) for p in e.value.problems}
    assert got == {(11, "zone_id, site_id, mode", "z1 / s1 / car"), (12, "mode", "bike"),
                   (13, "minutes", "-4"), (14, "site_id", "(blank)"), (14, "minutes", "abc")}
    dup = [p for p in e.value.problems if p.row == 11][0]
    assert "first on line 6" in dup.message
    assert all(p.file.endswith("travel_times.csv") and p.expected for p in e.value.problems)


def test_missing_file_and_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        travel_times(ZONES, SITES, Travel(cache=False), tmp_path, ["public_transport"])
    with pytest.raises(InputError) as e:
        run(tmp_path, "zone,site_id,mode,time\n", ["public_transport"])
    assert {(p.row, p.column) for p in e.value.problems} == {(1, "zone_id"), (1, "minutes")}


def test_unknown_mode_argument(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        run(tmp_path, GOOD, ["car", "helicopter"], method="matrix")
    (p,) = e.value.problems
    assert p.value == "helicopter" and "car, blue_light, public_transport" in p.expected


def test_scenario_rejects_public_transport_by_road() -> None:
    with pytest.raises(ValueError, match="public_transport"):
        Travel(modes={"public_transport": "network"})
    with pytest.raises(ValueError):
        Travel(road_speeds_kph={"motorway": 0})
    with pytest.raises(ValueError):
        Travel(mehtod="network")  # type: ignore[call-arg]
