"""Input errors: collected, located (file, row, column, value) and reported together."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as possible.

    ``row`` is the 1-based line number in a CSV file (the header is line 1), or the
    spreadsheet row for a workbook sheet; ``None`` when the problem is about a whole file.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: Any = None
    expected: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.value is not None and self.value != "":
            text += f" (got {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["value"] is not None:
            d["value"] = str(d["value"])
        return d


class InputError(Exception):
    """Raised with every problem found; the CLI prints them all and exits with status 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ProblemLog:
    """Accumulates problems while a loader keeps going, then raises them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, message: str, row: int | None = None, column: str | None = None,
            value: Any = None, expected: str | None = None) -> None:
        self.problems.append(Problem(file, message, row, column, value, expected))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)
