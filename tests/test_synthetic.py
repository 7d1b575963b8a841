"""Synthetic regions: a small one validates and solves to optimal quickly; generation is deterministic."""

from __future__ import annotations

import time

from reconfig.inputs.scenario import load_scenario
from reconfig.inputs.synthetic import write_region
from reconfig.inputs.tables import load_system
from reconfig.instance.build import build_instance
from reconfig.solve.solver import solve_instance


def test_small_region_validates_and_solves(tmp_path):
    scenario = write_region(tmp_path, zones=30, sites=6, years=2, seed=0)
    system = load_system(tmp_path / "data")
    assert len(system["zones"]) == 30 and len(system["sites"]) == 6
    assert all(src == "assumption:synthetic" for df in system.tables.values() if "source" in df.columns
               for src in df["source"])
    assert {"acute", "community"} <= set(system["sites"]["kind"])
    inst = build_instance(load_scenario(scenario), system)
    t0 = time.perf_counter()
    _, out = solve_instance(inst, time_limit=60)
    assert out.status == "optimal", out.message
    assert time.perf_counter() - t0 < 30


def test_generation_is_deterministic(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_region(a, zones=50, sites=8, seed=3)
    write_region(b, zones=50, sites=8, seed=3)
    write_region(c, zones=50, sites=8, seed=4)
    files = sorted(p.name for p in (a / "data").iterdir())
    assert files == sorted(p.name for p in (b / "data").iterdir())
    for name in files:
        assert (a / "data" / name).read_bytes() == (b / "data" / name).read_bytes(), name
    assert (a / "data" / "zones.csv").read_bytes() != (c / "data" / "zones.csv").read_bytes()
