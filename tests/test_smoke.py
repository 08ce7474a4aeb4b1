"""`drm-gui --smoke-test` from the source tree: window, plan PDF and manifest PDF, exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lines Qt writes to stderr that are not faults (the offscreen plugin, every top-level window).
HARMLESS_STDERR = ("This plugin does not support propagateSizeHints()",)


def unexpected_stderr(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and not any(h in line for h in HARMLESS_STDERR)
    ]


def smoke_env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    # Where the user folders would be if the smoke test did not isolate itself.
    env.pop("DRM_GUI_DATABASE", None)
    return env


def smoke_test_run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--smoke-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def test_smoke_test_passes_unfrozen() -> None:
    result = smoke_test_run(smoke_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert unexpected_stderr(result.stderr) == []
    out = result.stdout
    for step in (
        "PDF fonts",
        "demo site",
        "main window shown",
        "recovery plan PDF checked",
        "manifest PDF checked",
        "smoke test passed",
    ):
        assert step in out, out
    assert "after the process started" in out


def test_smoke_test_leaves_no_user_data(tmp_path: Path) -> None:
    env = smoke_env() | {"DRM_GUI_DATA_DIR": str(tmp_path / "data")}
    result = smoke_test_run(env)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data").exists()


NO_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


def no_fonts_env(tmp_path: Path) -> dict[str, str]:
    """fontconfig with no font folder: what a bare system without fonts looks like to Qt."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(NO_FONTS_CONF.format(cache=tmp_path / "fc-cache"))
    return dict(smoke_env(), FONTCONFIG_FILE=str(conf))


def test_on_a_machine_without_fonts_the_window_uses_the_carried_ones(tmp_path: Path) -> None:
    env = no_fonts_env(tmp_path)
    result = smoke_test_run(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no font on this machine: the window uses the DejaVu fonts" in result.stderr
    probe = (
        "from PySide6.QtWidgets import QApplication, QWidget\n"
        "from drm_gui.gui.application import prepare_app\n"
        "from drm_gui.gui.fonts import fixed_font, font_problem\n"
        "from PySide6.QtGui import QFontInfo\n"
        "app = prepare_app()\n"
        "print(font_problem(QWidget().font()), QFontInfo(fixed_font()).family(), sep='|')\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert shown.stdout.strip() == "None|DejaVu Sans Mono", shown.stderr


def test_the_smoke_test_fails_when_the_window_cannot_draw_letters(tmp_path: Path) -> None:
    """Without the carried fonts (no font folder at all), the smoke test says so."""
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from drm_gui.gui import fonts\n"
        "fonts.font_dir = lambda: Path('/nonexistent')\n"
        "from drm_gui.app import main\n"
        "sys.exit(main(['--smoke-test']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=no_fonts_env(tmp_path),
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "main window: the window font resolves to" in result.stderr
    assert "install fonts-dejavu-core" in result.stderr
