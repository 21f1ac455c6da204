"""`trtlab report RESULT.json`: a recorded check's summary and HTML report, its exit status, and
one clear error for a file that is not a record."""

from __future__ import annotations

import pytest

from trtlab.check import check, save_result
from trtlab.cli import main

from tests.models import conv_model


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    r = check(conv_model(), ["fp32", "fp16"], cache_dir=False, build=False,
              timing_options={"warmup_ms": 5, "iterations": 3, "seconds": 0.01})
    return save_result(r, tmp_path_factory.mktemp("rec") / "cnn.json"), r


def test_prints_the_summary_and_writes_the_report(record, tmp_path, capsys):
    path, result = record
    out_html = tmp_path / "out.html"
    assert main(["report", str(path), "--report", str(out_html)]) == result.exit_status
    out = capsys.readouterr().out
    assert out.startswith(f"trtlab check of '{result.model.name}'") and "  checked on " in out
    assert f"Wrote report: {out_html}" in out
    page = out_html.read_text()
    assert "trtlab-ran-on" in page and result.ran_on["device"] in page and "<svg" in page


def test_not_a_record_is_one_line_and_status_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"model": {}}')
    assert main(["report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trtlab: error:") and err.count("\n") == 1 and "trtlab check --json" in err
    assert main(["report", str(tmp_path / "missing.json")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_a_report_path_that_cannot_be_written_fails_before_reading(record, tmp_path, capsys):
    path, _ = record
    folder = tmp_path / "a-folder.html"
    folder.mkdir()
    assert main(["report", str(path), "--report", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trtlab: error: --report") and err.count("\n") == 1
