"""The command line's `database` command: which database this workstation opens when no
`--db` is given (workstation.json). It does not open any database itself. No Qt.

    database                   show it, and where the choice comes from
    database set URL           e.g. postgresql://drm@dbhost:5432/drm (no password)
    database reset             back to the SQLite file in the user data folder
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED
from drm_gui.paths import default_database_url
from drm_gui.workstation import (
    WorkstationConfigError,
    config_path,
    set_workstation_database,
    workstation_database,
)


def add_database_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "database",
        help="show or choose the database this workstation opens by default",
        description="The database opened when no --db is given, kept in workstation.json of "
        "the user config folder. PostgreSQL passwords go in ~/.pgpass, never here.",
    )
    p.add_argument("action", nargs="?", choices=["show", "set", "reset"], default="show")
    p.add_argument("url", nargs="?", metavar="URL")
    p.set_defaults(command_fn=cmd_database, without_database=True)


def cmd_database(args: argparse.Namespace, out: TextIO) -> int:
    try:
        if args.action == "set":
            if not args.url:
                raise WorkstationConfigError("database set needs a URL")
            path = set_workstation_database(args.url)
            print(f"this workstation now opens {args.url.strip()} ({path})", file=out)
        elif args.action == "reset":
            set_workstation_database(None)
            print(f"this workstation now opens {default_database_url()}", file=out)
        else:
            chosen = workstation_database()
            where = f"from {config_path()}" if chosen else "the default"
            print(f"{chosen or default_database_url()} ({where})", file=out)
    except WorkstationConfigError as exc:
        print(f"database: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK
