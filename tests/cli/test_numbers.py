"""Number arguments with a range: a bad value is one `trtlab: error:` line naming it."""

from __future__ import annotations

import argparse

import pytest

from trtlab.cli import main
from trtlab.cli.numbers import count, seconds


def test_seconds_are_finite_and_positive_unless_zero_is_allowed():
    assert seconds()("1.5") == 1.5 and seconds(zero=True)("0") == 0.0
    for text, words in [("0", "(more than 0)"), ("-1", "(more than 0)"), ("nan", "usable"), ("inf", "usable"),
                        ("soon", "'soon' is not a number of seconds")]:
        with pytest.raises(argparse.ArgumentTypeError, match=words.replace("(", r"\(").replace(")", r"\)")):
            seconds()(text)
    with pytest.raises(argparse.ArgumentTypeError, match=r"'-5' is not a usable number of milliseconds \(0 or more\)"):
        seconds(zero=True, unit="milliseconds")("-5")


def test_counts_are_whole_numbers_of_at_least_the_minimum():
    assert count(minimum=1)("3") == 3 and count()("0") == 0
    with pytest.raises(argparse.ArgumentTypeError, match=r"'0' is too small \(at least 1\)"):
        count(minimum=1)("0")
    with pytest.raises(argparse.ArgumentTypeError, match="'2.5' is not a whole number"):
        count()("2.5")


def test_the_command_line_says_which_argument_was_bad(capsys):
    assert main(["check", "zoo:tiny", "--iterations", "0"]) == 2
    assert capsys.readouterr().err == \
        "trtlab: error: argument --iterations: '0' is too small (at least 1) (see: trtlab check --help)\n"
