"""The written layering rule, enforced: only drm_gui.gui may import PySide6.

Each module is imported in a fresh interpreter, because within this test session another
test may already have imported Qt.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "drm_gui"
QT_FREE_PACKAGES = ("core", "library", "reports", "server")
QT_FREE_MODULES = (
    "cli.py",
    "cli_common.py",
    "cli_library.py",
    "cli_plan.py",
    "cli_reports.py",
    "cli_server.py",
    "cli_roles.py",
    "cli_database.py",
    "workstation.py",
    "cli_manifest.py",
    "cli_audit.py",
    "cli_backup.py",
    "app.py",
    "paths.py",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def qt_free_modules() -> list[str]:
    files: list[Path] = []
    for package in QT_FREE_PACKAGES:
        files.extend(sorted((PACKAGE / package).rglob("*.py")))
    files.extend(PACKAGE / name for name in QT_FREE_MODULES)
    return [module_name(f) for f in files]


MODULES = qt_free_modules()

CHECK = """\
import importlib, sys
importlib.import_module({name!r})
qt = sorted(m for m in sys.modules if m.split(".")[0] == "PySide6")
if qt:
    raise SystemExit("imports PySide6: " + ", ".join(qt[:5]))
"""


def test_the_module_list_covers_the_core() -> None:
    for expected in (
        "drm_gui.core",
        "drm_gui.core.states",
        "drm_gui.core.db",
        "drm_gui.core.media",
        "drm_gui.core.retention",
        "drm_gui.library",
        "drm_gui.reports",
        "drm_gui.cli",
        "drm_gui.cli_library",
        "drm_gui.cli_plan",
        "drm_gui.cli_reports",
        "drm_gui.core.volser",
        "drm_gui.core.vault_list",
        "drm_gui.core.reconcile",
        "drm_gui.core.reports",
        "drm_gui.reports.operator_pdf",
        "drm_gui.cli_manifest",
        "drm_gui.cli_server",
        "drm_gui.core.imports",
        "drm_gui.core.manifest",
        "drm_gui.reports.manifest_pdf",
        "drm_gui.core.plan",
        "drm_gui.core.plan_files",
        "drm_gui.core.site",
        "drm_gui.core.library_ops",
        "drm_gui.library.simulated",
        "drm_gui.library.config",
        "drm_gui.app",
    ):
        assert expected in MODULES
    assert not any(m.startswith("drm_gui.gui") for m in MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_does_not_import_pyside6(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(name=name)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"{name}: {done.stderr.strip()}"


def test_the_check_sees_a_qt_import() -> None:
    """The probe itself works: a module that imports PySide6 is caught."""
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(name="PySide6.QtCore")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "imports PySide6" in done.stderr
