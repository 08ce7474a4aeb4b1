"""The command line's `audit` commands. No Qt here.

`audit verify` checks the whole hash chain of the audit trail: exit 0 when it is intact, 1
naming the first row that was altered, removed or inserted. `audit export --out FILE`
writes the rows of a period (--from, --to) or of one tape (--volser): .csv with every
stored field (the chain can be recomputed from it), .pdf for reading, with the chain's
verdict on the first page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, from_date_arg, to_date_arg
from drm_gui.core.audit import verify_chain
from drm_gui.core.audit_export import audit_report, audit_rows, export_csv
from drm_gui.core.states import DrmError

FORMATS = (".csv", ".pdf")


def add_audit_commands(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="check or export the tamper-evident audit trail")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)

    p = actions.add_parser(
        "verify",
        help="check the whole chain; name the first row altered, removed or inserted",
    )
    p.set_defaults(command_fn=cmd_verify)

    p = actions.add_parser(
        "export",
        help="write the rows of a period or of one tape as CSV or PDF",
        description="Writes the audit rows recorded in a period (dates or times in local "
        "time; --to includes a whole day), or those of one tape, to FILE: .csv holds every "
        "stored field and hash, .pdf one line per row under the chain's verdict.",
    )
    p.add_argument(
        "--from", dest="start", type=from_date_arg, metavar="DATE", help="from (inclusive)"
    )
    p.add_argument("--to", dest="end", type=to_date_arg, metavar="DATE", help="to (inclusive)")
    p.add_argument("--volser", metavar="VOLSER", help="only the rows of this tape")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="FILE.csv or FILE.pdf")
    p.set_defaults(command_fn=cmd_export)


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    result = verify_chain()
    print(result.message, file=out)
    return EXIT_OK if result.ok else EXIT_REFUSED


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    suffix = args.out.suffix.lower()
    if suffix not in FORMATS:
        print(f"audit export: {args.out}: give a file ending in .csv or .pdf", file=sys.stderr)
        return EXIT_USAGE
    try:
        if suffix == ".pdf":
            from drm_gui.reports.audit_pdf import render_audit_pdf

            report = audit_report(args.start, args.end, args.volser)
            render_audit_pdf(report, args.out)
            count, verdict = len(report.rows), report.verdict
        else:
            count = export_csv(args.out, audit_rows(args.start, args.end, args.volser))
            verdict = verify_chain()
    except DrmError as exc:
        print(f"audit export: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as exc:
        print(f"audit export: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Audit trail: {count:,} row(s) written to {args.out}", file=out)
    if not verdict.ok:
        print(f"audit export: warning: {verdict.message}", file=sys.stderr)
    return EXIT_OK
