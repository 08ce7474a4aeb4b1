"""`drm-gui --smoke-test`: proves that an installed (or frozen) drm-gui works end to end.

On a temporary database in a fresh temporary folder (which also takes the place of the user
data and config folders): a demo site, the main window shown, a recovery plan PDF and a
manifest PDF rendered. One line per step on stdout; on a failure, the step and the reason on
stderr and exit code 1. The folder is removed at the end.

The "main window shown" line gives the seconds since the process started (from /proc on
Linux, so a frozen bundle's unpacking and imports count), which `make bench` reports.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from drm_gui import APP_NAME

DEMO_VOLUMES = 50
T = TypeVar("T")


class SmokeTestError(Exception):
    """A step failed; the message names it."""


def seconds_since_process_start() -> float | None:
    """Wall-clock seconds since this process started (Linux), None elsewhere."""
    try:
        stat = Path("/proc/self/stat").read_text()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        # Field 22 (starttime, in clock ticks since boot) follows the ")" of the command name.
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


def isolate(folder: Path) -> None:
    """Points the user data and config folders into *folder*; offscreen Qt without a display."""
    os.environ["DRM_GUI_DATA_DIR"] = str(folder / "data")
    os.environ["DRM_GUI_CONFIG_DIR"] = str(folder / "config")
    if sys.platform == "linux" and not (
        os.environ.get("QT_QPA_PLATFORM")
        or os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def check_pdf(path: Path) -> int:
    """The size of *path*, which must be a PDF."""
    with path.open("rb") as file:
        head = file.read(5)
    if head != b"%PDF-":
        raise SmokeTestError(f"{path.name} is not a PDF (starts with {head!r})")
    return path.stat().st_size


def run_smoke_test(folder: Path, out: Callable[[str], None]) -> None:
    """The steps, in *folder* (already isolated); raises SmokeTestError on a failure."""

    def step(name: str, action: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            result = action()
        except SmokeTestError:
            raise
        except Exception as exc:
            raise SmokeTestError(f"{name}: {type(exc).__name__}: {exc}") from exc
        out(f"ok   {name} ({time.perf_counter() - started:.2f} s)")
        return result

    # Imported here: `--version` and the command line never load Qt or the reports.

    from drm_gui.core import demo
    from drm_gui.core.db import close_database, open_database
    from drm_gui.core.manifest import ManifestError, ManifestInfo, create_manifest
    from drm_gui.core.models import ManifestDirection, utcnow
    from drm_gui.core.plan import build_plan
    from drm_gui.gui.application import GuiSession, prepare_app
    from drm_gui.gui.fonts import font_problem
    from drm_gui.gui.memory import app_settings
    from drm_gui.reports.manifest_pdf import render_manifest_pdf
    from drm_gui.reports.plan_pdf import render_plan_pdf

    def fonts() -> str:
        from drm_gui.reports.layout import FONT_DIR, register_fonts

        if not register_fonts().unicode:
            raise SmokeTestError(f"fonts: the DejaVu fonts are not usable in {FONT_DIR}")
        return str(FONT_DIR)

    out(f"     fonts from {step('PDF fonts', fonts)}")
    info = step("temporary database", lambda: open_database(str(folder / "smoke.db")))
    try:
        count = step("demo site", lambda: demo.create_demo_site(DEMO_VOLUMES))
        if count != DEMO_VOLUMES:
            raise SmokeTestError(f"demo site: {count} tapes instead of {DEMO_VOLUMES}")

        app = prepare_app()

        def show_window() -> GuiSession:
            session = GuiSession(info, app_settings())
            session.window.show()
            app.processEvents()
            if not session.window.isVisible():
                raise SmokeTestError("main window: not visible after show()")
            if (problem := font_problem(session.window.font())) is not None:
                raise SmokeTestError(f"main window: {problem}: install fonts-dejavu-core")
            return session

        session = step("main window shown", show_window)
        since_start = seconds_since_process_start()
        if since_start is not None:
            out(f"ok   main window shown {since_start:.3f} s after the process started")
        try:
            plan_path = folder / "plan.pdf"
            plan = step("recovery plan built", lambda: build_plan(now=utcnow(), out_dir=folder))
            step("recovery plan PDF", lambda: render_plan_pdf(plan, plan_path))
            size = step("recovery plan PDF checked", lambda: check_pdf(plan_path))
            out(f"     {plan_path.name}: {size:,} bytes")

            def manifest() -> ManifestInfo:
                try:
                    return create_manifest(ManifestDirection.OUT)
                except ManifestError:  # no tape in COURIER: recall one instead
                    return create_manifest(ManifestDirection.IN)

            made = step("manifest recorded", manifest)
            manifest_path = folder / "manifest.pdf"
            step("manifest PDF", lambda: render_manifest_pdf(made, manifest_path))
            size = step("manifest PDF checked", lambda: check_pdf(manifest_path))
            out(f"     {manifest_path.name}: {size:,} bytes")
        finally:
            session.controller.stop_following()
            session.library.close()
            session.window.close()
            app.processEvents()
    finally:
        close_database()


def smoke_test(setup_logging: Callable[[], None] = lambda: None) -> int:
    """The whole smoke test in a temporary folder; the exit code. *setup_logging* runs once
    the user folders point into that folder."""
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="drm-gui-smoke-"))
    isolate(folder)
    setup_logging()

    def out(line: str) -> None:
        print(line, flush=True)

    out(f"{APP_NAME} smoke test in {folder}")
    try:
        run_smoke_test(folder, out)
    except SmokeTestError as exc:
        print(f"{APP_NAME}: smoke test FAILED at {exc}", file=sys.stderr, flush=True)
        return 1
    except Exception:  # an import or the clean-up: the traceback says where
        print(f"{APP_NAME}: smoke test FAILED:", file=sys.stderr, flush=True)
        traceback.print_exc()
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out(f"{APP_NAME} smoke test passed in {time.perf_counter() - started:.2f} s")
    return 0
