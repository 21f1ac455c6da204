"""One verdict, rendered one way: the CLI text, --json, the HTML report and the Lab show the same
status, the same figures and the same sentence for the reason."""

import html
import json
import re

import pytest

from trtlab.check import check
from trtlab.report import render_report
from trtlab.report.text import accuracy_cells

from tests.models import fragile_chain


def _table(page: str, cls: str) -> list[list[str]]:
    body = re.search(rf"<table class='{cls}'>(.*?)</table>", page, re.S).group(1)
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)][1:]


@pytest.fixture(scope="module", params=[True, False], ids=["built", "no-build"])
def result(request, tmp_path_factory):
    # fp16 fails (engines built where TensorRT is installed) or is not measured (where not, and with
    # build=False, whose reason gives the transform's own figures): every rendering says the same.
    return check(fragile_chain(bad=(2,)), ["fp32", "fp16"], timing=False, build=request.param,
                 cache_dir=tmp_path_factory.mktemp("cache"))


def test_text_json_report_and_lab_render_the_same_verdicts(result):
    pytest.importorskip("ipywidgets", reason="needs ipywidgets (pip install 'trtlab[lab]')")
    from trtlab.lab.build_panel import BuildPanel

    want = [(v.precision, v.status, v.reason) for v in (result.verdict(p) for p in result.precisions)]
    assert any(s == "fail" for _, s, _ in want) or all(s == "not measured" for _, s, _ in want)
    assert all("atol 0.01 + rtol 0.01·|ref|" in r for p, _, r in want if p == "fp16")  # the rule, named

    as_json = [(v["precision"], v["status"], v["reason"]) for v in json.loads(result.to_json())["verdicts"]]
    text = result.summary()
    as_text = [(p, s, r) for p, s, r in want if f"verdict {p}: {s.upper() if s == 'fail' else s}: {r}" in text]
    report = [(p, s, r) for p, s, _, r in _table(render_report(result), "trtlab-verdicts")]
    panel = BuildPanel(lambda: result.plan, lambda: "fp16", lambda exc: None)
    panel._show(result)
    lab = [(p, s, r) for p, s, _, r in _table(panel.status.value, "trtlab-verdicts")]
    assert as_json == as_text == report == lab == want

    # The same figures: each accuracy row's cells in the text, the report and the Lab.
    report_rows = _table(render_report(result), "trtlab-accuracy-table")
    lab_rows = _table(panel.accuracy.value, "trtlab-accuracy-table")
    assert report_rows == lab_rows and len(report_rows) == sum(len(r.outputs) for r in result.accuracy)
    for row, (r, o) in zip(report_rows, [(r, o) for r in result.accuracy for o in r.outputs]):
        c = accuracy_cells(o)
        assert row[3:9] == [c["max abs"], c["p50"], c["p99"], c["p99.9"], c["outside"], c["cosine"]]
        assert row[-1] == o.reason and row[-2] == o.tolerance.text()
        assert f"accuracy {r.precision} {o.output}: max abs error {c['max abs']}, p50 {c['p50']}" in text
    # The settings each was judged by, in every rendering.
    for line in ("fp16: element-wise, atol 0.01 + rtol 0.01·|ref|, cosine ≥ 0.999",):
        assert line in text and html.escape(line) in render_report(result) and html.escape(line) in panel.status.value
    assert json.loads(result.to_json())["settings"]["tolerances"]["fp16"]["atol"] == 0.01
