"""Build trtlab/coverage/data/tensorrt-ops.json from onnx-tensorrt's operator support matrix.

Usage: python scripts/build_op_table.py operators.md [TensorRT version]
The matrix is docs/operators.md of the onnx-tensorrt repository.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "trtlab" / "coverage" / "data" / "tensorrt-ops.json"


def parse(text: str) -> dict:
    ops = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or cells[1] not in ("Y", "N"):
            continue
        name = cells[0]
        types = [t.strip().upper() for t in cells[2].split(",")] if len(cells) > 2 and cells[2] else []
        types = ["INT64" if t == "INF64" else t for t in types if t]  # the matrix has one typo
        restrictions = re.sub(r"\s+", " ", cells[3]).strip() if len(cells) > 3 else ""
        ops[name] = {"supported": cells[1] == "Y", "types": types, "restrictions": restrictions}
    return ops


def main(argv: list[str]) -> None:
    text = Path(argv[1]).read_text()
    version = argv[2] if len(argv) > 2 else re.search(r"TensorRT (\d+\.\d+)", text).group(1)
    table = {"source": "onnx-tensorrt operator support matrix", "tensorrt_version": version,
             "ops": parse(text)}
    OUT.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    print(f"{len(table['ops'])} ops -> {OUT}")


if __name__ == "__main__":
    main(sys.argv)
