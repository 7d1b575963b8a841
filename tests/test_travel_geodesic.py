"""Vectorised distances against geopy, and the geodesic travel-time method."""

from __future__ import annotations

import numpy as np
import pandas as pd
from geopy.distance import geodesic
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reconfig.inputs.scenario import Travel
from reconfig.travel import distance_m, pairwise_m, travel_times
from reconfig.travel.geodesic import chord_to_m, unit_xyz

lat = st.floats(-85, 85)
lon = st.floats(-180, 180)


@settings(max_examples=300, deadline=None)
@given(lat, lon, lat, lon)
def test_distance_agrees_with_geopy_within_half_a_percent(la1: float, lo1: float, la2: float, lo2: float) -> None:
    ref = geodesic((la1, lo1), (la2, lo2)).m
    assume(ref < 19_000_000)  # the formula degrades near antipodal points
    got = float(distance_m(la1, lo1, la2, lo2))
    assert abs(got - ref) <= 0.005 * ref + 0.01


@settings(max_examples=200, deadline=None)
@given(st.floats(52.0, 53.2), st.floats(-1.8, -0.3), st.floats(52.0, 53.2), st.floats(-1.8, -0.3))
def test_distance_in_the_east_midlands_within_0_05_percent(la1: float, lo1: float, la2: float, lo2: float) -> None:
    ref = geodesic((la1, lo1), (la2, lo2)).m
    assert abs(float(distance_m(la1, lo1, la2, lo2)) - ref) <= 0.0005 * ref + 0.01


def test_pairwise_shape_and_zero_diagonal() -> None:
    la, lo = np.array([52.6, 52.7, 52.8]), np.array([-1.1, -1.2, -0.9])
    d = pairwise_m(la, lo, la, lo)
    assert d.shape == (3, 3)
    assert np.allclose(np.diag(d), 0)
    assert np.allclose(d, d.T)


def test_unit_sphere_chord_round_trip() -> None:
    a, b = unit_xyz([52.6], [-1.1]), unit_xyz([52.7], [-1.2])
    chord = np.linalg.norm(a - b)
    ref = geodesic((52.6, -1.1), (52.7, -1.2)).m
    assert abs(float(chord_to_m(chord)) - ref) / ref < 0.005


def test_geodesic_method_minutes_and_blue_light(tmp_path) -> None:
    zones = pd.DataFrame({"zone_id": ["z1", "z2"], "lat": [52.6362, 52.7721], "lon": [-1.1332, -1.2062]})
    sites = pd.DataFrame({"site_id": ["lri"], "lat": [52.6270], "lon": [-1.1360]})
    travel = Travel(method="geodesic", speed_kph=50, circuity=1.3, blue_light_factor=1.25, cache=False)
    out = travel_times(zones, sites, travel, tmp_path, ["car", "blue_light"])
    km = geodesic((52.7721, -1.2062), (52.6270, -1.1360)).km
    assert out["car"].loc["z2", "lri"] == pytest_approx(km * 1.3 / 50 * 60)
    assert out["blue_light"].loc["z2", "lri"] == pytest_approx(km * 1.3 / (50 * 1.25) * 60)
    assert list(out["car"].index) == ["z1", "z2"] and out["car"].index.name == "zone_id"
    assert list(out["car"].columns) == ["lri"] and out["car"].columns.name == "site_id"
    assert set(out) == {"car", "blue_light"}


def pytest_approx(x: float):
    import pytest

    return pytest.approx(x, rel=1e-3)
