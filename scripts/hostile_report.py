"""Run the hostile-input corpus (tests/hostile) through the real `trtlab` command and print the
totals for the README's reliability section: cases, clean errors, tracebacks, hangs, crashes.

    python scripts/hostile_report.py [--workers N] [--verbose]
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hostile.corpus import build_corpus  # noqa: E402
from tests.hostile.runner import CLEAN_ERROR, CRASH, HANG, RAN, TRACEBACK, run_all  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--verbose", action="store_true", help="print every case's last stderr line")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="trtlab-hostile-"))
    try:
        start = time.monotonic()
        cases = build_corpus(root)
        outcomes = run_all(cases, workers=args.workers)
        wall = time.monotonic() - start
    finally:
        shutil.rmtree(root, ignore_errors=True)
    kinds = collections.Counter(o.kind for o in outcomes)
    failed = [o for o in outcomes if not o.passed]
    known = [o for o in failed if o.case.xfail]
    print(f"cases:           {len(outcomes)}")
    print(f"clean errors:    {kinds[CLEAN_ERROR]} (exit 2, one `trtlab: error:` line)")
    print(f"ran:             {kinds[RAN]} (exit 0 or 1: valid input, or a precision not measured)")
    print(f"tracebacks:      {kinds[TRACEBACK]}")
    print(f"hangs:           {kinds[HANG]}")
    print(f"crashes:         {kinds[CRASH]}")
    print(f"other failures:  {len(failed) - sum(kinds[k] for k in (TRACEBACK, HANG, CRASH))} "
          f"(wrong exit status, extra output, partial file, corrupt cache entry served)")
    print(f"known failures:  {len(known)} ({', '.join(sorted({o.case.xfail for o in known})) or 'none'})")
    print(f"wall time:       {wall:.0f} s")
    for o in sorted(failed, key=lambda o: o.case.name):
        print(f"  {'known ' if o.case.xfail else ''}FAIL {o.describe()}")
    if args.verbose:
        for o in sorted(outcomes, key=lambda o: o.case.name):
            print(f"  {o.case.name}: exit {o.rc}: {(o.stderr.strip().splitlines() or [''])[-1][:200]}")
    return 1 if any(not o.case.xfail for o in failed) else 0


if __name__ == "__main__":
    sys.exit(main())
