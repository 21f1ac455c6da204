"""The tutorials in a work folder of the user's (default ~/trtlab-notebooks), so that nothing is
ever written into the installed package or a source checkout.

The first launch copies them there. A manifest (`.trtlab-tutorials.json`) keeps the sha256 of each
version copied: a later trtlab replaces a tutorial the user has not changed, and writes its new
version *beside* one the user has changed (run or edited: JupyterLab saves outputs into it), as
`NAME.new.ipynb`, saying so. A tutorial the user deleted is copied again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .._io import atomic_write_bytes, atomic_write_text
from ..errors import TrtlabError

MANIFEST = ".trtlab-tutorials.json"
DEFAULT_DIR = "~/trtlab-notebooks"


def tutorials_source() -> Path | None:
    """The tutorial notebooks as trtlab ships them: beside the package in a source checkout or an
    editable install, or where a wheel installs them (<prefix>/share/trtlab/notebooks)."""
    here = Path(__file__).resolve().parents[2]  # above the trtlab package
    installed = Path(sys.prefix) / "share" / "trtlab" / "notebooks"  # pyproject's data-files
    for candidate in (here / "notebooks", installed):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return None


def work_dir(given: str | os.PathLike | None) -> Path:
    """The folder the tutorials are copied to and JupyterLab opens: `given`, or ~/trtlab-notebooks."""
    folder = Path(os.path.expanduser(str(given) if given is not None else DEFAULT_DIR))
    if folder.exists() and not folder.is_dir():
        raise TrtlabError(f"{folder} is not a folder.", hint="Pass a folder (new or existing) with --dir.")
    source = tutorials_source()
    if source is not None and _inside(folder, source.parent):
        raise TrtlabError(f"{folder} is inside trtlab's own files ({source.parent}); the tutorials are "
                          "copied to a folder of yours so that running them changes nothing there.",
                          hint=f"Pass another folder with --dir, or leave it out for {DEFAULT_DIR}.")
    return folder


def _inside(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


@dataclass
class Copied:
    """What `copy_tutorials` did, file by file, in words for the terminal."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    beside: list[tuple[str, str]] = field(default_factory=list)  # (the user's file, the new version)

    def lines(self) -> list[str]:
        out = []
        if self.added:
            out.append(f"trtlab: copied the tutorials {', '.join(self.added)}")
        if self.updated:
            out.append(f"trtlab: updated the tutorials you had not changed: {', '.join(self.updated)}")
        for mine, new in self.beside:
            out.append(f"trtlab: {mine} has your changes, so it was left as it is; this trtlab's version "
                       f"of it is beside it as {new}")
        return out


def copy_tutorials(source: Path, folder: Path) -> Copied:
    """Copy or update the tutorials of `source` in `folder` (see the module's text)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TrtlabError(f"Can't create the tutorials folder {folder}: {exc.strerror or exc}.",
                          hint="Pass a folder you can write to with --dir.") from None
    manifest_path = folder / MANIFEST
    manifest = _read_manifest(manifest_path)
    done = Copied()
    for src in sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith(".")):
        data = src.read_bytes()
        new = _sha(data)
        dest = folder / src.name
        if not dest.exists():
            _write(dest, data)
            done.added.append(src.name)
        else:
            mine, old = _sha(dest.read_bytes()), manifest.get(src.name)
            if mine == new:
                pass
            elif mine == old:  # an older tutorial, untouched: replace it
                _write(dest, data)
                done.updated.append(src.name)
            else:  # the user's work: never overwritten
                beside = dest.with_name(f"{dest.stem}.new{dest.suffix}")
                offered = beside.exists() and _sha(beside.read_bytes()) == new
                if new != old and not offered:
                    _write(beside, data)
                    done.beside.append((src.name, beside.name))
                continue  # the manifest keeps the version the user's file came from
        manifest[src.name] = new
    try:
        atomic_write_text(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    except OSError as exc:
        raise TrtlabError(f"Can't write {manifest_path}: {exc.strerror or exc}.") from None
    return done


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every differing file then counts as the user's
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(data, dict) else {}


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise TrtlabError(f"Can't write {path}: {exc.strerror or exc}.",
                          hint="Pass a folder you can write to with --dir.") from None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
