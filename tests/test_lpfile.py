"""`reconfig solve --write-lp`: the model as solved, rows named like the formulation, readable by HiGHS."""

from __future__ import annotations

import highspy
import pytest
from test_constraints import _ab, _enable, run

from reconfig.solve.lpfile import write_lp_file


def test_lp_rows_read_like_the_formulation_and_solve_to_the_same_optimum(tmp_path):
    built, out = run(tmp_path, _ab(**_enable(5)), [[1, 1]], "lp", years=2,
                     constraints={"capital_limit_gbp_k": {"2018/19": 4, "2019/20": 100}})
    path = write_lp_file(built, tmp_path / "model.lp")
    text = path.read_text()
    assert "\ncapital_limit(2018/19):\n" in text and "\nenablement(a,A,2019/20):\n" in text
    assert "c_u_" not in text and not list(tmp_path.glob(".model.lp.*"))  # no temporary file left
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(out.objective)
