"""Sweep throughput on the LLR default (models/llr-2017.toml): points per minute with 1 local worker, 2 local
worker processes and a local Dask cluster of 2 workers.

Usage:
    python benchmarks/bench_sweep.py                     # 1 worker on the 34-point subset, 2 workers and Dask on 100
    python benchmarks/bench_sweep.py --one-worker-points 100 --gap 0.001 --time-limit 120
    python benchmarks/bench_sweep.py --quick             # 5 points each, to check the script

The plan is a one-way sweep of 11 inputs × 9 values plus the base point (100 points). The 1-worker run uses, by
default, a stratified subset of the same points (the base, and the lowest, middle and highest value of each input:
34 points) to keep the benchmark's wall time down; the table also gives the 2-worker run's point times on that
subset, to show whether it is representative. Each configuration runs `reconfig sweep` in a fresh process (`python
cli.py sweep … --json`) into a temporary folder, with the same --gap and --time-limit. Points per minute are
measured over the sweep's own session (from the first point submitted to the last stored: spec.json) and end to end
(process start to exit, including Python start-up, the plan, worker start-up and writing the run directory).
Results: benchmarks/results/sweep[-LABEL].json; the write-up is benchmarks/results/sweep.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
SCENARIO = ROOT / "models" / "llr-2017.toml"

# 11 inputs × 9 values (none equal to the scenario's own) + the base point = 100 points
PARAMETERS: dict[str, list[float]] = {
    "finance.discount_rate": [0.015, 0.02, 0.025, 0.03, 0.04, 0.045, 0.05, 0.055, 0.06],
    "finance.capital_charge_rate": [0.02, 0.03, 0.04, 0.05, 0.07, 0.08, 0.09, 0.1, 0.12],
    "finance.steady_state_years": [0, 2, 4, 6, 8, 12, 15, 20, 25],
    "constraints.capital_total_gbp_k": [25000, 50000, 75000, 100000, 125000, 150000, 200000, 250000, 300000],
    "adjust.bed_types.occupancy*": [0.9, 0.92, 0.94, 0.96, 0.98, 1.02, 1.04, 1.06, 1.08],
    "adjust.growth.demographic_pct*": [0, 0.25, 0.5, 0.75, 1.25, 1.5, 1.75, 2, 2.5],
    "adjust.growth.non_demographic_pct*": [0, 0.25, 0.5, 0.75, 1.25, 1.5, 1.75, 2, 2.5],
    "adjust.scheme_costs.cost_gbp_k*": [0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.2, 1.3, 1.5],
    "adjust.bed_types.cost_per_bed_gbp_k*": [0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2, 1.3],
    "adjust.services.fixed_cost_gbp_k*": [0.5, 0.6, 0.7, 0.8, 0.9, 1.1, 1.2, 1.3, 1.5],
    "adjust.demand.los_days*": [0.8, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15, 1.2, 1.3],
}


def subset(params: dict[str, list[float]], per: int) -> dict[str, list[float]]:
    """`per` values of each input spread over its range (lowest and highest always included)."""
    if per >= 9:
        return params
    out = {}
    for k, vs in params.items():
        idx = sorted({round(i * (len(vs) - 1) / (per - 1)) for i in range(per)}) if per > 1 else [0]
        out[k] = [vs[i] for i in idx]
    return out


def vary_args(params: dict[str, list[float]]) -> list[str]:
    return [a for k, vs in params.items() for a in ("--vary", f"{k}={','.join(f'{v:g}' for v in vs)}")]


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        mem = f"{kb / 1024 ** 2:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    sys.path.insert(0, str(ROOT))
    from reconfig.results.rundir import code_version

    return {"cores": os.cpu_count(), "cpu": cpu, "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "code_version": code_version(),
            **{p: version(p) for p in ("highspy", "pyomo", "dask", "distributed", "duckdb")}}


def run_sweep(name: str, params: dict[str, list[float]], extra: list[str], gap: float, time_limit: float,
              tmp: Path) -> dict[str, Any]:
    out = tmp / name
    cmd = [sys.executable, "cli.py", "sweep", str(SCENARIO), *vary_args(params), "--gap", str(gap),
           "--time-limit", str(time_limit), "--out", str(out), "--json", *extra]
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    end_to_end = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{name}: exit {proc.returncode}\n{proc.stderr[-3000:]}")
    spec = json.loads((out / "spec.json").read_text())
    recs = [json.loads(p.read_text()) for p in sorted((out / "points").glob("*.json"))]
    session = spec["sessions"][-1]
    statuses: dict[str, int] = {}
    for r in recs:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    walls = [r["wall_seconds"] for r in recs if r.get("wall_seconds") is not None]
    cpus = [r["cpu_seconds"] for r in recs if r.get("cpu_seconds") is not None]
    gaps = [r["mip_gap"] for r in recs if r.get("mip_gap") is not None]
    return {"name": name, "executor": session["executor"], "points": len(recs),
            "session_seconds": session["wall_seconds"], "end_to_end_seconds": round(end_to_end, 1),
            "points_per_minute": round(60 * len(recs) / session["wall_seconds"], 2),
            "points_per_minute_end_to_end": round(60 * len(recs) / end_to_end, 2), "statuses": statuses,
            "point_seconds_mean": round(statistics.mean(walls), 2), "point_seconds_median":
            round(statistics.median(walls), 2), "point_seconds_max": round(max(walls), 2),
            "point_cpu_seconds_mean": round(statistics.mean(cpus), 2) if cpus else None,
            "cpu_share_per_worker": round(sum(cpus) / sum(walls), 2) if cpus else None,
            "max_gap": max(gaps) if gaps else None, "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "point_seconds": {json.dumps(r["overrides"], sort_keys=True): r["wall_seconds"] for r in recs},
            "not_optimal": {json.dumps(r["overrides"], sort_keys=True): r["status"] for r in recs
                            if r["status"] != "optimal"}}


def dask_sweep(name: str, params: dict[str, list[float]], gap: float, time_limit: float, tmp: Path) -> dict:
    from distributed import LocalCluster

    sys.path.insert(0, str(ROOT))  # the cluster's spawned workers import reconfig from this checkout
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        started = time.perf_counter() - t0
        res = run_sweep(name, params, ["--scheduler", cluster.scheduler_address], gap, time_limit, tmp)
    res["cluster_start_seconds"] = round(started, 1)
    return res


SKIP = ("point_seconds", "not_optimal")  # not printed


def table(results: list[dict[str, Any]], base: dict[str, Any] | None) -> str:
    rows = ["| configuration | executor | points | session (s) | points/min | end to end (s) | points/min end to end "
            "| speed-up | point time mean / median / max (s) | CPU s per point | CPU share per worker | statuses "
            "| largest gap | load avg before → after |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        speed = f"{r['points_per_minute'] / base['points_per_minute']:.2f}×" if base else "–"
        st = ", ".join(f"{k} {v}" for k, v in sorted(r["statuses"].items()))
        gap = f"{r['max_gap'] * 100:.2f} %" if r["max_gap"] is not None else "–"
        rows.append(f"| {r['name']} | {r['executor']} | {r['points']} | {r['session_seconds']:.0f} | "
                    f"**{r['points_per_minute']:.2f}** | {r['end_to_end_seconds']:.0f} | "
                    f"{r['points_per_minute_end_to_end']:.2f} | {speed} | {r['point_seconds_mean']:.1f} / "
                    f"{r['point_seconds_median']:.1f} / {r['point_seconds_max']:.1f} | "
                    f"{r.get('point_cpu_seconds_mean') or '–'} | {r.get('cpu_share_per_worker') or '–'} | "
                    f"{st} | {gap} | "
                    f"{r['load_before'][0]:.1f} → {r['load_after'][0]:.1f} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gap", type=float, default=0.01, help="relative MIP gap per point (default 1 %%)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve")
    ap.add_argument("--one-worker-points", type=int, default=34, choices=(34, 100),
                    help="34: base + lowest, middle, highest of each input; 100: every point")
    ap.add_argument("--points", type=int, default=100, choices=(34, 100),
                    help="points of the 2-worker and Dask runs (34: the same subset)")
    ap.add_argument("--only", choices=("1", "2", "dask"), action="append", help="run only these configurations")
    ap.add_argument("--quick", action="store_true", help="5 points each (2 inputs × 2 values + base)")
    ap.add_argument("--label", default="", help="results go to benchmarks/results/sweep[-LABEL].json")
    args = ap.parse_args()
    full = subset(PARAMETERS, 9 if args.points == 100 else 3)
    if args.quick:
        full = subset(dict(list(PARAMETERS.items())[:2]), 2)
    one = full if args.quick or args.one_worker_points == 100 else subset(PARAMETERS, 3)
    only = set(args.only or ("1", "2", "dask"))
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        if "1" in only:
            results.append(run_sweep("1 worker", one, ["--workers", "1"], args.gap, args.time_limit, Path(tmp)))
            print(json.dumps({k: v for k, v in results[-1].items() if k not in SKIP}), flush=True)
        if "2" in only:
            results.append(run_sweep("2 workers", full, ["--workers", "2"], args.gap, args.time_limit, Path(tmp)))
            print(json.dumps({k: v for k, v in results[-1].items() if k not in SKIP}), flush=True)
        if "dask" in only:
            results.append(dask_sweep("Dask LocalCluster, 2 workers", full, args.gap, args.time_limit, Path(tmp)))
            print(json.dumps({k: v for k, v in results[-1].items() if k not in SKIP}), flush=True)
    two = next((r for r in results if r["name"] == "2 workers"), None)
    single = next((r for r in results if r["name"] == "1 worker"), None)
    if two and single:  # the 2-worker run's point times on the 1-worker subset
        common = [k for k in single["point_seconds"] if k in two["point_seconds"]]
        single["same_points_in_2_worker_run_mean_seconds"] = round(
            statistics.mean(two["point_seconds"][k] for k in common), 2)
        two["mean_seconds_on_1_worker_subset"] = single["same_points_in_2_worker_run_mean_seconds"]
    data = {"machine": machine(), "scenario": str(SCENARIO.relative_to(ROOT)), "gap": args.gap,
            "points": sum(len(v) for v in full.values()) + 1,
            "time_limit": args.time_limit, "parameters": PARAMETERS, "quick": args.quick,
            "one_worker_points": sum(len(v) for v in one.values()) + 1,
            "measured": time.strftime("%Y-%m-%d %H:%M"), "results": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "sweep" + (f"-{args.label}" if args.label else "") + ("-quick" if args.quick else "")
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    print(table(results, single))


if __name__ == "__main__":
    main()
