"""The words of a check's text and HTML: counts with their noun in the right number, no
parentheses inside parentheses, "built" and "from the cache" said apart."""

from __future__ import annotations

import re
from types import SimpleNamespace

from trtlab.check import check
from trtlab.check.engines import engines_done
from trtlab.report.html import render_report
from trtlab.report.text import check_text

from tests.models import conv_model

NOUNS = ("TensorRT subgraph", "subgraph", "segment", "node", "engine", "fallback node", "op type", "op",
         "tensor", "kernel", "engine build", "output", "group")
WRONG_PLURAL = re.compile(r"(?<![\d.,])\b1 (%s)s\b" % "|".join(map(re.escape, NOUNS)))


def nested_parentheses(text: str) -> list[str]:
    """Each '(...)' that opens inside another, with what surrounds it."""
    found, depth = [], 0
    for i, ch in enumerate(text):
        if ch == "(":
            if depth:
                found.append(text[max(0, i - 60):i + 40])
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "\n":
            depth = 0
    return found


def _visible(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>|<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", html)


def test_one_of_a_thing_is_said_in_the_singular_and_without_nested_parentheses(tmp_path):
    model = conv_model()
    result = check(model, ["fp32", "fp16"], cache_dir=tmp_path, per_node=True,
                   timing_options={"warmup_ms": 5, "iterations": 3, "seconds": 0.01})
    assert result.plan.engine_count == 1  # one of each: where the plurals went wrong
    text = check_text(result)
    html = _visible(render_report(result))
    for words in (text, html, repr(result.plan), repr(model), model.summary()):
        assert not WRONG_PLURAL.findall(words), WRONG_PLURAL.findall(words)
    assert "1 TensorRT subgraph," in text and "1 segment" in [t.note for t in result.timing]
    for words in (text, repr(result.plan)):
        assert nested_parentheses(words) == [], nested_parentheses(words)
    assert " on CPU: " not in next((s for s in result.not_done if "speed-up" in s), "")


def _build(cache_hit: bool):
    return SimpleNamespace(built=True, cache_hit=cache_hit)


def test_built_and_from_the_cache_are_said_apart():
    trt = SimpleNamespace(label="TensorRT-RTX 1.7.1", portable=True)
    assert engines_done("fp16", [_build(False), _build(True), _build(True)], 3, trt) == \
        "fp16 engines: 1 built, 2 from the cache; all ready, by TensorRT-RTX 1.7.1, portable"
    assert engines_done("fp32", [_build(False)], 2, SimpleNamespace(label="TensorRT 10.9", portable=False)) == \
        "fp32 engines: 1 built; 1 of 2 ready, by TensorRT 10.9"
    assert engines_done("int8", [_build(True)], 1, trt).startswith("int8 engines: 1 from the cache; all ready")


def test_the_checker_finds_what_it_looks_for():
    assert WRONG_PLURAL.findall("1 TensorRT subgraphs, 1 segments, 21 nodes") == ["TensorRT subgraph", "segment"]
    assert nested_parentheses("a (b (c)) d") and not nested_parentheses("a (b) (c)")


def test_a_long_cell_is_cut_with_an_ellipsis_and_kept_whole_in_its_tooltip():
    from trtlab.report.tables import clipped

    assert clipped("short", 300) == "short"
    long = "fp32: " + "a kernel that reads fp32 & more; " * 20
    cell = clipped(long, 300)
    assert "\u2026</span>" in cell and "title='" in cell and "&amp; more" in cell
    assert len(cell.split(">", 1)[1].split("<", 1)[0].replace("&amp;", "&")) == 300
