"""The command line's `library` commands: the tape library, through the core's library
operations (check, the library job, record), never around them. No Qt here.

Exit codes as the other commands: 0 success, 1 when anything was refused, not done, or the
library failed (the operator's message printed), 2 for usage errors (bad arguments, unusable
library settings).
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, print_move_result, state_arg
from drm_gui.core import library_ops as ops
from drm_gui.core import media
from drm_gui.core import settings as settings_mod
from drm_gui.core.states import DrmError, DrmState
from drm_gui.library.base import Inventory, LibraryError, TapeLibrary
from drm_gui.library.config import (
    Backend,
    ConfigError,
    LibraryConfig,
    config_path,
    config_to_dict,
    config_with,
    load_config,
    open_library,
    save_config,
)


def _remove(text: str) -> ops.RemoveMode:
    try:
        return ops.RemoveMode.parse(text)
    except DrmError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _numbers(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(",", " ").split()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give slot numbers separated by commas (9,10), or '' for none"
        ) from None


def _texts(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


def add_library_commands(sub: argparse._SubParsersAction) -> None:
    library = sub.add_parser(
        "library", help="the tape library: status, eject, import, discrepancies, settings"
    )
    actions = library.add_subparsers(dest="library_command", metavar="ACTION", required=True)

    p = actions.add_parser("status", help="what the library holds, with each tape's state")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(command_fn=cmd_status)

    p = actions.add_parser("eject", help="move tapes out of MOUNTABLE, ejecting them")
    p.add_argument("patterns", nargs="+", metavar="PATTERN", help="volser patterns")
    p.add_argument(
        "--to",
        dest="to_state",
        type=state_arg,
        default=DrmState.NOTMOUNTABLE,
        metavar="STATE",
        help="target state (default NOTMOUNTABLE)",
    )
    p.add_argument(
        "--remove",
        type=_remove,
        default=ops.RemoveMode.YES,
        metavar="MODE",
        help="yes (default): eject, in rounds; untileefull: until the I/O station is full; "
        "no: records only, the tapes stay in their slots",
    )
    p.add_argument("--to-location", metavar="TEXT", help="location text instead of the default")
    p.add_argument("--reason", default="", help="a note kept in the movement log")
    p.add_argument(
        "--check-label",
        choices=("yes", "no"),
        help="read each tape's label before the eject (default: the check_label setting)",
    )
    p.set_defaults(command_fn=cmd_eject)

    p = actions.add_parser("import", help="check in the returned tapes in the I/O station")
    p.add_argument("--dry-run", action="store_true", help="only say what would happen")
    p.set_defaults(command_fn=cmd_import)

    p = actions.add_parser("discrepancies", help="where the records and the library disagree")
    p.add_argument(
        "--resolve",
        nargs=2,
        action="append",
        default=[],
        metavar=("VOLSER", "RESOLUTION"),
        help="settle one: " + ", ".join(r.value for r in ops.Resolution),
    )
    p.add_argument("--reason", default="", help="a note kept in the movement log")
    p.set_defaults(command_fn=cmd_discrepancies)

    p = actions.add_parser("config", help="show or change this workstation's library settings")
    p.add_argument("--backend", choices=[b.value for b in Backend])
    p.add_argument("--device", help="the changer device (/dev/tape/by-id/... or /dev/sgN)")
    p.add_argument("--mtx-path", help="the mtx program")
    p.add_argument("--drive-devices", type=_texts, help="drive devices in drive order")
    p.add_argument("--io-slots", type=_numbers, help="slot numbers that are the I/O station")
    p.add_argument("--mt-path", help="the mt program")
    p.add_argument("--label-command", help="reads a tape's first block; {device} is replaced")
    for name in ("status", "move", "inventory", "ready"):
        p.add_argument(f"--{name}-timeout", type=float, metavar="SECONDS")
    p.add_argument("--offline-before-unload", choices=("yes", "no"))
    p.add_argument("--sim-drives", type=int, metavar="N")
    p.add_argument("--sim-slots", type=int, metavar="N")
    p.add_argument("--sim-io-slots", type=int, metavar="N")
    p.add_argument("--sim-delay", type=float, metavar="SECONDS")
    p.set_defaults(command_fn=cmd_config)


# -- helpers ---------------------------------------------------------------------------------


class _UsageError(Exception):
    """A problem the operator fixes by changing the command or the settings (exit 2)."""


def _library() -> TapeLibrary:
    try:
        config = load_config()
    except ConfigError as exc:
        raise _UsageError(f"library settings: {exc}") from None
    if config.backend is Backend.SIMULATED:
        # the simulated library lives in this process: filled from the records
        return open_library(
            config,
            tapes=ops.library_contents(),
            in_io_station=ops.returned_volsers(config.simulated.io_slots),
        )
    return open_library(config)


def _printer(out: TextIO) -> Callable[[str], None]:
    def progress(text: str) -> None:
        print(f"  {text}", file=out, flush=True)

    return progress


def _fail(command: str, exc: LibraryError) -> int:
    print(f"library {command}: {exc.message}", file=sys.stderr)
    return EXIT_REFUSED


def _guarded(fn: Callable[[argparse.Namespace, TextIO], int]) -> Callable[..., int]:
    def run(args: argparse.Namespace, out: TextIO) -> int:
        try:
            return fn(args, out)
        except _UsageError as exc:
            print(f"library {args.library_command}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except LibraryError as exc:
            return _fail(args.library_command, exc)

    return run


@contextmanager
def _ctrl_c_cancels(cancel: threading.Event, out: TextIO) -> Iterator[dict[str, bool]]:
    """The first Ctrl-C stops the job after the current move (a move in flight is never
    torn off); at a prompt it stops at once. The default handler is back afterwards."""
    state = {"prompt": False}
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handler(signum: int, frame: object) -> None:
        cancel.set()
        print("\nStopping after the current move…", file=out, flush=True)
        if state["prompt"]:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


def _print_table(out: TextIO, headers: Sequence[str], rows: list[list[str]]) -> None:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    print(
        "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        file=out,
    )
    print("  ".join("-" * w for w in widths), file=out)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(), file=out)


# -- status ----------------------------------------------------------------------------------


def _status_rows(inventory: Inventory) -> list[dict[str, Any]]:
    tags = [e.volume_tag for e in inventory.elements if e.volume_tag]
    states = {r.volser.upper(): r.state.value for r in ops.tape_records(volsers=tags)}
    rows = []
    for e in inventory.elements:
        note = ""
        if e.full and not e.volume_tag:
            note = "barcode not readable"
        elif e.is_cleaning:
            note = "cleaning cartridge"
        elif e.volume_tag and e.volume_tag.upper() not in states:
            note = "not in the database"
        if e.is_drive and e.full:
            source = f"from slot {e.loaded_from}" if e.loaded_from else "source slot unknown"
            note = f"{source}; {note}" if note else source
        rows.append(
            {
                "element": e.label,
                "kind": e.kind.value,
                "number": e.number,
                "full": e.full,
                "tag": e.volume_tag,
                "state": states.get((e.volume_tag or "").upper()),
                "note": note,
            }
        )
    return rows


@_guarded
def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    inventory = _library().inventory()
    rows = _status_rows(inventory)
    if args.format == "json":
        json.dump({"changer": inventory.changer, "elements": rows}, out, indent=1)
        out.write("\n")
        return EXIT_OK
    table = [
        [r["element"], r["tag"] or ("(full)" if r["full"] else "-"), r["state"] or "", r["note"]]
        for r in rows
    ]
    _print_table(out, ("element", "tag", "state", "note"), table)
    storage = inventory.storage_slots
    print(
        f"{inventory.changer}: {inventory.max_drives} drive(s), {len(storage)} slot(s) "
        f"({len(inventory.full_slots())} full), {len(inventory.io_slots)} I/O slot(s) "
        f"({len(inventory.full_io_slots())} full)",
        file=out,
    )
    return EXIT_OK


# -- eject -----------------------------------------------------------------------------------


def _operator_prompt(out: TextIO, state: dict[str, bool]) -> Callable[[int], bool]:
    def ask(waiting: int) -> bool:
        if not sys.stdin.isatty():
            print(
                f"The I/O station is full ({waiting} tape(s)). Empty it and run the command "
                "again for the tapes that are left.",
                file=out,
                flush=True,
            )
            return False
        state["prompt"] = True
        try:
            answer = input(
                f"Empty the I/O station ({waiting} tape(s)), then press Enter "
                "(type 'stop' to stop here): "
            )
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            return False
        finally:
            state["prompt"] = False
        return answer.strip().lower() not in ("stop", "s", "q", "quit")

    return ask


@_guarded
def cmd_eject(args: argparse.Namespace, out: TextIO) -> int:
    if args.to_location is not None:
        try:
            settings_mod.parse_location(args.to_location)
        except DrmError as exc:
            raise _UsageError(str(exc)) from None
    ids, unmatched = media.resolve_volsers(args.patterns)
    for pattern in unmatched:
        print(f"not moved: {pattern}: no volume matches this pattern", file=out)
    library: TapeLibrary | None = None
    inventory: Inventory | None = None
    if ops.robot_needed(ids, args.remove):
        library = _library()
        inventory = library.inventory()
    check_label = None if args.check_label is None else args.check_label == "yes"
    plan = ops.check_eject(
        ids,
        args.to_state,
        args.remove,
        inventory,
        to_location=args.to_location,
        check_label=check_label,
    )
    for warning in plan.warnings:
        print(f"warning: {warning}", file=out)
    for discrepancy in plan.discrepancies:
        print(f"discrepancy: {discrepancy.description}", file=out)
    outcome = ops.EjectOutcome((), (), 0)
    if plan.needs_robot and library is not None:
        print(
            f"Ejecting {len(plan.eject)} tape(s) to the I/O station "
            f"({plan.free_io_slots} free I/O slot(s)"
            + (", labels checked first" if plan.check_label else "")
            + ")…",
            file=out,
            flush=True,
        )
        cancel = threading.Event()
        with _ctrl_c_cancels(cancel, out) as state:
            outcome = ops.run_eject(
                library, plan, _printer(out), cancel, _operator_prompt(out, state)
            )
        if outcome.error is not None:
            print(f"library eject: {outcome.error.message}", file=sys.stderr)
        elif outcome.cancelled:
            print("The eject was stopped; tapes already ejected are recorded.", file=out)
    result = ops.record_eject(plan, outcome, reason=args.reason)
    print_move_result(out, result, "not moved")
    not_moved = len(result.refused) + len(unmatched)
    print(f"{len(result.moved):,} moved, {not_moved:,} not moved", file=out)
    ok = not_moved == 0 and outcome.error is None and not outcome.cancelled
    return EXIT_OK if ok else EXIT_REFUSED


# -- import ----------------------------------------------------------------------------------


@_guarded
def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    library = _library()
    inventory = library.inventory()
    plan = ops.check_import(inventory)
    if not plan.items:
        print("The I/O station is empty: nothing to check in.", file=out)
        return EXIT_OK
    for item in plan.items:
        print(f"I/O slot {item.io_slot}: {item.name}: {item.action.value}: {item.reason}", file=out)
    if args.dry_run:
        return EXIT_OK
    outcome = ops.ImportOutcome((), (), inventory=inventory)
    if plan.to_import:
        print(f"Checking in {len(plan.to_import)} tape(s)…", file=out, flush=True)
        cancel = threading.Event()
        with _ctrl_c_cancels(cancel, out):
            outcome = ops.run_import(library, plan, _printer(out), cancel)
        if outcome.error is not None:
            print(f"library import: {outcome.error.message}", file=sys.stderr)
    if outcome.inventory is None:
        print("The library's inventory could not be read: nothing was recorded.", file=out)
        return EXIT_REFUSED
    result = ops.record_import(plan, outcome.inventory)
    for moved in result.moved:
        print(f"checked in: {moved.volser}: {moved.from_state.value} → MOUNTABLE", file=out)
    for refusal in result.refused:
        print(f"not checked in: {refusal.volser}: {refusal.reason}", file=out)
    print(f"{len(result.moved):,} checked in, {len(result.refused):,} not", file=out)
    ok = not result.refused and outcome.error is None and not outcome.cancelled
    return EXIT_OK if ok else EXIT_REFUSED


# -- discrepancies ---------------------------------------------------------------------------


@_guarded
def cmd_discrepancies(args: argparse.Namespace, out: TextIO) -> int:
    wanted: list[tuple[str, ops.Resolution]] = []
    for volser, text in args.resolve:
        try:
            wanted.append((volser.strip().upper(), ops.Resolution.parse(text)))
        except DrmError as exc:
            raise _UsageError(str(exc)) from None
    found = ops.find_discrepancies(_library().inventory())
    by_volser = {d.volser.upper(): d for d in found}
    status = EXIT_OK
    for volser, resolution in wanted:
        discrepancy = by_volser.pop(volser, None)
        if discrepancy is None:
            print(f"not resolved: {volser}: no discrepancy for this tape", file=out)
            status = EXIT_REFUSED
            continue
        try:
            result = ops.resolve(discrepancy, resolution, reason=args.reason)
        except DrmError as exc:  # its message starts with the volser
            print(f"not resolved: {exc}", file=out)
            status = EXIT_REFUSED
            continue
        if result.refused:
            print(f"not resolved: {volser}: {result.refused[0].reason}", file=out)
            status = EXIT_REFUSED
        else:
            print(f"resolved: {volser}: {resolution.label}", file=out)
    remaining = list(by_volser.values())
    for d in remaining:
        options = ", ".join(r.value for r in d.resolutions)
        print(f"{d.kind.value}: {d.volser}: {d.description} [{options}]", file=out)
    print(f"{len(remaining):,} discrepancy(ies)", file=out)
    return status


# -- config ----------------------------------------------------------------------------------


def _show_config(config: LibraryConfig, out: TextIO) -> None:
    for name, value in config_to_dict(config).items():
        if name == "version":
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                print(f"{name}.{key:20} {item}", file=out)
            continue
        if name == "label_command":
            value = shlex.join(value)
        elif isinstance(value, list):
            value = ",".join(str(v) for v in value) or "(none)"
        print(f"{name:30} {value}", file=out)


def cmd_config(args: argparse.Namespace, out: TextIO) -> int:
    changes: dict[str, Any] = {}
    simple = {
        "backend": "backend",
        "device": "changer_device",
        "mtx_path": "mtx_path",
        "drive_devices": "drive_devices",
        "io_slots": "io_slots",
        "mt_path": "mt_path",
        "status_timeout": "status_timeout",
        "move_timeout": "move_timeout",
        "inventory_timeout": "inventory_timeout",
        "ready_timeout": "ready_timeout",
    }
    for option, name in simple.items():
        value = getattr(args, option)
        if value is not None:
            changes[name] = value
    if args.label_command is not None:
        changes["label_command"] = shlex.split(args.label_command)
    if args.offline_before_unload is not None:
        changes["offline_before_unload"] = args.offline_before_unload == "yes"
    geometry = {
        key: getattr(args, f"sim_{key}")
        for key in ("drives", "slots", "io_slots")
        if getattr(args, f"sim_{key}") is not None
    }
    if args.sim_delay is not None:
        geometry["move_delay"] = args.sim_delay
    if geometry:
        changes["simulated"] = geometry
    try:
        config = load_config()
        if changes:
            config = config_with(config, **changes)
            path = save_config(config)
            print(f"Saved {path}", file=out)
    except ConfigError as exc:
        print(f"library config: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not changes:
        print(f"# {config_path()}", file=out)
    _show_config(config, out)
    return EXIT_OK
