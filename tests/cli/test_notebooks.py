"""The tutorials in the user's work folder: copied on first launch, a newer version written beside
one the user changed, never over it."""

from __future__ import annotations

import json
from pathlib import Path

from trtlab.cli.notebooks import MANIFEST, copy_tutorials, tutorials_source

REPO = Path(__file__).resolve().parents[2]


def test_finds_the_tutorials_of_this_checkout():
    found = tutorials_source()
    assert found is not None and found.resolve() == (REPO / "notebooks").resolve()
    assert (found / "01-quickstart.ipynb").exists()


def _tutorials(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("01-quickstart.ipynb", "02-partitioning.ipynb"):
        (folder / name).write_text(json.dumps({"cells": [], "version": version, "name": name}))
    return folder


def test_first_launch_copies_then_a_newer_trtlab_keeps_the_users_edits(tmp_path):
    work = tmp_path / "work"
    first = copy_tutorials(_tutorials(tmp_path / "v1", "1"), work)
    assert first.added == ["01-quickstart.ipynb", "02-partitioning.ipynb"]
    assert json.loads((work / "02-partitioning.ipynb").read_text())["version"] == "1"
    assert copy_tutorials(tmp_path / "v1", work).lines() == []  # nothing new: nothing said
    mine = '{"cells": ["my own work"]}'
    (work / "01-quickstart.ipynb").write_text(mine)  # run or edited in JupyterLab
    second = copy_tutorials(_tutorials(tmp_path / "v2", "2"), work)
    assert (work / "01-quickstart.ipynb").read_text() == mine  # never overwritten
    assert json.loads((work / "01-quickstart.new.ipynb").read_text())["version"] == "2"
    assert json.loads((work / "02-partitioning.ipynb").read_text())["version"] == "2"  # untouched: updated
    assert second.updated == ["02-partitioning.ipynb"]
    assert second.beside == [("01-quickstart.ipynb", "01-quickstart.new.ipynb")]
    text = "\n".join(second.lines())
    assert "01-quickstart.ipynb has your changes" in text and "01-quickstart.new.ipynb" in text
    assert copy_tutorials(tmp_path / "v2", work).lines() == []  # offered once, not at every launch
    (work / "02-partitioning.ipynb").unlink()
    assert copy_tutorials(tmp_path / "v2", work).added == ["02-partitioning.ipynb"]
    assert set(json.loads((work / MANIFEST).read_text())) == {"01-quickstart.ipynb", "02-partitioning.ipynb"}


def test_an_edited_tutorial_of_an_unchanged_trtlab_gets_nothing_beside_it(tmp_path):
    work = tmp_path / "work"
    copy_tutorials(_tutorials(tmp_path / "v1", "1"), work)
    (work / "01-quickstart.ipynb").write_text("{}")
    assert copy_tutorials(tmp_path / "v1", work).lines() == []
    assert not (work / "01-quickstart.new.ipynb").exists()
