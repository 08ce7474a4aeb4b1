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


def test_smoke_test_passes_unfrozen() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--smoke-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env=smoke_env(),
        cwd=ROOT,
    )
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
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--smoke-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data").exists()
