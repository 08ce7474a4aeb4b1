"""The PyInstaller bundle, built with packaging/drm_gui.spec into a temporary folder, runs
`--version` and `--smoke-test` offscreen: exit 0 and nothing unexpected on stderr.

Set DRM_GUI_FROZEN_DIST to a built bundle folder (e.g. dist/drm-gui after `make package`)
to test that one instead of building (about 20 s).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_smoke import unexpected_stderr

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "drm_gui.spec"
MAX_BUNDLE_MB = 140  # issue 8 aims at 130 (see bench/frozen.py); fail on a large regression

pytestmark = [pytest.mark.frozen, pytest.mark.slow]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("DRM_GUI_FROZEN_DIST")
    if given:
        return Path(given)
    if shutil.which("strip") is None and shutil.which("objdump") is None:
        pytest.skip("binutils are not installed: PyInstaller needs them")
    pytest.importorskip("PyInstaller")
    work = tmp_path_factory.mktemp("pyinstaller")
    env = {k: v for k, v in os.environ.items() if k != "DRM_GUI_ONEFILE"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(SPEC),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return work / "dist" / "drm-gui"


def run(bundle: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [str(bundle / "drm-gui"), *args], capture_output=True, text=True, timeout=120, env=env
    )


def bundle_mb(folder: Path) -> float:
    return (
        sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6
    )


def test_frozen_version(bundle: Path) -> None:
    result = run(bundle, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("drm-gui ")
    assert unexpected_stderr(result.stderr) == []


def test_frozen_smoke_test(bundle: Path) -> None:
    result = run(bundle, "--smoke-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert unexpected_stderr(result.stderr) == []
    assert "smoke test passed" in result.stdout
    assert "resources/fonts/dejavu" in result.stdout  # the bundled fonts, not the system's


def test_frozen_bundle_size(bundle: Path) -> None:
    assert bundle_mb(bundle) < MAX_BUNDLE_MB
