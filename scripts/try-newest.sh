#!/usr/bin/env bash
# Run the test suite on the newest releases of everything trtlab installs, in a fresh virtualenv,
# and print a drift report: which packages moved from constraints.txt, and the pass/fail counts.
#   bash scripts/try-newest.sh                 # a new virtualenv in a temporary folder
#   VENV=/tmp/newest bash scripts/try-newest.sh -x tests/hybrid   # reuse one; pytest arguments
# It reports and exits 0 whatever the suite does (drift is news, not a broken build); it fails
# only when the virtualenv cannot be made. numpy stays < 2 (MXNet needs it: trtlab[mxnet] says so)
# and torch stays at 2.13.0 (newer wheels from the registry are CUDA builds of several GB).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VENV:-}" ]; then
    # A temporary one is removed at the end (it holds a few GB); a given VENV is kept, and a
    # second run in it keeps what the first installed.
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    VENV="$tmp/venv"
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" || { echo "cannot make a virtualenv at $VENV" >&2; exit 1; }
PY="$VENV/bin/python"
mkdir -p test-artifacts
LOG=test-artifacts/try-newest.log
echo "Installing the newest releases into $VENV (log: $LOG)"

installed=ok
PYTHON="$PY" CONSTRAINTS="" bash scripts/setup.sh >"$LOG" 2>&1 || installed="FAILED (see $LOG)"

tests=""
if [ "$installed" = ok ]; then
    echo "Running the suite there"
    "$PY" -m pytest -q -p no:cacheprovider "$@" >>"$LOG" 2>&1
    tests=$(grep -E "^(=+ )?[0-9]+ (passed|failed|error)|no tests ran" "$LOG" | tail -1 | sed 's/=//g')
fi

echo
echo "== Drift from constraints.txt =="
"$PY" - constraints.txt <<'PY'
import re, sys
from importlib import metadata

def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()

moved, pinned_names = [], set()
for line in open(sys.argv[1]):
    m = re.match(r"\s*([A-Za-z0-9_.-]+)==([^\s;#]+)", line)
    if not m:
        continue
    name, pinned = m.groups()
    pinned_names.add(canonical(name))
    try:
        now = metadata.version(name)
    except metadata.PackageNotFoundError:
        now = "not installed"
    if now.split("+")[0] != pinned.split("+")[0]:
        moved.append(f"  {name}: {pinned} -> {now}")
unpinned = {"pip", "setuptools", "wheel", "trtlab"}
for dist in metadata.distributions():
    name = dist.metadata["Name"]
    if canonical(name) not in pinned_names | unpinned:
        moved.append(f"  {name}: new -> {dist.version}")
print("\n".join(moved) if moved else "  nothing moved")
PY
echo "install: $installed"
echo "tests:   ${tests:-not run}"
echo "To adopt the newest releases: run the suite green there, then python scripts/freeze_constraints.py > constraints.txt with that interpreter."
exit 0
