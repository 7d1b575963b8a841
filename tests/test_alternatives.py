"""Near-optimal alternatives: the K next-best structures, checked against enumerating every structure."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from builders import make, times

from reconfig.analysis.alternatives import alternatives, parse_within
from reconfig.inputs.errors import InputError
from reconfig.instance.build import build_instance

SITES = ["S0", "S1", "S2", "S3"]
W = 2.0  # £000 per minute of mean travel in the objective


def _case(tmp_path, seed: int, name: str):
    """Services a and b (uncapacitated); S3 can host a only once scheme X is built; scheme Y does nothing."""
    rng = np.random.default_rng(seed)
    nz = 6
    tt = rng.integers(5, 60, size=(nz, len(SITES))).astype(float)
    site_cost = rng.integers(5, 60, len(SITES)).astype(float)
    fixed = {"a": float(rng.integers(1, 20)), "b": float(rng.integers(1, 20))}
    capital = {"X": float(rng.integers(5, 40)), "Y": float(rng.integers(1, 10))}
    pop = rng.integers(100, 1000, nz).astype(float)
    zones = [f"z{i}" for i in range(nz)]
    hosts = [("a", s) for s in SITES[:3]] + [("b", s) for s in SITES[:3]]
    tables = {
        "sites": [{"site_id": s, "fixed_cost_gbp_k": c} for s, c in zip(SITES, site_cost, strict=True)],
        "zones": [{"zone_id": z, "population": p} for z, p in zip(zones, pop, strict=True)],
        "services": [{"service_id": k, "fixed_cost_gbp_k": fixed[k]} for k in ("a", "b")],
        "site_services": [{"service_id": k, "site_id": s} for k, s in hosts],
        "demand": [{"service_id": k} for k in ("a", "b")],
        "schemes": [{"scheme_id": "X", "site_id": "S3"}, {"scheme_id": "Y", "site_id": "S0"}],
        "scheme_costs": [{"scheme_id": c, "year_offset": 0, "cost_gbp_k": v} for c, v in capital.items()],
        "scheme_effects": [{"scheme_id": "X", "effect": "enable_service", "service_id": "a"}],
    }
    sc = make(tmp_path, tables, name=name, objective={"weights": {"npv_cost": 1.0, "travel": W}})
    inst = build_instance(sc, times=times(tt, zones, SITES))
    return inst, (tt, site_cost, fixed, capital, pop)


def _brute_force(data) -> dict[tuple[frozenset, frozenset], float]:
    """Objective of every structure: (final-year (service, site) pairs, schemes built) -> best value."""
    tt, site_cost, fixed, capital, pop = data
    out = {}
    for schemes in itertools.chain.from_iterable(itertools.combinations("XY", r) for r in range(3)):
        hosts_a = [0, 1, 2] + ([3] if "X" in schemes else [])
        for ra in range(1, len(hosts_a) + 1):
            for sa in itertools.combinations(hosts_a, ra):
                for rb in range(1, 4):
                    for sb in itertools.combinations([0, 1, 2], rb):
                        open_sites = set(sa) | set(sb)
                        travel = [pop @ tt[:, list(s)].min(axis=1) / pop.sum() for s in (sa, sb)]
                        value = (sum(capital[c] for c in schemes) + sum(site_cost[j] for j in open_sites)
                                 + fixed["a"] * len(sa) + fixed["b"] * len(sb) + W * sum(travel) / 2)
                        key = (frozenset({("a", SITES[j]) for j in sa} | {("b", SITES[j]) for j in sb}),
                               frozenset(schemes))
                        out[key] = value
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_alternatives_are_the_k_best_structures(tmp_path, seed):
    inst, data = _case(tmp_path, seed, f"alt{seed}")
    within, k = 0.25, 5
    r = alternatives(inst, within, k, mip_gap=0.0)
    values = _brute_force(data)
    ranked = sorted(values.items(), key=lambda kv: kv[1])
    best = ranked[0][1]
    inside = [v for _, v in ranked if v <= best * (1 + within) + 1e-9]
    assert r["optimum"]["objective"] == pytest.approx(best)
    found = r["alternatives"]
    # exactly the next K values within the margin (or all of them, with the search saying there are no more)
    assert [a["objective"] for a in found] == pytest.approx(inside[1:k + 1])
    if len(inside) - 1 < k:
        assert "no other structure" in r["stopped"]
    # each alternative's structure is distinct and its value is that structure's best value
    sigs = [(frozenset(tuple(x.split(" at ")) for x in p["services_final_year"]), frozenset(p["schemes_built"]))
            for p in [r["optimum"], *found]]
    assert len(set(sigs)) == len(sigs)
    for sig, p in zip(sigs, [r["optimum"], *found], strict=True):
        assert values[sig] == pytest.approx(p["objective"])
        assert p["status"] == "optimal" and p["proven"]
    for a in found:
        assert a["pct_above_optimum"] == pytest.approx(100 * (a["objective"] - best) / best)
        assert 0 <= a["pct_above_optimum"] <= 100 * within + 1e-6
        assert a["against_optimum_text"].startswith("net present cost")


@pytest.mark.parametrize("seed", [0, 2])
def test_min_changes_apart(tmp_path, seed):
    """Each plan is the best structure at least 2 elements away from every earlier one (greedy, as enumerated)."""
    inst, data = _case(tmp_path, seed, f"apart{seed}")
    r = alternatives(inst, 0.5, 4, mip_gap=0.0, min_changes=2)
    ranked = sorted(_brute_force(data).items(), key=lambda kv: kv[1])
    chosen: list = []
    for key, value in ranked:
        if value > ranked[0][1] * 1.5 + 1e-9 or len(chosen) == 5:
            break
        if all(len(key[0] ^ c[0]) + len(key[1] ^ c[1]) >= 2 for c, _ in chosen):
            chosen.append((key, value))
    assert [p["objective"] for p in [r["optimum"], *r["alternatives"]]] == pytest.approx([v for _, v in chosen])


def test_differences_are_named(tmp_path):
    inst, _ = _case(tmp_path, 0, "words")
    r = alternatives(inst, 1.0, 3, mip_gap=0.0)
    opt = set(r["optimum"]["services_final_year"]) | {f"scheme {c}" for c in r["optimum"]["schemes_built"]}
    for a in r["alternatives"]:
        mine = set(a["services_final_year"]) | {f"scheme {c}" for c in a["schemes_built"]}
        d = a["against_optimum"]
        assert set(d["services_added"]) == set(a["services_final_year"]) - set(r["optimum"]["services_final_year"])
        assert set(d["schemes_added"]) == set(a["schemes_built"]) - set(r["optimum"]["schemes_built"])
        assert mine != opt
        assert set(a["distinct"]["only_here"]) <= mine


def test_nothing_within_a_zero_margin_says_so(tmp_path):
    inst, data = _case(tmp_path, 1, "zero")
    values = sorted(_brute_force(data).values())
    assert values[1] > values[0] + 1e-6  # no tie in this case
    r = alternatives(inst, 0.0, 3, mip_gap=0.0)
    assert r["alternatives"] == [] and "no other structure is within 0.00%" in r["stopped"]


def test_within_parsing():
    assert parse_within("2%") == pytest.approx(0.02) and parse_within("2.5") == pytest.approx(0.025)
    assert parse_within(" 0 % ") == 0.0
    assert parse_within("150%") == pytest.approx(1.5)
    for bad in ("abc", "-2%", "2%%", "", "0.02x"):
        with pytest.raises(InputError, match="percentage"):
            parse_within(bad)


def test_lexicographic_scenario_is_refused(tmp_path):
    inst, _ = _case(tmp_path, 0, "lex")
    inst.scenario.objective.lexicographic = ["npv_cost", "travel"]
    with pytest.raises(InputError, match="lexicographic"):
        alternatives(inst, 0.02, 2)
