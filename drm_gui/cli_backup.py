"""`backup OUT`: a consistent, verified copy of the app's own database. No Qt here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED
from drm_gui.core.backup import BackupError, backup_database


def add_backup_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backup",
        help="a consistent copy of this database while others work "
        "(SQLite: a database file; PostgreSQL: a pg_dump custom-format archive)",
    )
    p.add_argument("out", type=Path, metavar="OUT", help="the backup file to write")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.set_defaults(command_fn=cmd_backup)


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    if args.out.exists() and not args.out.is_dir() and not args.force:
        print(f"backup: {args.out} exists; choose another name, or --force", file=sys.stderr)
        return EXIT_REFUSED
    try:
        result = backup_database(args.out)
    except BackupError as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"Backed up to {result.path} ({result.size / 1e6:.1f} MB, owner-only); {result.check}.",
        file=out,
    )
    return EXIT_OK
