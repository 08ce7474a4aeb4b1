"""The command line's storage-server commands: `import KIND FILE`, `export csv FILE`, and
`server send` / `server sync` through the administrative client. No Qt here.

The link's password is typed at the terminal (never an argument, never echoed) unless the
client keeps it itself (the server_stored_password setting).

`import` prints the preview (bad lines, new, changed and conflicting volumes), then applies
it in one transaction unless --dry-run. A file with bad lines imports nothing unless
--accept-valid. Exit codes: 0 done, 1 refused (bad lines, a file that cannot be read, a
change by someone else meanwhile), 2 usage errors.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TextIO

from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from drm_gui.core import export_volumes, media, server_moves
from drm_gui.core.import_history import DevconfigPreview, VolhistPreview
from drm_gui.core.import_server import apply_sync
from drm_gui.core.import_volumes import Resolution, Status, VolumePreview
from drm_gui.core.imports import ImportKind, Preview, apply_preview, preview_file
from drm_gui.core.models import CommandStatus
from drm_gui.core.states import DrmError
from drm_gui.core.tsm_formats import field_for_name
from drm_gui.server import AdminClient
from drm_gui.server.link import profile_from_settings, read_server, send_pending

_LISTED = 20  # lines of each kind printed before "... and N more"


def _columns_arg(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    fields = [field_for_name(n) for n in names]
    unknown = [n for n, f in zip(names, fields, strict=True) if f is None]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown column(s) {', '.join(unknown) or repr(text)}: use DRMEDIA column names such "
            "as VOLUME_NAME,STATE,UPD_DATE,LOCATION,STGPOOL_NAME,LIB_NAME,VOLTYPE"
        )
    return [f for f in fields if f is not None]


def add_server_commands(sub: argparse._SubParsersAction) -> None:
    kinds = [k.value for k in ImportKind]
    p = sub.add_parser(
        "import",
        help="import the storage server's records from a file: " + ", ".join(kinds),
        description="Previews the file against the database (new, changed, unchanged, "
        "conflicting with local moves not yet sent to the server), then applies it in one "
        "transaction. "
        + "; ".join(f"{k.value}: {k.title}" for k in ImportKind)
        + ". The csv columns are described in README.md.",
    )
    p.add_argument("kind", choices=kinds, metavar="KIND", help=" | ".join(kinds))
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="show the preview, change nothing")
    p.add_argument(
        "--accept-valid",
        action="store_true",
        help="import the valid lines of a file that has bad lines (default: import nothing)",
    )
    p.add_argument(
        "--take-server",
        action="store_true",
        help="conflicts: take the server's record (default: keep the local move, still to be "
        "sent to the server)",
    )
    p.add_argument(
        "--columns",
        type=_columns_arg,
        metavar="NAMES",
        help="drmedia: the columns of a headerless SELECT output, comma-separated",
    )
    p.set_defaults(command_fn=cmd_import)

    p = sub.add_parser(
        "export",
        help="write every volume to a CSV file that `import csv` reads back",
        description="Writes volser,state,location,kind,pool,updated for every volume.",
    )
    p.add_argument("format", choices=["csv"], metavar="FORMAT", help="csv")
    p.add_argument("file", type=Path, metavar="FILE", help="the file to write ('-': stdout)")
    p.set_defaults(command_fn=cmd_export)

    p = sub.add_parser(
        "server",
        help="the storage server link: send the waiting moves, synchronise",
        description="send: sends the moves the server has not heard of (MOVE DRMEDIA), each "
        "checked, refused ones rolled back. sync: reads the server's DRM media, volumes, "
        "pools and volume history, prints the differences and applies them. The link is "
        "set with the server_* settings.",
    )
    p.add_argument("action", choices=["send", "sync"], metavar="ACTION", help="send | sync")
    p.add_argument("--dry-run", action="store_true", help="sync: show, change nothing")
    p.add_argument("--accept-valid", action="store_true", help="sync: skip unreadable rows")
    p.add_argument(
        "--take-server", action="store_true", help="sync: conflicts take the server's record"
    )
    p.set_defaults(command_fn=cmd_server)


def _print_limited(out: TextIO, lines: list[str]) -> None:
    for line in lines[:_LISTED]:
        print(line, file=out)
    if len(lines) > _LISTED:
        print(f"... and {len(lines) - _LISTED:,} more", file=out)


def print_preview(preview: Preview, out: TextIO) -> None:
    """The preview as lines a person reads (and a script can grep)."""
    _print_limited(out, [f"bad line: {p}" for p in preview.problems])
    if isinstance(preview, VolumePreview):
        for status in (Status.NEW, Status.CHANGED, Status.CONFLICT):
            lines = []
            for d in preview.of(status):
                note = f" ({d.note})" if d.note else ""
                lines.append(f"{status.value}: {d.volser}: {d.describe()}{note}")
            _print_limited(out, lines)
        if preview.only_here:
            print(
                f"only here: {len(preview.only_here):,} tracked volume(s) not in the file, "
                f"left as they are: {', '.join(preview.only_here[:10])}"
                + (" ..." if len(preview.only_here) > 10 else ""),
                file=out,
            )
    elif isinstance(preview, VolhistPreview):
        lines = [
            f"new series: {s.kind.value} {s.series.series}, {len(s.series.volumes)} volume(s), "
            f"started {s.series.started:%Y-%m-%d %H:%M}"
            for s in preview.series
            if s.status is Status.NEW
        ]
        _print_limited(out, lines)
        if preview.untracked:
            print(
                f"not tracked: {len(preview.untracked):,} volume(s) of the history are not "
                "tracked here (import the QUERY DRMEDIA list first): "
                + ", ".join(preview.untracked[:10]),
                file=out,
            )
    elif isinstance(preview, DevconfigPreview):
        r = preview.result
        for c in r.device_classes:
            print(f"device class: {c.name} ({c.devtype}) library {c.library or '-'}", file=out)
        for lib in r.libraries:
            print(f"library: {lib.name} ({lib.libtype})", file=out)
    print(preview.summary(), file=out)


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    kind = ImportKind(args.kind)
    if args.columns and kind is not ImportKind.DRMEDIA:
        print("import: --columns applies to drmedia files only", file=sys.stderr)
        return EXIT_USAGE
    try:
        preview = preview_file(kind, args.file, columns=args.columns)
    except DrmError as exc:
        print(f"import: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print_preview(preview, out)
    if args.dry_run:
        print("dry run: nothing was changed", file=out)
        return EXIT_OK
    default = Resolution.TAKE_SERVER if args.take_server else Resolution.KEEP_LOCAL
    try:
        done = apply_preview(preview, accept_problems=args.accept_valid, default=default)
    except DrmError as exc:
        print(f"import: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(done, file=out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    if str(args.file) == "-":
        out.write(export_volumes.volumes_csv())
        return EXIT_OK
    try:
        count = export_volumes.write_volumes_csv(args.file)
    except OSError as exc:
        print(f"export: cannot write {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"{count:,} volume(s) written to {args.file}", file=out)
    return EXIT_OK


def deliver_commands(out: TextIO) -> None:
    """After a move: without a link the commands go to the command file; with one, the
    operator is told that they wait to be sent."""
    try:
        written = server_moves.deliver_without_link(media.load_settings())
    except DrmError as exc:
        print(f"warning: the server commands were not written (they wait): {exc}", file=sys.stderr)
        return
    if written is None:
        waiting = server_moves.command_counts()[CommandStatus.PENDING]
        if waiting:
            print(f"{waiting:,} move(s) wait for the storage server: run 'server send'", file=out)
    elif written.written:
        print(written.summary(), file=out)


def _client() -> AdminClient:
    profile = profile_from_settings(media.load_settings())
    if not profile.admin_id:
        raise DrmError("no administrator id is set: settings server_admin NAME")
    if profile.use_stored_password:
        return AdminClient(profile, None)
    if not sys.stdin.isatty():
        raise DrmError(
            "the password can only be typed at a terminal; or set server_stored_password YES "
            "where the client keeps it (PASSWORDACCESS GENERATE)"
        )
    prompt = f"Password of {profile.admin_id} on {profile.server_label}: "
    return AdminClient(profile, getpass.getpass(prompt))


def cmd_server(args: argparse.Namespace, out: TextIO) -> int:
    try:
        client = _client()
        if args.action == "send":
            report = send_pending(client)
            print(report.summary(), file=out)
            return EXIT_OK if not (report.refused or report.error) else EXIT_REFUSED
        preview = read_server(client)
    except DrmError as exc:
        print(f"server: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print_preview(preview.volumes, out)
    if preview.history.has_changes:
        print_preview(preview.history, out)
    for usage in preview.usage:
        print(
            f"utilisation: {usage.volser}: {usage.before:g}% → {usage.usage.pct_used:g}%", file=out
        )
    for pool in preview.pools:
        print(f"pool: {pool.pool.name} ({pool.pool.pool_type.value})", file=out)
    print(preview.summary(), file=out)
    if args.dry_run or not preview.has_changes:
        return EXIT_OK
    default = Resolution.TAKE_SERVER if args.take_server else Resolution.KEEP_LOCAL
    try:
        print(apply_sync(preview, accept_problems=args.accept_valid, default=default), file=out)
    except DrmError as exc:
        print(f"server: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK
