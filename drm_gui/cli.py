"""The command line: the same core as the GUI, for scripts and cron. No Qt here.

Exit codes: 0 success, 1 when anything was refused or failed (each reason printed),
2 for usage errors (bad arguments, an unusable database URL).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from drm_gui.cli_audit import add_audit_commands
from drm_gui.cli_backup import add_backup_commands
from drm_gui.cli_common import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    kind_arg,
    print_move_result,
    state_arg,
)
from drm_gui.cli_database import add_database_commands
from drm_gui.cli_library import add_library_commands
from drm_gui.cli_manifest import add_manifest_commands
from drm_gui.cli_plan import add_plan_commands
from drm_gui.cli_reports import add_report_commands
from drm_gui.cli_roles import add_roles_commands
from drm_gui.cli_server import add_server_commands, deliver_commands
from drm_gui.core import demo, media, retention
from drm_gui.core import settings as settings_mod
from drm_gui.core.states import DrmError


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Adds the core's subcommands to the app's parser."""
    p = sub.add_parser("demo", help="fill an empty database with a realistic demo site")
    p.add_argument("--volumes", type=int, default=400, metavar="N", help="tapes (default 400)")
    p.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    p.set_defaults(command_fn=cmd_demo)

    p = sub.add_parser("query", help="list volumes (like QUERY DRMEDIA)")
    p.add_argument("pattern", nargs="?", default="*", help="volser pattern with * and ?")
    p.add_argument("--state", type=state_arg, help="only this state")
    p.add_argument("--pool", help="only this storage pool (wildcards allowed)")
    p.add_argument("--kind", type=kind_arg, help="only this volume kind")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.set_defaults(command_fn=cmd_query)

    p = sub.add_parser("move", help="move volumes to another state (MOVE DRMEDIA)")
    p.add_argument("patterns", nargs="+", metavar="PATTERN", help="volser patterns")
    p.add_argument("--to", dest="to_state", type=state_arg, required=True, metavar="STATE")
    p.add_argument("--from", dest="from_state", type=state_arg, metavar="STATE")
    p.add_argument("--to-location", metavar="TEXT", help="location text instead of the default")
    p.add_argument("--reason", default="", help="a note kept in the movement log")
    p.set_defaults(command_fn=cmd_move)

    p = sub.add_parser("expire", help="mark expired vault tapes VAULTRETRIEVE")
    p.set_defaults(command_fn=cmd_expire)

    p = sub.add_parser("history", help="the movement history of one volume")
    p.add_argument("volser")
    p.set_defaults(command_fn=cmd_history)

    p = sub.add_parser("settings", help="show or change the DRM settings")
    p.add_argument("name", nargs="?", help="setting name")
    p.add_argument("value", nargs="?", help="new value")
    p.set_defaults(command_fn=cmd_settings)

    add_library_commands(sub)
    add_plan_commands(sub)
    add_report_commands(sub)
    add_manifest_commands(sub)
    add_server_commands(sub)
    add_roles_commands(sub)
    add_database_commands(sub)
    add_audit_commands(sub)
    add_backup_commands(sub)


Command = Callable[[argparse.Namespace, TextIO], int]


def _local(at: dt.datetime) -> str:
    """A stored UTC time as local time, to the minute."""
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    if not 1 <= args.volumes <= demo.MAX_VOLUMES:  # a bad argument: a usage error
        print(f"demo: --volumes must be between 1 and {demo.MAX_VOLUMES:,}", file=sys.stderr)
        return EXIT_USAGE
    try:
        count = demo.create_demo_site(args.volumes, seed=args.seed)
    except DrmError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Created a demo site with {count:,} volumes.", file=out)
    return EXIT_OK


QUERY_COLUMNS = ("volser", "state", "updated", "location", "kind", "pool", "media", "pct_used")


def _query_record(row: media.VolumeRow) -> dict[str, object]:
    return {
        "volser": row.volser,
        "state": row.state.value,
        "updated": _local(row.updated_at),
        "location": row.location,
        "kind": row.kind.value,
        "pool": row.pool,
        "media": row.media_type,
        "pct_used": row.pct_used,
    }


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    rows = media.query_volumes([args.pattern], state=args.state, pool=args.pool, kind=args.kind)
    records = [_query_record(r) for r in rows]
    if args.format == "json":
        json.dump(records, out, indent=1)
        out.write("\n")
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=QUERY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        _print_table(out, QUERY_COLUMNS, [[str(r[c]) for c in QUERY_COLUMNS] for r in records])
        print(f"{len(records):,} volume(s)", file=out)
    return EXIT_OK


def _print_table(out: TextIO, headers: Sequence[str], rows: list[list[str]]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip(), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out)


def cmd_move(args: argparse.Namespace, out: TextIO) -> int:
    if args.to_location is not None:
        try:
            settings_mod.parse_location(args.to_location)
        except DrmError as exc:
            print(f"move: {exc}", file=sys.stderr)
            return EXIT_USAGE
    ids, unmatched = media.resolve_volsers(args.patterns)
    for pattern in unmatched:
        print(f"refused: {pattern}: no volume matches this pattern", file=out)
    result = media.move_volumes(
        ids,
        args.to_state,
        to_location=args.to_location,
        from_state=args.from_state,
        reason=args.reason,
    )
    print_move_result(out, result)
    print(
        f"{len(result.moved):,} moved, {len(result.refused) + len(unmatched):,} refused", file=out
    )
    if result.moved:
        deliver_commands(out)
    return EXIT_OK if result.ok and not unmatched else EXIT_REFUSED


def cmd_expire(args: argparse.Namespace, out: TextIO) -> int:
    result = retention.evaluate_expiry()
    for change in result.changes:
        flag = " [WORM: destroy or archive on return]" if change.worm else ""
        print(f"VAULTRETRIEVE: {change.volser}: {change.reason}{flag}", file=out)
    print(f"{len(result.changes):,} volume(s) now VAULTRETRIEVE", file=out)
    return EXIT_OK


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    volume = media.volume_by_volser(args.volser)
    if volume is None:
        print(f"history: no volume {args.volser.upper()!r}", file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"{volume.volser}  {volume.kind.label}  {volume.pool or '-'}  "
        f"{volume.state.value} at {volume.location}",
        file=out,
    )
    rows = [
        [
            _local(h.at),
            h.kind.value,
            h.from_state.value if h.from_state else "-",
            h.to_state.value,
            h.to_location,
            f"{h.os_user}@{h.workstation}",
            h.reason,
        ]
        for h in media.history(volume.id)
    ]
    _print_table(out, ("when", "kind", "from", "to", "location", "who", "reason"), rows)
    return EXIT_OK


def cmd_settings(args: argparse.Namespace, out: TextIO) -> int:
    try:
        if args.value is not None:
            value = media.set_setting(args.name, args.value)
            definition = settings_mod.setting_def(args.name)
            print(f"{definition.name} = {definition.format(value)}", file=out)
            return EXIT_OK
        values = media.load_settings()
        defs = [settings_mod.setting_def(args.name)] if args.name else settings_mod.SETTINGS
    except settings_mod.SettingError as exc:
        print(f"settings: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for d in defs:
        print(f"{d.name:22} {d.format(values[d.name]):20} {d.description}", file=out)
    return EXIT_OK
