"""Scaling benchmark on synthetic regions (reconfig.inputs.synthetic): travel times, model build, HiGHS solve, memory.

Usage:
    python benchmarks/bench_scaling.py                          # 100, 1,000, 5,000, 35,000 zones
    python benchmarks/bench_scaling.py --zones 100,1000 --time-limit 120 --size-timeout 600

Each size runs in a fresh subprocess, so peak memory (ru_maxrss) is per size. The child reports each stage as it
finishes; a size killed at --size-timeout is reported with the stage it was in. Sites scale with zones (one per
60 zones, at least 8; a quarter acute). Results are merged into benchmarks/results/scaling.json (so separate runs
accumulate) and written as a table to benchmarks/results/scaling.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def sites_for(zones: int) -> int:
    return max(8, zones // 60)


def child(zones: int, years: int, time_limit: float, seed: int) -> None:
    """Run one size, printing one JSON line per finished stage."""
    import resource

    import pyomo.environ as pyo

    sys.path.insert(0, str(ROOT))
    from reconfig.formulation.build import build_model
    from reconfig.inputs.scenario import load_scenario
    from reconfig.inputs.synthetic import write_region
    from reconfig.inputs.tables import load_system
    from reconfig.instance.build import build_instance
    from reconfig.solve.solver import solve_built
    from reconfig.travel import travel_times

    def report(stage: str, seconds: float, **kw: object) -> None:
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"stage": stage, "seconds": round(seconds, 3), "peak_mb": round(rss_mb, 1), **kw}),
              flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path = write_region(tmp, zones=zones, sites=sites_for(zones), years=years, seed=seed)
        report("generate", time.perf_counter() - t)
        t = time.perf_counter()
        sc = load_scenario(path)
        system = load_system(sc.data_dir)
        report("load", time.perf_counter() - t)
        t = time.perf_counter()
        modes = set(system["services"]["access_mode"].fillna("car")) | {"car"}
        times = travel_times(system["zones"][["zone_id", "lat", "lon", "_row"]],
                             system["sites"][["site_id", "lat", "lon", "_row"]], sc.travel, sc.data_dir, modes)
        report("travel", time.perf_counter() - t)
        t = time.perf_counter()
        inst = build_instance(sc, system, times=times)
        report("instance", time.perf_counter() - t)
        t = time.perf_counter()
        built = build_model(inst)
        m = built.model
        nvars = sum(len(v) for v in m.component_objects(ctype=pyo.Var))
        report("build", time.perf_counter() - t, variables=nvars, constraints=len(m.cons),
               x_vars=len(m.x), y_vars=len(m.y))
        out = solve_built(built, time_limit=time_limit)
        report("solve", out.solve_seconds, status=out.status, gap=out.mip_gap, objective=out.objective)


STAGES = ("generate", "load", "travel", "instance", "build", "solve")


def run_size(zones: int, years: int, time_limit: float, size_timeout: float, seed: int) -> dict:
    cmd = [sys.executable, __file__, "--child", str(zones), "--years", str(years), "--time-limit", str(time_limit),
           "--seed", str(seed)]
    rec: dict = {"zones": zones, "sites": sites_for(zones), "years": years, "stages": {}}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=size_timeout)
        rec["outcome"] = "finished" if proc.returncode == 0 else f"failed (exit {proc.returncode})"
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        rec["outcome"] = f"killed after {size_timeout:.0f} s"
    rec["wall_seconds"] = round(time.perf_counter() - started, 1)
    for line in stdout.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            rec["stages"][d.pop("stage")] = d
    done = [s for s in STAGES if s in rec["stages"]]
    if rec["outcome"] != "finished":
        rec["stopped_in"] = next((s for s in STAGES if s not in rec["stages"]), "?")
        rec["stderr_tail"] = stderr.strip().splitlines()[-3:]
    rec["peak_mb"] = rec["stages"][done[-1]]["peak_mb"] if done else None
    return rec


def fmt(rec: dict) -> list[str]:
    st = rec["stages"]

    def sec(s: str) -> str:
        return f"{st[s]['seconds']:.1f}" if s in st else "–"

    b, s = st.get("build", {}), st.get("solve", {})
    gap = s.get("gap")
    status = s.get("status") or f"stopped in {rec.get('stopped_in')} ({rec['outcome']})"
    return [f"{rec['zones']:,}", str(rec["sites"]), str(rec["years"]), sec("travel"), sec("instance"), sec("build"),
            f"{b['variables']:,}" if b else "–", f"{b['constraints']:,}" if b else "–", sec("solve"), status,
            f"{gap * 100:.3f} %" if gap is not None else "–",
            f"{rec['peak_mb']:,.0f}" if rec["peak_mb"] else "–"]


HEAD = ["zones", "sites", "years", "travel s", "instance s", "model build s", "variables", "constraints",
        "solve s", "status", "gap", "peak MB"]


def write_md(records: dict, time_limit: float, size_timeout: float) -> Path:
    lines = ["# Scaling on synthetic regions", "",
             "Generated by `python benchmarks/bench_scaling.py` (reconfig.inputs.synthetic.write_region, seed 0; "
             "sites = "
             "max(8, zones // 60); 5 services: acute inpatient and community rehab with beds, ED, outpatients, "
             "diagnostics; objective npv_cost; geodesic travel).",
             f"Machine: {platform.platform()}, Python {platform.python_version()}. Solver time limit "
             f"{time_limit:g} s, per-size limit {size_timeout:g} s, mip_gap 0.01 %.", "",
             "| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    for z in sorted(records, key=int):
        lines.append("| " + " | ".join(fmt(records[z])) + " |")
    lines.append("")
    for z in sorted(records, key=int):
        r = records[z]
        if r["outcome"] != "finished":
            lines.append(f"- {int(z):,} zones: {r['outcome']} while in stage `{r.get('stopped_in')}` "
                         f"(peak {r['peak_mb'] or 0:,.0f} MB). {' '.join(r.get('stderr_tail', []))}")
    notes = RESULTS / "scaling_notes.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    out = RESULTS / "scaling.md"
    out.write_text("\n".join(lines) + "\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zones", default="100,1000,5000,35000")
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=300.0, help="HiGHS time limit per size, s")
    ap.add_argument("--size-timeout", type=float, default=900.0, help="wall-clock limit per size subprocess, s")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.years, a.time_limit, a.seed)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    store = RESULTS / "scaling.json"
    records = json.loads(store.read_text()) if store.exists() else {}
    print(" | ".join(HEAD))
    for z in [int(v) for v in a.zones.split(",")]:
        rec = run_size(z, a.years, a.time_limit, a.size_timeout, a.seed)
        records[str(z)] = rec
        store.write_text(json.dumps(records, indent=1))
        print(" | ".join(fmt(rec)), flush=True)
    print(f"wrote {write_md(records, a.time_limit, a.size_timeout)}")


if __name__ == "__main__":
    main()
