"""Terminal output of a sweep: the progress bar (done, failed, remaining) and the final table."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from reconfig.analysis.sweep.outputs import objective_name, value_text
from reconfig.analysis.sweep.point import has_solution


class SweepProgress:
    """A rich progress bar over the points; `update` is the `execute` callback."""

    def __init__(self, spec: dict[str, Any], records: dict[str, dict[str, Any]], console: Console, what: str):
        self.total = len(spec["points"])
        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("done [green]{task.fields[done]}[/] · failed [red]{task.fields[failed]}"
                                            "[/] · remaining {task.fields[remaining]}"),
                                 TimeElapsedColumn(), TimeRemainingColumn(), console=console)
        self.task = self.progress.add_task(what, total=self.total, **self._fields(records))
        self.progress.update(self.task, completed=len(records))

    def _fields(self, records: dict[str, dict[str, Any]]) -> dict[str, int]:
        failed = sum(1 for r in records.values() if not has_solution(r))
        return {"done": len(records) - failed, "failed": failed, "remaining": self.total - len(records)}

    def update(self, rec: dict[str, Any], records: dict[str, dict[str, Any]]) -> None:
        self.progress.update(self.task, completed=len(records), **self._fields(records))
        if not has_solution(rec):
            self.progress.console.print(f"[red]point {rec['id']} failed[/] ({rec.get('status')}): "
                                        f"{escape(str(rec.get('error', '')))}", highlight=False, soft_wrap=True)

    def __enter__(self) -> SweepProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _m(v: Any) -> str:
    return f"{v / 1000:,.1f}" if isinstance(v, int | float) else "–"


def results_table(spec: dict[str, Any], records: dict[str, dict[str, Any]]) -> Table:
    """One row per point: its inputs (parameter and value; each parameter's value for a grid) and results."""
    name, unit = objective_name(spec)
    money = unit == "£000"
    one_way = spec["mode"] == "one_way"
    savings = any(r.get("savings_gbp_k") is not None for r in records.values())
    t = Table(title=f"{escape(spec['scenario_name'])}: {'one-way' if one_way else 'grid'} sweep, {len(spec['points'])} "
                    "points")
    t.add_column("Point", no_wrap=True)
    if one_way:
        t.add_column("Input", overflow="fold", min_width=12)
        t.add_column("Value", justify="right", overflow="fold", min_width=6)
    else:
        for par in spec["parameters"]:
            t.add_column(par["label"], justify="right", overflow="fold", min_width=6)
    t.add_column("Status", no_wrap=True)
    t.add_column("NPV £m" if money else name, justify="right")
    t.add_column("Gap", justify="right")
    t.add_column("Capital £m", justify="right")
    if savings:
        t.add_column("Saving £m", justify="right")
    t.add_column("Time s", justify="right")
    labels = {par["key"]: par["label"] for par in spec["parameters"]}
    for p in spec["points"]:
        r = records.get(p["id"], {})
        obj = r.get("objective")
        status = r.get("status", "not run")
        colour = "green" if status == "optimal" else "yellow" if has_solution(r) else "red"
        if one_way:
            key = next(iter(p["overrides"]), None)
            inputs = [labels.get(key, key) if key else "base",
                      value_text(p["overrides"][key]) if key else ""]
        else:
            inputs = [value_text(p["overrides"][par["key"]]) if par["key"] in p["overrides"] else "base"
                      for par in spec["parameters"]]
        cells = [p["id"], *[escape(x) for x in inputs], f"[{colour}]{status}[/]",
                 (_m(obj) if money else f"{obj:,.6g}") if obj is not None else "–",
                 f"{r['mip_gap'] * 100:.2f}%" if r.get("mip_gap") is not None else "–",
                 _m(r.get("capital_total_gbp_k"))]
        if savings:
            cells.append(_m(r.get("savings_gbp_k")))
        cells.append(f"{r['wall_seconds']:.1f}" if r.get("wall_seconds") is not None else "–")
        t.add_row(*cells)
    return t
