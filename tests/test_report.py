"""report.html and results.xlsx: self-contained, escaped, sections present; the workbook's sheets and styles."""

from __future__ import annotations

import json
import re

from openpyxl import load_workbook
from plotly.offline import get_plotlyjs
from test_report_data import make_run
from typer.testing import CliRunner

from reconfig.cli import app
from reconfig.report import build_report, safe_json

XSS = "<script>alert(1)</script>"


def test_report_self_contained_with_sections(tmp_path):
    run = make_run(tmp_path)
    html = build_report(run).read_text().replace(get_plotlyjs(), "")
    assert "<script src" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched from a server
    assert "cdn.plot.ly" not in html and "fonts.googleapis" not in html
    for section in ("headline", "configuration", "map", "beds", "capital", "disposals", "savings", "access",
                    "appendix"):
        assert f'id="{section}"' in html
    assert 'id="fig-map"' in html and "sensitivity" not in html and 'id="pareto"' not in html
    assert "assumption:test" in html and "synthetic test data" in html  # appendix from the data folder
    assert "✖" in html  # B's emergency department closes: highlighted against today


def test_sweep_and_pareto_sections_when_present(tmp_path):
    html = build_report(make_run(tmp_path, extras=True)).read_text()
    assert 'id="fig-tornado"' in html and 'id="fig-pareto"' in html
    figs = json.loads(re.search(r'id="fig-data">(.*?)</script>', html, re.S).group(1))
    assert figs["fig-tornado"]["data"][0]["y"] == ["Demand growth &lt;b&gt;x&lt;/b&gt;", "Discount rate"]


def test_input_text_is_escaped(tmp_path):
    html = build_report(make_run(tmp_path, site_name=XSS)).read_text()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "\\u003cscript\\u003e" in html
    assert "Emergency &lt;department&gt;" in html


def test_safe_json():
    assert safe_json({"a": "</script>&"}) == '{"a": "\\u003c/script\\u003e\\u0026"}'


def test_results_xlsx(tmp_path):
    run = make_run(tmp_path)
    wb = load_workbook(run / "results.xlsx")
    assert {"services", "beds", "capital_by_year", "access", "sources"} <= set(wb.sheetnames)
    ws = wb["access"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert "mean_minutes" in [c.value for c in ws[1]]
    src = wb["sources"]
    header = [c.value for c in src[1]]
    assert header[:5] == ["table", "file", "row (line in file)", "record", "source reference"]
    rows = list(src.iter_rows(min_row=2, values_only=True))
    assert any(r[0] == "sites" and r[4] == "assumption:test" and r[5] == "synthetic test data" for r in rows)


def test_cli_report(tmp_path):
    run = make_run(tmp_path)
    (run / "results.xlsx").unlink()
    r = CliRunner().invoke(app, ["report", str(run)])
    assert r.exit_code == 0, r.output
    assert (run / "report.html").exists() and (run / "results.xlsx").exists()
    r = CliRunner().invoke(app, ["report", str(tmp_path / "nowhere")])
    assert r.exit_code == 2
