"""The command line's `manifest` command: courier manifests. No Qt here.

    manifest --direction out|in [--volumes PATTERN...] [--courier NAME] [--container TEXT]
             --pdf FILE        make the next manifest and write it as a PDF
    manifest list              every manifest, newest first
    manifest show N            one manifest's header, tapes and totals
    manifest pdf N --pdf FILE  reprint manifest N (the same document)

Exit codes: 0 success, 1 refused or failed (an empty manifest, a tape in the wrong state, a
pattern matching nothing, no such manifest, a PDF that cannot be written, a record whose tape
list no longer matches its SHA-256), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from drm_gui.core import media
from drm_gui.core.manifest import (
    ManifestError,
    ManifestInfo,
    create_manifest,
    get_manifest,
    list_manifests,
)
from drm_gui.core.models import ManifestDirection

ACTIONS = ("create", "list", "show", "pdf")


def _direction(text: str) -> ManifestDirection:
    try:
        return ManifestDirection(text.strip().upper())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give out or in") from None


def add_manifest_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "manifest",
        help="courier manifests: make one (PDF), list, show, reprint",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", nargs="?", choices=ACTIONS, default="create", help="default create")
    p.add_argument("number", nargs="?", type=int, metavar="N", help="manifest number")
    p.add_argument("--direction", type=_direction, metavar="out|in", help="create: required")
    p.add_argument(
        "--volumes",
        nargs="+",
        metavar="PATTERN",
        help="volser patterns (* and ?); default: every tape in COURIER (out), "
        "or in VAULTRETRIEVE/COURIERRETRIEVE (in)",
    )
    p.add_argument("--courier", metavar="NAME", help="default: the courier_name setting")
    p.add_argument("--container", metavar="TEXT", help="case or box label for every tape")
    p.add_argument("--pdf", type=Path, metavar="FILE", help="the PDF to write")
    p.set_defaults(command_fn=cmd_manifest)


def _usage(message: str) -> int:
    print(f"manifest: {message}", file=sys.stderr)
    return EXIT_USAGE


def _local(at: dt.datetime) -> str:
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def cmd_manifest(args: argparse.Namespace, out: TextIO) -> int:
    action = args.action
    if action in ("show", "pdf") and args.number is None:
        return _usage(f"{action}: give the manifest number")
    if action in ("create", "list") and args.number is not None:
        return _usage(f"{action}: takes no manifest number")
    if action == "create":
        if args.direction is None:
            return _usage("--direction out|in is required to make a manifest")
        if args.pdf is None:
            return _usage("--pdf FILE is required to make a manifest")
    elif args.direction or args.volumes or args.courier or args.container:
        return _usage(f"{action}: --direction, --volumes, --courier, --container make a manifest")
    if action == "pdf" and args.pdf is None:
        return _usage("pdf: --pdf FILE is required")
    if action in ("list", "show") and args.pdf is not None:
        return _usage(f"{action}: --pdf is for making or reprinting a manifest")
    try:
        if action == "list":
            return _list(out)
        if action == "show":
            return _show(get_manifest(args.number), out)
        if action == "pdf":
            return _write_pdf(get_manifest(args.number), args.pdf, out)
        return _create(args, out)
    except ManifestError as exc:
        print(f"manifest: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED


def _create(args: argparse.Namespace, out: TextIO) -> int:
    ids = None
    if args.volumes:
        ids, unmatched = media.resolve_volsers(args.volumes)
        if unmatched:
            for pattern in unmatched:
                print(f"manifest: refused: {pattern}: no volume matches", file=sys.stderr)
            return EXIT_REFUSED
    info = create_manifest(args.direction, ids, courier=args.courier, container=args.container)
    print(
        f"Manifest {info.number} ({info.direction.value}): {len(info.tapes):,} tape(s), "
        f"courier {info.courier}, vault {info.vault}",
        file=out,
    )
    print(f"SHA-256 {info.sha256}", file=out)
    return _write_pdf(info, args.pdf, out)


def _write_pdf(info: ManifestInfo, path: Path, out: TextIO) -> int:
    # ReportLab only when a PDF is wanted: `manifest list` stays quick.
    try:
        from drm_gui.reports.manifest_pdf import render_manifest_pdf
    except ImportError:
        print("manifest: the PDF renderer is not available in this build", file=sys.stderr)
        print(f"Reprint later with: manifest pdf {info.number} --pdf FILE", file=out)
        return EXIT_REFUSED
    try:
        written = render_manifest_pdf(info, path)
    except OSError as exc:
        print(f"manifest: cannot write {path}: {exc}", file=sys.stderr)
        print(f"Reprint with: manifest pdf {info.number} --pdf FILE", file=out)
        return EXIT_REFUSED
    print(f"PDF written: {written}", file=out)
    return EXIT_OK


def _list(out: TextIO) -> int:
    rows = list_manifests()
    header = f"{'NUMBER':>6}  DIR  {'CREATED':16}  {'TAPES':>5}  {'BY':20}  COURIER"
    print(header, file=out)
    for m in rows:
        by = f"{m.os_user}@{m.workstation}"
        print(
            f"{m.number:>6}  {m.direction.value:3}  {_local(m.created_at):16}  "
            f"{m.tape_count:>5}  {by:20}  {m.courier}",
            file=out,
        )
    print(f"{len(rows):,} manifest(s)", file=out)
    return EXIT_OK


def _show(info: ManifestInfo, out: TextIO) -> int:
    print(f"Manifest {info.number} ({info.direction.value})", file=out)
    print(f"Courier:    {info.courier}", file=out)
    print(f"Vault:      {info.vault}", file=out)
    print(f"Created:    {_local(info.created_at)} by {info.os_user}@{info.workstation}", file=out)
    ok = info.hash_ok
    verdict = "matches the tape list" if ok else "DOES NOT MATCH the tape list"
    print(f"SHA-256:    {info.sha256} ({verdict})", file=out)
    print("", file=out)
    widths = (8, 12, 18)
    print(f"{'VOLSER':8}  {'POOL':12}  {'KIND':18}  FROM -> TO  CONTAINER", file=out)
    for t in info.tapes:
        cells = (t.volser, t.pool or "-", t.kind.label)
        line = "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
        print(f"{line}  {t.from_location} -> {t.to_location}  {t.container}".rstrip(), file=out)
    print("", file=out)
    for total in info.totals:
        print(f"{total.pool or '-':12}  {total.kind.label:18}  {total.count:>5}", file=out)
    print(f"{len(info.tapes):,} tape(s)", file=out)
    if not ok:
        print(f"manifest: manifest {info.number}: the record was changed", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK
