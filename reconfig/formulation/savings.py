"""Savings target (FORMULATION.md §13).

    savings[t*]:  recurrent[t*] ≤ do-nothing recurrent[t*] − savings_target   (£000, the savings year t*)
Applies only when the do-nothing recurrent cost is known (solve it first) and the model is not do-nothing itself.
"""

from __future__ import annotations

from reconfig.formulation.built import Built, family


def add_savings_target(built: Built, fix: str | None, do_nothing_cost: float | None) -> None:
    c = built.inst.scenario.constraints
    with family(built, "savings", ("t",)) as rows:
        if c.savings_target_gbp_k is not None and do_nothing_cost is not None and fix != "do_nothing":
            t = built.inst.years.index(c.savings_year)
            rows[c.savings_year] = built.recurrent[t] <= do_nothing_cost - c.savings_target_gbp_k
