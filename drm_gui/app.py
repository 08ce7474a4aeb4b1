"""Composition root: command line, logging, the database, then the GUI or a command.

Qt is imported only when the window is opened, so that `--version` and the command-line
tools start fast and work on machines without a display.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys

from drm_gui import APP_NAME, __version__, cli
from drm_gui.cli_common import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from drm_gui.core.db import DatabaseOpenError, DatabaseUrlError, close_database, open_database
from drm_gui.core.roles import PermissionDeniedError
from drm_gui.paths import data_dir, default_database_url
from drm_gui.workstation import WorkstationConfigError, workstation_database

log = logging.getLogger(__name__)

NO_DISPLAY_MESSAGE = """\
drm-gui: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window
cannot open here. To use the app on this machine anyway:
  - on a virtual display:   xvfb-run -a -s "-screen 0 1600x1000x24" make run
    (to see it, add a VNC server such as x11vnc, or take screenshots with xwd/import);
  - through a remote desktop session (xrdp, VNC), where DISPLAY is set for you;
  - or use the command line, which needs no display:  .venv/bin/python main.py --help
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description="Off-site tape management and disaster recovery plans. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database: sqlite:///relative.db, sqlite:////absolute/path.db, a file path, "
        "or postgresql://user@host:port/dbname (default: drm.db in the user data folder)",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="check that the app works (main window, plan and manifest PDFs) on a temporary "
        "database, then quit; exit code 0 when it does",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log debugging details to stderr"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    cli.add_commands(sub)
    return parser


def setup_logging(verbose: bool) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    try:
        handler = logging.handlers.RotatingFileHandler(
            data_dir() / "drm-gui.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as exc:
        log.warning("cannot write the log file: %s", exc)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


def has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_smoke_test(verbose: bool) -> int:
    """--smoke-test: in a temporary folder (the log file too), never the user's database."""
    from drm_gui.gui.smoke import smoke_test

    return smoke_test(lambda: setup_logging(verbose))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.smoke_test:
        return run_smoke_test(args.verbose)
    setup_logging(args.verbose)
    if getattr(args, "without_database", False):
        return int(args.command_fn(args, sys.stdout))
    try:
        url = args.db or workstation_database() or default_database_url()
    except WorkstationConfigError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return EXIT_USAGE

    if args.command is None:
        if not has_display():
            sys.stderr.write(NO_DISPLAY_MESSAGE)
            return EXIT_USAGE
        from drm_gui.gui.application import run_gui

        return run_gui(url, explicit_db=args.db is not None)

    try:
        open_database(url)
    except DatabaseUrlError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseOpenError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        return int(args.command_fn(args, sys.stdout))
    except PermissionDeniedError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return EXIT_OK
    finally:
        close_database()
