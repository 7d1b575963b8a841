"""access_statistics and reachable_pairs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from reconfig.travel import access_statistics, reachable_pairs, weighted_quantile


def frames() -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    zones = pd.Index(["a", "b", "c", "d"], name="zone_id")
    times = pd.DataFrame({"s1": [10.0, 20.0, 40.0, 70.0], "s2": [30.0, 12.0, 25.0, np.inf]}, index=zones)
    weights = pd.Series([100.0, 200.0, 300.0, 400.0], index=zones)
    attrs = pd.DataFrame({"imd_quintile": [1, 1, 3, 5], "rurality": ["urban", "urban", "rural", "rural"],
                          "over65_pct": [10.0, 12.0, 20.0, 30.0]}, index=zones)
    return times, weights, attrs


def test_weighted_quantile_inverted_cdf() -> None:
    v, w = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 1.0, 1.0])
    assert weighted_quantile(v, w, 0.5) == 2.0
    assert weighted_quantile(v, w, 0.51) == 3.0
    assert weighted_quantile(v, w, 1.0) == 4.0
    assert weighted_quantile(np.array([5.0, 1.0]), np.array([9.0, 1.0]), 0.5) == 5.0
    assert np.isnan(weighted_quantile(v, np.zeros(4), 0.5))


def test_statistics_single_site_each() -> None:
    times, w, _ = frames()
    shares = pd.DataFrame({"s1": [1.0, 0.0, 0.0, 1.0], "s2": [0.0, 1.0, 1.0, 0.0]}, index=times.index)
    st = access_statistics(times, shares, w)
    # flows: a 10 (100), b 12 (200), c 25 (300), d 70 (400)
    assert st.mean == pytest.approx((10 * 100 + 12 * 200 + 25 * 300 + 70 * 400) / 1000)
    assert st.median == 25.0
    assert st.p95 == 70.0
    assert st.max == 70.0
    assert st.within == {15.0: pytest.approx(0.3), 30.0: pytest.approx(0.6), 45.0: pytest.approx(0.6),
                         60.0: pytest.approx(0.6)}
    assert st.per_zone.to_dict() == {"a": 10.0, "b": 12.0, "c": 25.0, "d": 70.0}
    assert st.change is None and st.worse_off is None


def test_split_zone_counts_each_flow_at_its_own_time() -> None:
    times, w, _ = frames()
    shares = pd.DataFrame({"s1": [0.5, 1.0, 1.0, 1.0], "s2": [0.5, 0.0, 0.0, 0.0]}, index=times.index)
    st = access_statistics(times, shares, w, thresholds=(15,))
    assert st.per_zone["a"] == 20.0
    assert st.within[15.0] == pytest.approx(50 / 1000)  # half of zone a at 10 min
    assert st.max == 70.0


def test_unserved_zone_and_zero_weight_are_left_out_of_max() -> None:
    times, w, _ = frames()
    w = w.copy()
    w["d"] = 0.0
    shares = pd.DataFrame({"s1": [1.0, 1.0, 0.0, 1.0], "s2": [0.0, 0.0, 0.0, 0.0]}, index=times.index)
    st = access_statistics(times, shares, w)
    assert np.isnan(st.per_zone["c"])
    assert st.overall.unserved_weight == 300.0
    assert st.overall.weight == 300.0
    assert st.max == 20.0  # d has no weight


def test_unreachable_flow_makes_mean_infinite_and_json_null() -> None:
    times, w, _ = frames()
    shares = pd.DataFrame({"s1": [1.0, 1.0, 1.0, 0.0], "s2": [0.0, 0.0, 0.0, 1.0]}, index=times.index)
    st = access_statistics(times, shares, w)
    assert np.isinf(st.mean) and np.isinf(st.max)
    d = st.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["mean"] is None and d["per_zone"]["d"] is None


def test_change_worse_off_and_breakdowns() -> None:
    times, w, attrs = frames()
    base = pd.DataFrame({"s1": [1.0, 0.0, 0.0, 1.0], "s2": [0.0, 1.0, 1.0, 0.0]}, index=times.index)
    # close s2: everyone to s1
    new = pd.DataFrame({"s1": [1.0, 1.0, 1.0, 1.0]}, index=times.index)
    st = access_statistics(times, new, w, attributes=attrs, baseline_shares=base)
    assert st.change.to_dict() == {"a": 0.0, "b": 8.0, "c": 15.0, "d": 0.0}
    assert st.worse_off == {5: pytest.approx(0.5), 10: pytest.approx(0.3), 20: pytest.approx(0.0)}
    imd = st.groups["imd_quintile"]
    assert list(imd) == ["1", "3", "5"]
    assert imd["1"].worse_off[5] == pytest.approx(200 / 300)
    assert imd["1"].worse_off[10] == 0.0
    assert imd["3"].worse_off[10] == 1.0
    assert imd["1"].mean == pytest.approx((10 * 100 + 20 * 200) / 300)
    assert imd["1"].mean_change == pytest.approx(8 * 200 / 300)
    assert set(st.groups["rurality"]) == {"urban", "rural"}
    assert st.groups["rurality"]["rural"].weight == 700.0
    assert len(st.groups["over65_pct"]) == 4  # continuous: numeric, few values -> categories
    d = st.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["groups"]["imd_quintile"]["1"]["worse_off"]["5"] == pytest.approx(200 / 300)
    assert d["within"]["15"] == pytest.approx(0.1)


def test_continuous_attribute_is_cut_into_fifths_and_missing_is_unknown() -> None:
    idx = pd.Index([f"z{i}" for i in range(40)], name="zone_id")
    times = pd.DataFrame({"s": np.arange(40.0)}, index=idx)
    shares = pd.DataFrame({"s": np.ones(40)}, index=idx)
    attrs = pd.DataFrame({"over65_pct": np.linspace(5, 35, 40)}, index=idx).iloc[:-2]
    st = access_statistics(times, shares, pd.Series(1.0, index=idx), attributes=attrs)
    groups = st.groups["over65_pct"]
    assert len(groups) == 6 and list(groups)[-1] == "unknown"
    assert sum(g.weight for g in groups.values()) == 40


def test_bad_inputs_raise() -> None:
    times, w, _ = frames()
    with pytest.raises(ValueError, match="sum to 1"):
        access_statistics(times, pd.DataFrame({"s1": [0.5, 1, 1, 1]}, index=times.index), w)
    with pytest.raises(ValueError, match="not in times"):
        access_statistics(times, pd.DataFrame({"s9": [1.0] * 4}, index=times.index), w)
    with pytest.raises(ValueError, match="weights missing"):
        access_statistics(times, pd.DataFrame({"s1": [1.0] * 4}, index=times.index), w.iloc[:2])


def test_reachable_pairs() -> None:
    times, _, _ = frames()
    mask = reachable_pairs(times, 25)
    assert mask.dtypes.eq(bool).all()
    assert mask.to_numpy().tolist() == [[True, False], [True, True], [False, True], [False, False]]
    times.iloc[0, 0] = np.nan
    assert not reachable_pairs(times, 1000).iloc[0, 0]
