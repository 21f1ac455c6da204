"""One sweep task, a model in one precision: what identifies it (the key a rerun finds its result
by) and the function a Dask worker runs for it.

A task's key is the SHA-256 of the model's bytes and of the settings that change its result, so a
rerun skips a task only when the same model was checked the same way. The worker loads the model
itself from its source (a path, `zoo:NAME`, `corpus:NAME`); a file must be at the same path on
the worker with the same bytes, which the worker verifies before it checks anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..check import NOT_MEASURED, CheckSettings
from ..errors import TrtlabError, one_line

CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelSource:
    """A model as the sweep was given it, and what it is made of."""

    spec: str  # a path, zoo:NAME or corpus:NAME
    label: str  # its folder in the output directory
    digest: str  # SHA-256 of its bytes (every file it is made of)
    files: tuple[tuple[str, str], ...] = ()  # (path, SHA-256) a worker must see the same
    params: str | None = None  # an MXNet symbol's .params file


@dataclass(frozen=True)
class Task:
    model: ModelSource
    precision: str
    settings: CheckSettings  # its precisions are (precision,)
    key: str

    @property
    def name(self) -> str:
        """The Dask key: readable in the dashboard, unique per model bytes and settings."""
        return f"trtlab-check-{self.model.label}-{self.precision}-{self.key[:16]}"


def file_digest(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def model_source(spec: str, params: str | None = None) -> ModelSource:
    """What `spec` is made of, read here (raises TrtlabError when it can't be read)."""
    from .._io import require_regular_file

    spec = os.fspath(spec)
    if spec.startswith(("zoo:", "corpus:")):
        kind, _, name = spec.partition(":")
        if kind == "corpus":
            from .. import corpus

            entry = corpus.ENTRIES.get(name)
            if entry is not None and entry.path is not None:  # a file inside a package: its bytes
                return ModelSource(spec, name, _digest_of([file_digest(corpus.path(name))]))
        model = _load(spec)[0]
        return ModelSource(spec, name, hashlib.sha256(model.proto.SerializeToString(deterministic=True)).hexdigest())
    files = [require_regular_file(spec, "model file", hint="Check the path, or use zoo:NAME.")]
    if params:
        files.append(require_regular_file(params, "params file"))
    files += _external_data(files[0])
    pairs = tuple((str(Path(f).resolve()), file_digest(f)) for f in files)
    stem = Path(spec).stem
    label = stem[:-len("-symbol")] if stem.endswith("-symbol") else stem
    return ModelSource(str(Path(spec).resolve()), label, _digest_of([d for _, d in pairs]), pairs,
                       str(Path(params).resolve()) if params else None)


def _external_data(path: Path) -> list[Path]:
    """The files an ONNX model keeps its weights in, next to it."""
    if path.suffix.lower() != ".onnx":
        return []
    import onnx

    try:
        proto = onnx.load(str(path), load_external_data=False)
    except Exception:  # a broken model is the worker's to report, with the check's own words
        return []
    found = []
    for tensor in proto.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            location = {e.key: e.value for e in tensor.external_data}.get("location")
            f = path.parent / location if location else None
            if f is not None and f.is_file() and f not in found:
                found.append(f)
    return found


def _digest_of(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def task_key(source: ModelSource, precision: str, settings: CheckSettings) -> str:
    """SHA-256 of the model's bytes and of every setting that changes the result."""
    from .._version import __version__

    described = settings.to_dict()
    described.pop("precisions")
    described.update(precision=precision, trtlab=__version__,
                     inputs={k: list(v) for k, v in sorted((settings.inputs or {}).items())},
                     feeds=_input_digest(settings.feeds), calibration=_input_digest(settings.calibration))
    return _digest_of([source.digest, json.dumps(described, sort_keys=True, default=str)])


def _input_digest(value: Any) -> str | None:
    """Feeds or calibration data as part of a key: a file's or a folder's bytes."""
    if value is None:
        return None
    if isinstance(value, (str, os.PathLike)):
        path = Path(value)
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        return _digest_of([f"{f.name}:{file_digest(f)}" for f in files if f.is_file()])
    return "given in Python"


def make_task(source: ModelSource, precision: str, settings: CheckSettings) -> Task:
    one = replace(settings, precisions=(precision,))
    return Task(source, precision, one, task_key(source, precision, one))


def safe_label(text: str) -> str:
    """A folder name: letters, digits, dot, dash and underscore."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "model"


# ---------------------------------------------------------------------- on the worker
def run_task(task: Task) -> dict:
    """Check one model in one precision; what `check --json` prints, plus how the task ran.

    Never raises for a problem of the model: that is the record's verdict, with the reason, and
    the sweep goes on. `final` says whether a rerun would get the same answer (a model trtlab
    can't load: yes; an unexpected error: try again)."""
    from ..check import check

    start, started = time.perf_counter(), time.time()
    error, final = None, True
    try:
        _same_files(task.model)
        model, feeds = _load(task.model.spec, task.settings, task.model.params)
        settings = task.settings if feeds is None or task.settings.feeds is not None \
            else replace(task.settings, feeds=feeds)
        record = check(model, settings).to_dict()
    except TrtlabError as exc:
        error = f"the check could not run: {one_line(exc)}"
    except Exception as exc:  # a library's own error: this row says what, the others go on
        error, final = f"the check failed: {type(exc).__name__}: {one_line(exc)}", False
    if error is not None:
        record = failure_record(task, error)
    record["sweep"] = {"worker": worker_name(), "seconds": round(time.perf_counter() - start, 3),
                       "started": started, "ended": time.time(), "final": final, "error": error}
    return record


def failure_record(task: Task, reason: str) -> dict:
    """A record for a task that produced no check result: its one verdict says why."""
    return {"model": {"name": task.model.label}, "settings": task.settings.to_dict(),
            "verdicts": [{"precision": task.precision, "status": NOT_MEASURED, "reason": reason, "ran": ""}],
            "passed": False, "timing": [], "accuracy": []}


def worker_name() -> str:
    try:
        from distributed import get_worker

        w = get_worker()
    except (ImportError, ValueError):
        return "this process"
    return f"{w.name} ({w.address})" if w.name is not None and str(w.name) != w.address else str(w.address)


def _same_files(source: ModelSource) -> None:
    for path, digest in source.files:
        if not os.path.isfile(path):
            raise TrtlabError(f"{path} is not there on this worker.",
                              hint="Give the workers the model files at the same path (a shared folder).")
        if file_digest(path) != digest:
            raise TrtlabError(f"{path} on this worker is not the file the sweep was given (its bytes differ).",
                              hint="Give the workers the same model files.")


def _load(spec: str, settings: CheckSettings | None = None, params: str | None = None):
    """(Model, feeds or None) from a model's source."""
    from ..loaders import load

    inputs = settings.inputs if settings is not None else None
    if spec.startswith("corpus:"):
        from .. import corpus

        return corpus.load(spec[len("corpus:"):])
    return load(spec, inputs=inputs, params=params), None
