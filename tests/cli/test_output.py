"""stdout kept for the JSON a command promises (even what native code writes to file descriptor 1 goes
to stderr meanwhile), and text printed to a terminal with its control characters escaped."""

from __future__ import annotations

import os
import sys

from trtlab.cli.output import json_only_on_stdout, printable_output


def test_while_json_is_promised_everything_else_goes_to_stderr(capfd):
    with json_only_on_stdout(True):
        print("a note from trtlab")
        os.write(1, b"a native builder's line\n")  # below Python, as a C library writes
    print('{"json": true}')
    out, err = capfd.readouterr()
    assert out == '{"json": true}\n'
    assert "a note from trtlab" in err and "a native builder's line" in err
    with json_only_on_stdout(False):
        print("plain")
    assert capfd.readouterr().out == "plain\n"


def test_printed_text_cannot_drive_the_terminal(capsys):
    with printable_output():
        print("name\x1b[2J\rall clear\tok")
        sys.stderr.write("bell\x07\n")
        sys.stdout.writelines(["a\x1b]0;title\x07", "\n"])
    out, err = capsys.readouterr()
    assert "\x1b" not in out and "\r" not in out and "\x07" not in err
    assert out.splitlines()[0] == "name\\x1b[2J\\rall clear\tok"  # escaped, visible; the tab kept
    assert err == "bell\\x07\n"
    print("after\x1b")
    assert capsys.readouterr().out == "after\x1b\n"  # only while active
