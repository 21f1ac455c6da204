"""Counts written with their noun in the right number; long names cut to fit."""

from __future__ import annotations

import pytest

from trtlab.words import clip, counted, short, signal_name


@pytest.mark.parametrize("n, text", [(0, "0 engines"), (1, "1 engine"), (2, "2 engines")])
def test_counts_take_the_right_plural(n, text):
    assert counted(n, "engine") == text


def test_an_irregular_plural_is_given():
    assert counted(2, "op type") == "2 op types" and counted(3, "entry", "entries") == "3 entries"


def test_a_long_name_is_cut_in_the_middle_to_its_limit():
    name = "encoder/layer.11/attention/self/query/MatMul"
    assert short(name, 20) == "encoder/l\u2026ery/MatMul" and len(short(name, 20)) == 20
    assert short("a  b\nc") == "a b c" and short(name, 60) == name


def test_a_reason_is_cut_at_its_end():
    assert clip("not supported by the parser", 10) == "not suppo\u2026"
    assert clip("short", 10) == "short"


def test_printable_escapes_what_a_terminal_acts_on():
    from trtlab.words import printable

    evil = "a\x1b]0;title\x07\x1b[2J\rfake\x9b\x7f\u202eb\u2066c\0"
    shown = printable(evil)
    assert shown == "a\\x1b]0;title\\x07\\x1b[2J\\rfake\\x9b\\x7f\\u202eb\\u2066c\\0"
    assert shown.isprintable()
    assert printable("line 1\n\tline 2\x1b", lines=True) == "line 1\n\tline 2\\x1b"
    assert printable("x\ny") == "x\\ny"
    assert printable(b"\xff\xfeok") == "\\xff\\xfeok"  # bytes that are not UTF-8
    assert printable("bad\udcffname") == "bad\\udcffname"  # a lone surrogate (a non-UTF-8 file name)
    assert printable("résumé \u2026 日本") == "résumé \u2026 日本"  # ordinary text is left alone


def test_a_signal_is_named_and_a_number_no_signal_has_is_none():
    assert signal_name(11) == "SIGSEGV" and signal_name(9) == "SIGKILL"
    assert signal_name(999) is None
