"""The PyInstaller bundle: its size, and the frozen program's time from the process start
until the main window is shown (`--smoke-test` prints it, from /proc).

Builds packaging/drm_gui.spec into this run's scratch folder (about 20 s).
`python -m bench.frozen` runs this area alone and prints its figures.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

from bench.common import ROOT, Figure, Results, workdir

AREA = "frozen"
RUNS = 5
SHOWN = re.compile(r"main window shown ([0-9.]+) s after the process started")


def folder_mb(folder: Path) -> float:
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 1e6


def build(out: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if k != "DRM_GUI_ONEFILE"}
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
         "--distpath", str(out / "dist"), "--workpath", str(out / "build"),
         str(ROOT / "packaging" / "drm_gui.spec")],
        check=True, env=env, cwd=ROOT,
    )  # fmt: skip
    return out / "dist" / "drm-gui"


def window_shown(command: list[str]) -> float:
    """Median over RUNS fresh processes of the seconds until the main window was shown."""
    times = []
    for _ in range(RUNS):
        result = subprocess.run(
            [*command, "--smoke-test"], capture_output=True, text=True, timeout=120,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), cwd=ROOT,
        )  # fmt: skip
        found = SHOWN.search(result.stdout)
        if result.returncode != 0 or found is None:
            raise RuntimeError(f"--smoke-test failed:\n{result.stdout}{result.stderr}")
        times.append(float(found.group(1)))
    return statistics.median(times)


def run(results: Results) -> None:
    bundle = build(workdir() / "pyinstaller")
    import PySide6
    import shiboken6

    qt_mb = folder_mb(Path(PySide6.__file__).parent) + folder_mb(Path(shiboken6.__file__).parent)
    results.add(
        Figure(
            "frozen_bundle_mb",
            folder_mb(bundle),
            "MB",
            qt_mb,
            "< 130 MB",
            "dist/drm-gui (one folder) against the installed PySide6 + shiboken6 wheels",
        )
    )
    results.add(
        Figure(
            "frozen_window_shown",
            window_shown([str(bundle / "drm-gui")]),
            "s",
            window_shown([sys.executable, str(ROOT / "main.py")]),
            "< 1 s",
            f"process start → main window shown (--smoke-test), median of {RUNS}; "
            "baseline: the same from the source tree",
        )
    )


if __name__ == "__main__":
    import bench  # noqa: F401  (headless, isolated)

    res = Results()
    run(res)
    print(res.table())
