"""The command line's `prepare` command: the recovery plan (DRM's PREPARE). No Qt here.

Exit codes: 0 a ready plan was written, 1 a plan was written but is not ready (each problem
printed) or no plan could be made, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from drm_gui.core import settings as settings_mod
from drm_gui.core.models import utcnow
from drm_gui.core.plan import PlanError
from drm_gui.core.plan_export import PlanExportError, export_plan, pdf_renderer
from drm_gui.core.plan_files import split_plan
from drm_gui.core.states import DrmError


def _as_of(text: str) -> dt.datetime:
    """A local date or date-time (ISO 8601) as naive UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a date and time like 2024-06-01T06:00 (local time)"
        ) from None
    if value.tzinfo is None:
        value = value.astimezone()  # local time
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _pools(text: str) -> tuple[str, ...]:
    try:
        value = settings_mod.parse_setting("primary_pools", text)
    except DrmError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not value:
        raise argparse.ArgumentTypeError("give at least one primary pool name")
    return value  # type: ignore[return-value]


def add_plan_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prepare", help="write a recovery plan file (DRM PREPARE)")
    p.add_argument("--out", metavar="DIR", type=Path, help="folder instead of the plan prefix's")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--series", type=int, metavar="N", help="restore backup series N")
    source.add_argument(
        "--as-of", type=_as_of, metavar="DATETIME", help="the newest series as of this local time"
    )
    p.add_argument(
        "--primary-pools", type=_pools, metavar="P,..", help="restore only these primary pools"
    )
    p.add_argument("--split", metavar="DIR", type=Path, help="also split it (like planexpl)")
    p.add_argument("--pdf", action="store_true", help="also write the plan as a PDF")
    p.set_defaults(command_fn=cmd_prepare)


def cmd_prepare(args: argparse.Namespace, out: TextIO) -> int:
    if args.pdf and pdf_renderer() is None:
        print("prepare: --pdf: the PDF renderer is not available in this build", file=sys.stderr)
        return EXIT_USAGE
    try:
        done = export_plan(
            utcnow(),
            args.out,
            pdf=args.pdf,
            series=args.series,
            as_of=args.as_of,
            primary_pools=args.primary_pools,
        )
    except PlanExportError as exc:
        print(f"Plan written: {exc.plan_path}", file=out)
        print(f"prepare: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except PlanError as exc:
        print(f"prepare: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as exc:
        print(f"prepare: cannot write the plan: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Plan written: {done.plan_path}", file=out)
    print(f"Source: {done.plan.source}", file=out)
    if done.pdf_path is not None:
        print(f"PDF written: {done.pdf_path}", file=out)
    if args.split is not None:
        try:
            files = split_plan(done.plan_path, args.split)
        except (OSError, DrmError) as exc:
            print(f"prepare: {exc}", file=sys.stderr)
            return EXIT_REFUSED
        print(f"Split into {len(files)} file(s) in {args.split}", file=out)
    for expired in done.expired:
        print(f"Expired plan deleted: {expired}", file=out)
    print(done.summary, file=out)
    for problem in done.problems:
        print(f"not ready: {problem}", file=out)
    return EXIT_OK if done.ready else EXIT_REFUSED
