"""The one error type a user can cause, and messages put on one line for the command line."""

from __future__ import annotations

from trtlab.errors import MissingDependency, TrtlabError, one_line


def test_the_hint_follows_the_message():
    e = TrtlabError("No model at 'x.onnx'.", hint="Check the path.")
    assert str(e) == "No model at 'x.onnx'. Check the path." and e.hint == "Check the path."
    assert str(TrtlabError("Plain.")) == "Plain." and TrtlabError("Plain.").hint is None


def test_a_missing_package_says_how_to_install_it():
    e = MissingDependency("tensorrt_rtx", "rtx", "Building engines")
    assert isinstance(e, TrtlabError) and (e.module, e.extra) == ("tensorrt_rtx", "rtx")
    assert str(e) == ("Building engines needs the 'tensorrt_rtx' package, which is not installed. "
                      "Install it with: pip install 'trtlab[rtx]'")
    assert str(MissingDependency("dot", None, "Drawing")).endswith("Install it with: pip install dot")


def test_one_line_of_a_native_library_log():
    log = "\n  [E] [defaultAllocator.cpp::allocate::31] Error\nout of   memory\n\n  while building\n"
    assert one_line(log) == "out of memory while building"
    assert one_line(log, first=True) == "[E] [defaultAllocator.cpp::allocate::31] Error"  # all it has
    assert one_line("first line\nsecond", first=True) == "first line"
    assert one_line(ValueError()) == "ValueError" and one_line(None) == "unknown error"
    assert "\x1b" not in one_line("red \x1b[31mtext")
    assert len(one_line("x" * 1000, limit=50)) <= 50 and len(one_line("x" * 1000, limit=None)) == 1000
