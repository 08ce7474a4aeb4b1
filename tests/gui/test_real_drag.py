"""A real drag with the mouse, on a real X server: Xvfb, the app in its own process, the X
pointer moved by xdotool. Offscreen Qt cannot run QDrag.exec; this proves the whole path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drm_gui.core.db import close_database, open_database
from drm_gui.core.models import Volume
from tests.gui.conftest import build_site
from tests.helpers.xvfb import x_env, xvfb_display  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.xvfb


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=x_env(display), check=True, timeout=10)


def drag(display: str, start: list[int], end: list[int]) -> None:
    xdotool(display, "mousemove", str(start[0]), str(start[1]))
    time.sleep(0.2)
    xdotool(display, "mousedown", "1")
    # Move in steps, as a hand does: Qt starts a drag after a few pixels.
    steps = 12
    for i in range(1, steps + 1):
        x = start[0] + (end[0] - start[0]) * i // steps
        y = start[1] + (end[1] - start[1]) * i // steps
        xdotool(display, "mousemove", str(x), str(y))
        time.sleep(0.05)
    time.sleep(0.3)
    xdotool(display, "mouseup", "1")


def state_of(db: Path, volser: str) -> str:
    open_database(f"sqlite:///{db}")
    try:
        return Volume.get(Volume.volser == volser).state.value
    finally:
        close_database()


def wait_for(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_dragging_cards_with_the_mouse_moves_tapes(tmp_path, xvfb_display):  # noqa: F811
    if shutil.which("xdotool") is None:
        pytest.fail("xdotool is not installed: run `make test`, which installs it")
    db = tmp_path / "drag.db"
    open_database(f"sqlite:///{db}")
    build_site()
    close_database()
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "gui" / "drag_app.py"), str(db), str(out)],
        cwd=ROOT,
        env={**x_env(xvfb_display), "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
    )
    try:
        assert wait_for((out / "places.json").exists, 30), "the app did not start"
        places = json.loads((out / "places.json").read_text())

        # A legal drag: the first MOUNTABLE card (A00001L8) onto the COURIER column.
        drag(xvfb_display, places["MOUNTABLE"]["first_card"], places["COURIER"]["middle"])
        assert wait_for(lambda: state_of(db, "A00001L8") == "COURIER"), (
            out / "status.txt"
        ).read_text()
        assert wait_for(lambda: "Moved A00001L8 to COURIER" in (out / "status.txt").read_text())

        # A refused drag: the first VAULT card onto COURIER: nothing moves, and it says why.
        drag(xvfb_display, places["VAULT"]["first_card"], places["COURIER"]["middle"])
        assert wait_for(lambda: "VAULT → COURIER" in (out / "status.txt").read_text()), (
            out / "status.txt"
        ).read_text()
        assert state_of(db, "B00003L8") == "VAULT"
    finally:
        (out / "quit").write_text("")
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 0, stderr
