"""Generates docs/input-format.md from the table declarations (`python -m reconfig.inputs.docs`)."""

from __future__ import annotations

from pathlib import Path

from reconfig.inputs import schema

HEADER = """# Input format

A health system is a folder of CSV files, one per table (`sites.csv`, `services.csv`, …), or one `.xlsx`
workbook with one sheet per table. This page is generated from `reconfig/inputs/schema.py`; do not edit it by hand.

"""


def input_format_markdown() -> str:
    lines = [HEADER, (schema.__doc__ or "").strip().split("\n\n", 1)[1], ""]
    for t in schema.TABLES:
        lines.append(f"## `{t.name}`{' (optional)' if t.optional else ''}\n")
        lines.append(t.doc + (f" Unique key: {', '.join(t.key)}." if t.key else "") + "\n")
        lines.append("| column | type | required | meaning |")
        lines.append("|---|---|---|---|")
        for c in t.columns:
            kind = c.kind + (f" ({', '.join(c.choices)})" if c.choices else "")
            if c.ref:
                kind += f" → {c.ref}"
            rng = []
            if c.minimum is not None:
                rng.append(f"{'>' if c.exclusive_minimum else '≥'} {c.minimum:g}")
            if c.maximum is not None:
                rng.append(f"≤ {c.maximum:g}")
            if rng:
                kind += " " + ", ".join(rng)
            lines.append(f"| `{c.name}` | {kind} | {'yes' if c.required else 'no'} | {c.doc} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    Path("docs/input-format.md").write_text(input_format_markdown())
