from pathlib import Path

from reconfig.inputs.docs import input_format_markdown


def test_input_format_doc_is_current():
    doc = Path(__file__).resolve().parents[1] / "docs" / "input-format.md"
    assert doc.read_text() == input_format_markdown(), "run: python -m reconfig.inputs.docs"
