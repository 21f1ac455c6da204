#!/usr/bin/env bash
# Install everything trtlab needs, from nothing: system packages, then Python packages.
#   bash scripts/setup.sh            # system packages (apt) + trtlab with all its extras
# Safe to run again; it installs only what is missing.
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
# torch first, pinned: a bare requirement would pull the CUDA build (several GB).
$PY -m pip install -q --disable-pip-version-check "torch==2.13.0" || $PY -m pip install -q "torch>=2.1"
$PY -m pip install -q --disable-pip-version-check -e ".[all]"
