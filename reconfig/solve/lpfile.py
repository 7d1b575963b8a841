"""The model as solved, in CPLEX LP format, with rows named like the formulation (`reconfig solve --write-lp`).

Each row is named by its family and key, `capital_limit(2018/19)`, `bed_days(acute,LRI,2019/20)`; a ranged row
becomes two, `<name>.lo` and `<name>.up`. Characters an LP name may not hold (CPLEX LP format: letters, digits and
!"#$%&()/,.;?@_`'{}|~) become `_`. Columns keep Pyomo's LP labels (`x(1,a,LRI,0)`).
"""

from __future__ import annotations

import re
from pathlib import Path

from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.label import cpxlp_label_from_name
from pyomo.repn.plugins import lp_writer

from reconfig.formulation.built import Built
from reconfig.inputs.atomic import atomic_file

_NOT_LP = re.compile(r"""[^A-Za-z0-9!"#$%&()/,.;?@_`'{}|~]""")
_ROW = re.compile(r"^(c_[lue]|r_[lu])_(.*)_:$", re.MULTILINE)


def row_name(con: ConstraintData) -> str:
    """`family(key,…)` for a row of family `family` (its years as labels); `family` for a scalar row."""
    index = con.index()
    if index is None:
        return _NOT_LP.sub("_", con.parent_component().name)
    keys = index if isinstance(index, tuple) else (index,)
    return _NOT_LP.sub("_", f"{con.parent_component().name}({','.join(str(k) for k in keys)})")


class _Labeler:
    """Row names by family and key; everything else as Pyomo's LP labeler names it."""

    def __call__(self, obj: object) -> str:
        if isinstance(obj, ConstraintData):
            return row_name(obj)
        return cpxlp_label_from_name(obj.getname(True))  # type: ignore[attr-defined]


def _plain(match: re.Match[str]) -> str:
    kind, name = match.groups()
    return f"{name}{'.lo' if kind == 'r_l' else '.up' if kind == 'r_u' else ''}:"


def write_lp_file(built: Built, path: Path) -> Path:
    """Write the model as last solved (objective, radius levels and stage bounds included) to `path` in CPLEX LP
    format, atomically. Returns the path. Raises OSError when the file cannot be written."""
    real = lp_writer.LPFileLabeler
    lp_writer.LPFileLabeler = _Labeler  # the writer makes its labeler from this name when asked for symbolic labels
    try:
        with atomic_file(Path(path)) as tmp:
            built.model.write(str(tmp), format="lp", io_options={"symbolic_solver_labels": True})
            tmp.write_text(_ROW.sub(_plain, tmp.read_text()))
    finally:
        lp_writer.LPFileLabeler = real
    return Path(path)
