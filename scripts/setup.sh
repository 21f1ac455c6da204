#!/usr/bin/env bash
# Install everything trtlab needs, from nothing: system packages, then Python packages.
#   bash scripts/setup.sh                        # system packages (apt) + trtlab with all its extras
#   PYTHON=/path/to/python bash scripts/setup.sh # into another interpreter or virtualenv
#   CONSTRAINTS= bash scripts/setup.sh           # newest releases instead of constraints.txt
# Python packages install at the versions in constraints.txt, the ones the test suite passed with.
# Safe to run again: when nothing changed since the last run it does nothing (about a second).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

# graphviz's `dot` draws the graphs; chromium runs the browser test of the notebook.
need=()
command -v dot >/dev/null || need+=(graphviz)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null; then
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
        echo "Please install: ${need[*]} (graphviz is needed; chromium only for the browser test)" >&2
    fi
fi

PY=${PYTHON:-python3}
CONSTRAINTS=${CONSTRAINTS-constraints.txt}
if $PY scripts/setup_state.py check "$CONSTRAINTS"; then
    echo "trtlab is set up for $($PY -c 'import sys; print(sys.executable)') (nothing to install)"
    exit 0
fi

pip=($PY -m pip install -q --disable-pip-version-check)
if [ -n "$CONSTRAINTS" ]; then pip+=(-c "$CONSTRAINTS"); fi
# torch first: on a machine with the CPU wheel at hand, a bare requirement resolved together with
# everything else could pick the CUDA build (several GB) instead.
"${pip[@]}" "torch==2.13.0" || "${pip[@]}" "torch>=2.1"
"${pip[@]}" -e ".[all]"
# Real-model corpus for the tests: their opencv requirement would move numpy to 2 and break MXNet,
# and their .onnx files need nothing else.
"${pip[@]}" --no-deps rapidocr-onnxruntime nudenet
$PY scripts/setup_state.py record "$CONSTRAINTS"
