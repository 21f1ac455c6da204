"""`trtlab report`: a recorded check (what `trtlab check --json` wrote) shown again, on any
machine: its summary on stdout, and with --report the HTML report. Needs no TensorRT and no GPU."""

from __future__ import annotations

import sys

from .preflight import check_outputs, writing


def register(sub) -> None:
    p = sub.add_parser("report", help="show a recorded check again (summary, HTML report)",
                       description="Read a check's record (the JSON `trtlab check --json` printed, saved to "
                                   "a file) and print its summary, or write its HTML report with --report. "
                                   "It says where the check ran; nothing is run again.")
    p.add_argument("record", metavar="RESULT.json", help="the saved output of `trtlab check --json`")
    p.add_argument("--report", metavar="FILE.html", help="write the self-contained HTML report")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..check.record import load_result

    check_outputs({"--report": args.report})
    result = load_result(args.record)
    if args.report:
        with writing(args.report, "--report"):
            result.save_html(args.report)
    print(result.summary())
    if args.report:
        print(f"Wrote report: {args.report}")
    sys.stdout.flush()
    return result.exit_status
