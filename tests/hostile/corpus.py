"""The hostile-input corpus: bad models, files, options and cache entries, each a `Case` for the CLI.

`build_corpus(root)` writes every file under `root` and returns the cases; `case_names()` returns
the same cases (names, groups, expectations) and writes nothing, for pytest's collection. A case says what the
command must end in: "error" (exit 2 and one `trtlab: error:` line), "ok" (exit 0, quiet stderr)
or "clean" (exit 0, 1 or 2, judged like the others: no traceback, no warnings, one error line).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import bad_files, bad_models
from .writes import mkdir, names_only, put, writing

ERROR, OK, CLEAN = "error", "ok", "clean"


@dataclass
class Case:
    name: str
    group: str
    argv: list[str]
    expect: str = ERROR
    error_has: str | None = None  # text the error line must hold
    must_not_exist: list[Path] = field(default_factory=list)  # no partial output files
    must_not_contain: dict[Path, str] = field(default_factory=dict)  # output file -> text it must not hold
    never_served: tuple[Path, str] | None = None  # (cache dir, key) whose hit must not be served
    close_stdout: bool = False  # the reader of stdout is gone (`... | head`)
    file_size_limit: int | None = None  # bytes a written file may have: a full disk
    xfail: str | None = None
    env: dict[str, str] = field(default_factory=dict)  # set for this case (None values: removed)
    max_seconds: float | None = None  # the command must end within this (a bomb refused early)
    max_rss_mb: float | None = None  # peak resident memory of the command
    stays_empty: list[Path] = field(default_factory=list)  # folders nothing may be written to
    signal: tuple[int, str] | None = None  # (signal, glob under the case's TMPDIR that must exist first)
    address_space: int | None = None  # RLIMIT_AS for the command (ulimit -v), bytes


def build_corpus(root: Path, *, with_cache: bool | None = None) -> list[Case]:
    root = Path(root)
    mkdir(root, parents=True, exist_ok=True)
    cases: list[Case] = []
    cases += _model_file_cases(root / "files")
    cases += _graph_cases(root / "graphs")
    cases += _option_cases(root / "options")
    cases += _output_cases(root / "outputs")
    cases += _mxnet_cases(root / "mxnet")
    cases += _calibration_cases(root / "calibration")
    cases += _feeds_cases(root / "feeds")
    if with_cache is None:
        with_cache = _have_tensorrt()
    if with_cache:
        cases += _cache_cases(root / "cache")
    from . import second_round

    cases += second_round.cases(root / "second", with_tensorrt=with_cache)
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


def case_names(root: Path | None = None, *, with_cache: bool | None = None) -> list[Case]:
    """The cases `build_corpus(root)` makes, with no file written: their command lines name files
    under `root` (by default a folder that is never made) that do not exist."""
    with names_only():
        return build_corpus(Path(root or Path(tempfile.gettempdir()) / "trtlab-hostile-unwritten"),
                            with_cache=with_cache)


def _have_tensorrt() -> bool:
    from trtlab.installed_tensorrt import find_tensorrt

    return find_tensorrt() is not None


def _tiny(root: Path, name="tiny.onnx", shape=(1, 4)) -> Path:
    p = root / name
    if not p.exists():
        put(p, bad_models.relu(shape=shape).SerializeToString())
    return p


# ---------------------------------------------------------------------- files that are no model
def _model_file_cases(root: Path) -> list[Case]:
    mkdir(root, parents=True)
    conv = bad_models.conv_model().SerializeToString()
    files: dict[str, Path] = {}

    def add(name: str, data: bytes, suffix=".onnx") -> None:
        p = root / f"{name}{suffix}"
        put(p, data)
        files[name] = p

    add("empty_file", b"")
    for frac in (0.01, 0.1, 0.3, 0.5, 0.75, 0.9, 0.999):
        add(f"truncated_{int(frac * 1000)}permille", conv[:max(1, int(len(conv) * frac))])
    rng = np.random.default_rng(0)
    for size in (1, 7, 64, 1000, 65536):
        add(f"random_{size}_bytes", rng.bytes(size))
    add("text_file", b"this is not a model\n" * 10)
    add("npy_named_onnx", bad_files.npy_bytes(np.zeros(4, np.float32)))
    add("gzip_bytes", b"\x1f\x8b\x08\x00" + rng.bytes(100))
    add("huge_length_prefix", b"\x3a\xff\xff\xff\xff\x0f" + rng.bytes(32))  # graph field claiming 4 GB
    add("appended_garbage", conv + rng.bytes(97))
    files["fifo"] = bad_files.fifo(root / "fifo.onnx")
    files["dev_zero_symlink"] = bad_files.symlink(root / "zero.onnx", "/dev/zero")
    files["dev_null_symlink"] = bad_files.symlink(root / "null.onnx", "/dev/null")
    mkdir(root / "dir.onnx")
    files["directory"] = root / "dir.onnx"
    files["missing"] = root / "missing.onnx"
    files["dangling_symlink"] = bad_files.symlink(root / "dangling.onnx", root / "nowhere.onnx")
    bad_files.symlink(root / "loop_a.onnx", root / "loop_b.onnx")
    files["symlink_loop"] = bad_files.symlink(root / "loop_b.onnx", root / "loop_a.onnx")
    cases = [Case(f"file_{k}", "files", ["inspect", str(p)]) for k, p in files.items()]
    cases.append(Case("file_empty_path", "files", ["inspect", ""]))
    cases.append(Case("file_dev_zero_direct", "files", ["inspect", "/dev/zero"]))
    cases.append(Case("control_good_model", "control", ["inspect", str(_tiny(root))], expect=OK))
    return cases


# ---------------------------------------------------------------------- bad graphs
CHECK = ["check", "-q", "--no-timing", "--no-build", "--no-cache"]
# Cases where the graph is fine for `inspect` and only running it (or sizing its inputs) fails.
RUN_ONLY = {"input_1e6_by_1e6", "input_2_pow_62", "input_zero_dim", "expand_to_1e15", "loop_trip_count_1e15"}
FINE_GRAPHS = {"html_node_name", "html_tensor_name", "dot_syntax_node_name", "non_utf8_doc_string"}
# Fine graphs whose drawing may fail, cleanly: dot has its own limits.
DRAWN_OR_CLEAN = {"long_node_name"}


def _graph_cases(root: Path) -> list[Case]:
    mkdir(root, parents=True)
    cases = []
    for name, data in bad_models.build().items():
        p = root / f"{name}.onnx"
        put(p, data)
        if name in FINE_GRAPHS | DRAWN_OR_CLEAN:
            svg, after = root / f"{name}.svg", root / f"{name}-after.svg"
            cases.append(Case(f"graph_{name}", "names", ["inspect", str(p), "--svg-before", str(svg),
                                                         "--svg-after", str(after)],
                              expect=OK if name in FINE_GRAPHS else CLEAN,
                              must_not_contain={svg: "<script", after: "<script"}))
            continue
        if name in RUN_ONLY:
            cases.append(Case(f"graph_{name}_inspect", "sizes", ["inspect", str(p)], expect=CLEAN))
            cases.append(Case(f"graph_{name}_check", "sizes", [*CHECK, str(p)]))
            continue
        cases.append(Case(f"graph_{name}", "graphs", ["inspect", str(p)]))
        if name.startswith(("non_utf8", "nul_in")):
            svg = root / f"{name}.svg"
            cases.append(Case(f"graph_{name}_svg", "names", ["inspect", str(p), "--svg-before", str(svg)],
                              must_not_exist=[svg]))
    cases.append(Case("graph_custom_domain_op", "control",
                      ["inspect", str(_custom_domain(root))], expect=CLEAN))
    # The real ONNX parser, in its own process, on every graph that loads; and a parser that
    # crashes its process (SIGSEGV), as a native parser can: one clean error.
    for name in sorted(FINE_GRAPHS | DRAWN_OR_CLEAN | RUN_ONLY):
        cases.append(Case(f"graph_{name}_parser", "parser", ["inspect", str(root / f"{name}.onnx"), "--coverage",
                                                             "parser"], expect=CLEAN))
    cases.append(Case("graph_parser_crashes", "parser", ["inspect", str(root / "html_node_name.onnx"),
                                                         "--coverage", "parser"],
                      error_has="ONNX parser crashed (SIGSEGV) on this model",
                      env={"PYTHONPATH": os.pathsep.join([str(crashing_parser(root / "crashing-parser")),
                                                          str(Path(__file__).resolve().parents[2])])}))
    return cases


def crashing_parser(root: Path) -> Path:
    """A folder holding a TensorRT-RTX package, with its metadata, whose parser kills its process."""
    mkdir(root / "tensorrt_rtx", parents=True)
    mkdir(root / "tensorrt_rtx-1.7.1.dist-info")
    put(root / "tensorrt_rtx-1.7.1.dist-info" / "METADATA",
        b"Metadata-Version: 2.1\nName: tensorrt_rtx\nVersion: 1.7.1\n")
    put(root / "tensorrt_rtx" / "__init__.py", b"""import os, signal
__version__ = "1.7.1"
class ILogger:
    def __init__(self):
        pass
class Builder:
    def __init__(self, logger):
        pass
    def create_network(self, flags):
        return None
class OnnxParser:
    def __init__(self, network, logger):
        pass
    def supports_model_v2(self, data, path):
        os.kill(os.getpid(), signal.SIGSEGV)
""")
    return root


def _custom_domain(root: Path) -> Path:
    from onnx import helper

    m = bad_models.relu()
    m.graph.node[0].domain = "com.example"
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    p = root / "custom_domain.onnx"
    put(p, m.SerializeToString())
    return p


# ---------------------------------------------------------------------- options
def _option_cases(root: Path) -> list[Case]:
    mkdir(root, parents=True)
    tiny = str(_tiny(root))
    dyn = root / "dynamic.onnx"
    put(dyn, bad_models.relu(shape=("batch", 4)).SerializeToString())
    dyn = str(dyn)
    bad = {
        "no_arguments": [],
        "unknown_command": ["frobnicate"],
        "unknown_option": ["inspect", tiny, "--frobnicate"],
        "missing_model": ["inspect"],
        "input_no_colon": ["inspect", dyn, "--input", "x"],
        "input_not_numbers": ["inspect", dyn, "--input", "x:abc"],
        "input_zero": ["inspect", dyn, "--input", "x:0x4"],
        "input_negative": ["inspect", dyn, "--input", "x:-1x4"],
        "input_no_name": ["inspect", dyn, "--input", ":1x4"],
        "input_23_digits": ["inspect", dyn, "--input", "x:12345678901234567890123x4"],
        "input_2_pow_63": ["inspect", dyn, "--input", f"x:{2**63}x4"],
        "input_unknown_name": ["inspect", dyn, "--input", "nosuch:1x4"],
        "input_wrong_rank": ["inspect", dyn, "--input", "x:1x4x5"],
        "input_fixed_dim_changed": ["inspect", tiny, "--input", "x:2x4"],
        "input_1e12_check": [*CHECK, dyn, "--input", "x:1000000000000x4"],
        "dynamic_input_not_given": [*CHECK, dyn],
        "precision_unknown": ["inspect", tiny, "--precision", "fp64"],
        "precision_unknown_check": [*CHECK, tiny, "--precision", "fp32", "fp7"],
        "coverage_unknown": ["inspect", tiny, "--coverage", "bogus"],
        "min_block_size_text": ["inspect", tiny, "--min-block-size", "abc"],
        "min_block_size_negative": ["inspect", tiny, "--min-block-size", "-3"],
        "seconds_negative": [*CHECK, tiny, "--seconds", "-1"],
        "seconds_nan": [*CHECK, tiny, "--seconds", "nan"],
        "iterations_zero": [*CHECK, tiny, "--iterations", "0"],
        "build_timeout_negative": [*CHECK, tiny, "--build-timeout", "-5"],
        "warmup_infinite": [*CHECK, tiny, "--warmup-ms", "inf"],
        "params_with_onnx": ["inspect", tiny, "--params", tiny],
        "zoo_unknown": ["inspect", "zoo:no-such-model"],
        "lab_bad_port": ["lab", "--port", "99999", "--print-command"],
    }
    cases = [Case(f"option_{k}", "options", v) for k, v in bad.items()]
    cases.append(Case("option_exclude_node_unknown", "options", ["inspect", tiny, "--exclude-node", "nosuch"],
                      expect=CLEAN))
    cases.append(Case("stdout_closed_inspect", "stdout", ["inspect", tiny], expect=OK, close_stdout=True))
    cases.append(Case("stdout_closed_inspect_json", "stdout", ["inspect", tiny, "--json"], expect=OK,
                      close_stdout=True))
    cases.append(Case("stdout_closed_check", "stdout", [*CHECK, tiny], expect=CLEAN, close_stdout=True))
    cases.append(Case("stdout_closed_help", "stdout", ["--help"], expect=OK, close_stdout=True))
    return cases


# ---------------------------------------------------------------------- output paths
def _output_cases(root: Path) -> list[Case]:
    mkdir(root, parents=True)
    tiny = str(_tiny(root))
    conv = root / "conv.onnx"
    put(conv, bad_models.conv_model().SerializeToString())
    a_file = root / "a_file"
    put(a_file, "x")
    a_dir = root / "a_dir"
    mkdir(a_dir)
    fifo = bad_files.fifo(root / "out.fifo")
    cases = []
    for flag, suffix, cmd in (("--svg-before", ".svg", "inspect"), ("--svg-after", ".svg", "inspect"),
                              ("--save-onnx", ".onnx", "inspect"), ("--report", ".html", "check")):
        base = ["inspect", tiny] if cmd == "inspect" else [*CHECK, tiny]
        slug = flag.strip("-").replace("-", "_")
        for kind, path in (("under_a_file", a_file / f"out{suffix}"), ("is_a_directory", a_dir),
                           ("is_a_fifo", fifo), ("deep_under_a_file", a_file / "x" / "y" / f"out{suffix}")):
            cases.append(Case(f"output_{slug}_{kind}", "outputs", [*base, flag, str(path)],
                              must_not_exist=[path] if kind != "is_a_directory" and kind != "is_a_fifo" else []))
    for flag, suffix, cmd in (("--save-onnx", ".onnx", ["inspect", str(conv)]),
                              ("--report", ".html", [*CHECK, str(conv)]),
                              ("--svg-before", ".svg", ["inspect", str(conv)])):
        slug = flag.strip("-").replace("-", "_")
        out = root / f"full_disk_{slug}{suffix}"
        cases.append(Case(f"output_{slug}_disk_full", "outputs", [*cmd, flag, str(out)],
                          must_not_exist=[out], file_size_limit=2048))
    return cases


# ---------------------------------------------------------------------- MXNet checkpoints
def _mxnet_cases(root: Path) -> list[Case]:
    cases = []
    for name, (sym, par) in bad_files.mxnet_cases(root).items():
        cases.append(Case(f"mxnet_{name}", "mxnet",
                          ["inspect", str(sym), "--params", str(par), "--input", "data:1x4"]))
    return cases


# ---------------------------------------------------------------------- calibration data
SPECIAL_CALIBRATION = {"cal_fifo_npy", "cal_dev_zero_npy", "cal_directory_npy", "cal_dangling_link",
                       "cal_no_files"}


def _calibration_cases(root: Path) -> list[Case]:
    mkdir(root, parents=True)
    tiny = str(_tiny(root))
    cases = []
    for name, folder in bad_files.calibration_cases(root).items():
        expect = ERROR if name in SPECIAL_CALIBRATION else CLEAN
        cases.append(Case(name, "calibration", [*CHECK, tiny, "--precision", "int8", "--calibration", str(folder)],
                          expect=expect))
    cases.append(Case("cal_missing_directory", "calibration",
                      [*CHECK, tiny, "--precision", "int8", "--calibration", str(root / "nowhere")]))
    cases.append(Case("cal_is_a_file", "calibration",
                      [*CHECK, tiny, "--precision", "int8", "--calibration", tiny]))
    return cases


def _feeds_cases(root: Path) -> list[Case]:
    mkdir(root, parents=True)
    tiny = str(_tiny(root))
    cases = [Case(name, "feeds", [*CHECK, tiny, "--feeds", str(p)]) for name, p in bad_files.feeds_cases(root).items()]
    for c in cases:
        if c.name == "feeds_npy_for_one_input":  # a lone .npy is a one-input model's feeds: it runs, and
            c.expect, c.group = CLEAN, "control"  # ends not measured (exit 1), as --no-build builds no engine
    return cases


# ---------------------------------------------------------------------- engine cache entries
# Corruptions the cache on main cannot see while engines are not read (no GPU here).


def _cache_cases(root: Path) -> list[Case]:
    mkdir(root, parents=True)
    tiny = _tiny(root)
    base = root / "base"
    key = populate_cache(tiny, base) if writing() else ""  # a names-only build builds no engine
    outside = root / "outside.bin"
    size = (base / "engines" / f"{key}.engine").stat().st_size if writing() else 0
    put(outside, np.random.default_rng(5).bytes(size))

    def corrupt_engine_flip(e, s):
        data = bytearray(e.read_bytes())
        for i in range(0, len(data), max(1, len(data) // 64)):
            data[i] ^= 0xFF
        put(e, bytes(data))

    def forge(e, s):
        put(e, b"not an engine")
        meta = json.loads(s.read_text())
        meta["bytes"] = len(b"not an engine")
        put(s, json.dumps(meta))

    def replace_dir(p):
        p.unlink()
        mkdir(p)

    def replace_fifo(p):
        p.unlink()
        os.mkfifo(p)

    def replace_link(p, target):
        p.unlink()
        os.symlink(target, p)

    corruptions = {
        "engine_flipped_bytes": corrupt_engine_flip,
        "engine_zeros_same_size": lambda e, s: e.write_bytes(bytes(size)),
        "engine_symlink_same_size": lambda e, s: replace_link(e, outside),
        "engine_other_bytes_sidecar_size_forged": forge,
        "engine_truncated": lambda e, s: e.write_bytes(e.read_bytes()[: size // 2]),
        "engine_appended": lambda e, s: e.write_bytes(e.read_bytes() + b"\0" * 16),
        "engine_empty": lambda e, s: e.write_bytes(b""),
        "engine_missing": lambda e, s: e.unlink(),
        "engine_directory": lambda e, s: replace_dir(e),
        "engine_fifo": lambda e, s: replace_fifo(e),
        "engine_dev_zero_symlink": lambda e, s: replace_link(e, "/dev/zero"),
        "engine_dangling_symlink": lambda e, s: replace_link(e, root / "nowhere"),
        "sidecar_garbage": lambda e, s: s.write_bytes(b"{\x00\xff garbage"),
        "sidecar_empty": lambda e, s: s.write_bytes(b""),
        "sidecar_is_a_list": lambda e, s: s.write_text("[1, 2]"),
        "sidecar_wrong_key": lambda e, s: s.write_text(json.dumps({**json.loads(s.read_text()), "key": "0" * 64})),
        "sidecar_bytes_not_a_number": lambda e, s: s.write_text(
            json.dumps({**json.loads(s.read_text()), "bytes": "many"})),
        "sidecar_missing": lambda e, s: s.unlink(),
        "sidecar_fifo": lambda e, s: replace_fifo(s),
        "sidecar_dev_zero_symlink": lambda e, s: replace_link(s, "/dev/zero"),
        "sidecar_directory": lambda e, s: replace_dir(s),
    }
    cases = []
    for name, corrupt in corruptions.items():
        d = root / name
        if writing():
            shutil.copytree(base, d, symlinks=True)
            corrupt(d / "engines" / f"{key}.engine", d / "engines" / f"{key}.json")
        cname = f"cache_{name}"
        cases.append(Case(cname, "cache",
                          ["check", "-q", "--no-timing", "--json", "--cache-dir", str(d), str(tiny)],
                          expect=CLEAN, never_served=(d, key)))
    return cases


def populate_cache(model: Path, cache_dir: Path) -> str:
    """Build the model's engine into `cache_dir` with the real CLI; returns the entry's key."""
    from .runner import child_env

    proc = subprocess.run([sys.executable, "-m", "trtlab", "check", "-q", "--no-timing", "--json",
                           "--cache-dir", str(cache_dir), str(model)], capture_output=True, text=True,
                          timeout=300, env=child_env())
    engines = json.loads(proc.stdout)["engines"]
    assert engines and engines[0]["built"], proc.stderr
    return engines[0]["key"]
