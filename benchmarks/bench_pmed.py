"""OR-Library p-median benchmark: the engine (ordinary input path, HiGHS) against spopt PMedian + PuLP/CBC.

Usage:
    python benchmarks/bench_pmed.py                    # pmed1-40, engine and spopt
    python benchmarks/bench_pmed.py --only 20,30,40
    python benchmarks/bench_pmed.py --no-spopt --timeout 600

Engine "build" is load_scenario + build_instance (reads the imported travel matrix) + the Pyomo model;
"solve" is HiGHS through pyomo.contrib.solver plus reading the solution back. spopt gets the same
shortest-path matrix in memory and is timed over from_cost_matrix + solve. Writes benchmarks/results/pmed.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reconfig.inputs.benchdata import read_optima, read_pmed, write_pmed_system  # noqa: E402
from reconfig.inputs.scenario import load_scenario  # noqa: E402
from reconfig.instance.build import build_instance  # noqa: E402
from reconfig.solve.solver import solve_instance  # noqa: E402

DATA = Path("/work/shared/benchmarks/orlib-pmed")
RESULTS = ROOT / "benchmarks" / "results" / "pmed.md"


def run_engine(pmed: Path, timeout: float | None) -> dict:
    with tempfile.TemporaryDirectory() as d:
        scenario_path = write_pmed_system(pmed, d)
        t0 = time.perf_counter()
        inst = build_instance(load_scenario(scenario_path))
        t_inst = time.perf_counter() - t0
        _, out = solve_instance(inst, time_limit=timeout, mip_gap=0.0)
    n = len(inst.zones)
    build = t_inst + out.build_seconds
    return {"n": n, "objective": None if out.objective is None else out.objective * n, "status": out.status,
            "build": build, "solve": out.solve_seconds, "total": build + out.solve_seconds}


def run_spopt(dist: np.ndarray, p: int, timeout: float | None) -> dict:
    import pulp
    from spopt.locate import PMedian

    t0 = time.perf_counter()
    weights = np.ones(dist.shape[0])
    model = PMedian.from_cost_matrix(dist, weights, p_facilities=p)
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=timeout) if timeout else pulp.PULP_CBC_CMD(msg=False)
    model.solve(solver)
    secs = time.perf_counter() - t0
    return {"seconds": secs, "objective": pulp.value(model.problem.objective),
            "status": pulp.LpStatus[model.problem.status]}


def fmt(v: float | None, digits: int = 2) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated instance numbers, e.g. 20,30,40 (default 1-40)")
    ap.add_argument("--no-spopt", action="store_true", help="run the engine only")
    ap.add_argument("--timeout", type=float, default=None, help="time limit per solve, seconds")
    ap.add_argument("--data", type=Path, default=DATA, help="folder with pmedN.txt and pmedopt.txt")
    ap.add_argument("--out", type=Path, default=RESULTS, help="markdown results file")
    args = ap.parse_args(argv)
    numbers = [int(x) for x in args.only.split(",")] if args.only else list(range(1, 41))
    optima = read_optima(args.data / "pmedopt.txt")
    header = ("| instance | n | p | optimum | engine objective | engine build s | engine solve s | engine total s "
              "| status | spopt s | spopt/engine |")
    lines = [header, "|" + "---|" * 11]
    print(header, flush=True)
    rows_ok = True
    for i in numbers:
        name = f"pmed{i}"
        path = args.data / f"{name}.txt"
        dist, p = read_pmed(path)
        e = run_engine(path, args.timeout)
        s = None if args.no_spopt else run_spopt(dist, p, args.timeout)
        opt = optima.get(name)
        hit = e["objective"] is not None and opt is not None and abs(e["objective"] - opt) < 0.5
        status = e["status"] + ("" if hit else " (objective differs from the published optimum)")
        rows_ok &= hit and e["status"] == "optimal"
        spopt_s = None if s is None else s["seconds"]
        if s is not None and (s["objective"] is None or abs(s["objective"] - opt) > 0.5):
            spopt_note = f" ({s['status']}, {s['objective']})"
        else:
            spopt_note = ""
        ratio = None if s is None else s["seconds"] / e["total"]
        row = (f"| {name} | {e['n']} | {p} | {fmt(opt, 0)} | {fmt(e['objective'], 0)} | {fmt(e['build'])} | "
               f"{fmt(e['solve'])} | {fmt(e['total'])} | {status} | {fmt(spopt_s)}{spopt_note} | {fmt(ratio, 1)} |")
        lines.append(row)
        print(row, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    from importlib.metadata import version

    import pyomo

    meta = (f"Machine: {platform.machine()}, {platform.processor() or platform.system()}, Python "
            f"{platform.python_version()}, Pyomo {pyomo.version.version}, highspy "
            f"{version('highspy')}. Command: `python benchmarks/bench_pmed.py "
            f"{' '.join(argv if argv is not None else sys.argv[1:])}`")
    args.out.write_text("# OR-Library p-median: engine vs spopt\n\n" + meta + "\n\n" + "\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0 if rows_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
