"""The command line's `report` and `reconcile` commands. No Qt here.

`report NAME` prints a daily list as CSV (or writes it as CSV or PDF with --out);
`reconcile FILE` compares the vault's inventory list with the records and prints the
differences. Exit codes: 0 success (no differences), 1 differences found or the file
refused, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, from_date_arg, to_date_arg
from drm_gui.core import reconcile as reconcile_mod
from drm_gui.core.reports import DEFAULT_TRANSIT_HOURS, ReportName, build_report, to_csv
from drm_gui.core.states import DrmError
from drm_gui.core.vault_list import VaultListError, read_vault_file


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 100_000:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of hours, 0 or more")
    return value


def add_report_commands(sub: argparse._SubParsersAction) -> None:
    names = [n.value for n in ReportName]
    p = sub.add_parser(
        "report",
        help="a daily list: " + ", ".join(names),
        description="Prints a report as CSV, or writes it as CSV or PDF with --out. "
        + "; ".join(f"{n.value}: {n.title}" for n in ReportName),
    )
    p.add_argument("name", choices=names, metavar="NAME", help=" | ".join(names))
    p.add_argument("--format", choices=("csv", "pdf"), help="default: from --out, else csv")
    p.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (needed for pdf)")
    p.add_argument(
        "--hours",
        type=_hours,
        default=DEFAULT_TRANSIT_HOURS,
        metavar="N",
        help="transit: tapes with the courier longer than N hours "
        f"(default {DEFAULT_TRANSIT_HOURS})",
    )
    p.add_argument(
        "--from", dest="start", type=from_date_arg, metavar="DATE", help="movements: from"
    )
    p.add_argument(
        "--to", dest="end", type=to_date_arg, metavar="DATE", help="movements: to (inclusive)"
    )
    p.set_defaults(command_fn=cmd_report)

    p = sub.add_parser(
        "reconcile",
        help="compare the vault's inventory list with the records",
        description="Reads a plain list of volsers (one a line, # comments), or a CSV file "
        "with --column naming the volser column, and prints the differences. Tapes marked "
        "missing that the vault lists again are recorded as found.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--column", metavar="NAME", help="CSV: the column holding the volser")
    p.add_argument("--location-column", metavar="NAME", help="CSV: the vault's location column")
    p.add_argument("--delimiter", metavar="CHAR", help="CSV: the delimiter (default: sniffed)")
    p.add_argument(
        "--accept-valid",
        action="store_true",
        help="use the valid lines of a file that has bad lines (default: refuse the file)",
    )
    p.set_defaults(command_fn=cmd_reconcile)


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    fmt = args.format or (
        "pdf" if args.out is not None and args.out.suffix.lower() == ".pdf" else "csv"
    )
    if fmt == "pdf" and args.out is None:
        print("report: --format pdf needs --out FILE", file=sys.stderr)
        return EXIT_USAGE
    name = ReportName(args.name)
    if (args.start or args.end) and name is not ReportName.MOVEMENTS:
        print("report: --from and --to apply to the movements report only", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = build_report(name, hours=args.hours, start=args.start, end=args.end)
    except DrmError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if fmt == "pdf":
            from drm_gui.reports.operator_pdf import render_report_pdf

            render_report_pdf(report, args.out)
        elif args.out is not None:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(to_csv(report), encoding="utf-8")
        else:
            out.write(to_csv(report))
            return EXIT_OK
    except OSError as exc:
        print(f"report: cannot write {args.out}: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"{report.title}: {report.row_count:,} row(s) written to {args.out}", file=out)
    return EXIT_OK


def cmd_reconcile(args: argparse.Namespace, out: TextIO) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"reconcile: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        vault = read_vault_file(
            data,
            volser_column=args.column,
            location_column=args.location_column,
            delimiter=args.delimiter,
            source=args.file.name,
        )
        for problem in vault.errors:
            print(f"bad line: {args.file.name}: {problem}", file=out)
        rec = reconcile_mod.reconcile(vault, accept_valid=args.accept_valid)
    except VaultListError as exc:
        print(f"reconcile: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    for volser in reconcile_mod.record_found(rec):
        print(f"found: {volser}: no longer missing, listed by the vault again", file=out)
    for diff in rec.differences:
        allowed = ", ".join(r.value for r in diff.resolutions)
        print(f"difference: {diff.description} [{allowed}]", file=out)
    skipped = f", {len(rec.skipped)} bad line(s) left out" if rec.skipped else ""
    print(
        f"{rec.listed:,} listed, {rec.agreed:,} agree, {len(rec.differences):,} "
        f"difference(s){skipped}",
        file=out,
    )
    return EXIT_OK if rec.ok else EXIT_REFUSED
