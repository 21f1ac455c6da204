"""Checks made before a command starts its work: the files it will read are regular files, the
files it will write can be written, and a write that fails half way is one error line."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .._io import check_output_path, require_regular_file, write_failed
from ..errors import TrtlabError

GRAPH_SUFFIXES = (".svg", ".png", ".dot", ".gv")


def check_inputs(args) -> None:
    """--params, --feeds and --calibration name readable regular files (the model itself is
    checked by `trtlab.load`)."""
    if getattr(args, "params", None):
        require_regular_file(args.params, "params file", hint="Pass the .params file saved with the symbol.")
    if getattr(args, "feeds", None):
        require_regular_file(args.feeds, "feeds file", hint="Pass an .npz file with one array per model input.")
    if getattr(args, "calibration", None):
        calibration_files(args.calibration)


def calibration_files(folder: str | os.PathLike) -> list[Path]:
    """The .npy/.npz files of a calibration folder, each a regular file."""
    path = Path(folder)
    if not path.is_dir():
        what = "is a file" if path.exists() else "does not exist"
        raise TrtlabError(f"--calibration: {path} {what}; it must be a folder of .npy or .npz files.",
                          hint="Pass the folder that holds the samples.")
    try:
        files = sorted(p for p in path.iterdir() if p.suffix in (".npy", ".npz"))
    except OSError as exc:
        raise TrtlabError(f"--calibration: can't list {path}: {exc.strerror or exc}.") from None
    if not files:
        raise TrtlabError(f"--calibration: {path} holds no .npy or .npz files.",
                          hint="Save one sample per file with numpy.save or numpy.savez.")
    for f in files:
        require_regular_file(f, "calibration file")
    return files


def check_outputs(outputs: dict[str, str | None]) -> None:
    """{option: path} for every file the command will write: each can be written."""
    for option, path in outputs.items():
        if path is None:
            continue
        check_output_path(path, option)
        if option.startswith("--svg") and Path(path).suffix.lower() not in GRAPH_SUFFIXES:
            raise TrtlabError(f"{option}: can't save a graph as '{Path(path).suffix or path}'.",
                              hint="Use a file name ending in .svg, .png or .dot.")


@contextlib.contextmanager
def writing(path: str | os.PathLike, option: str):
    """A write that fails (a full disk, a lost mount) ends as one error line; the atomic writers
    leave no partial file behind."""
    try:
        yield
    except OSError as exc:
        raise write_failed(exc, path, option) from None
