"""Real input on a real X server: Xvfb, the app in its own process, the X pointer and keyboard
driven by xdotool. Offscreen Qt can neither run QDrag.exec nor grab the keyboard for a
popup menu; these prove the whole path, for the mouse and for the keyboard alone."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def app_on_x(tmp_path: Path, display: str) -> Iterator[tuple[Path, Path]]:
    """The app on the test site, in its own process on *display*: (database, out folder)."""
    if shutil.which("xdotool") is None:
        pytest.fail("xdotool is not installed: run `make test`, which installs it")
    db = tmp_path / "input.db"
    open_database(f"sqlite:///{db}")
    build_site()
    close_database()
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "gui" / "input_app.py"), str(db), str(out)],
        cwd=ROOT,
        env={**x_env(display), "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
    )
    try:
        assert wait_for((out / "places.json").exists, 30), "the app did not start"
        yield db, out
    finally:
        (out / "quit").write_text("")
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 0, stderr


def status(out: Path) -> str:
    return (out / "status.txt").read_text()


def test_dragging_cards_with_the_mouse_moves_tapes(tmp_path, xvfb_display):  # noqa: F811
    with app_on_x(tmp_path, xvfb_display) as (db, out):
        places = json.loads((out / "places.json").read_text())

        # A legal drag: the first MOUNTABLE card (A00001L8) onto the COURIER column.
        drag(xvfb_display, places["MOUNTABLE"]["first_card"], places["COURIER"]["middle"])
        assert wait_for(lambda: state_of(db, "A00001L8") == "COURIER"), status(out)
        assert wait_for(lambda: "Moved A00001L8 to COURIER" in status(out))

        # A refused drag: the first VAULT card onto COURIER: nothing moves, and it says why.
        drag(xvfb_display, places["VAULT"]["first_card"], places["COURIER"]["middle"])
        assert wait_for(lambda: "VAULT → COURIER" in status(out)), status(out)
        assert state_of(db, "B00003L8") == "VAULT"


def keys(display: str, *names: str) -> None:
    for name in names:
        xdotool(display, "key", name)
        time.sleep(0.3)


def test_the_keyboard_alone_moves_a_tape_and_opens_the_shortcuts(tmp_path, xvfb_display):  # noqa: F811
    with app_on_x(tmp_path, xvfb_display) as (db, out):
        xdotool(xvfb_display, "search", "--onlyvisible", "--name", "drm-gui", "windowfocus")
        time.sleep(0.3)
        # Alt+3: the COURIER column, its first tape; the Menu key: the move menu at that
        # card; 5: the VAULT column's entry.
        keys(xvfb_display, "alt+3", "Menu")
        assert wait_for(lambda: "POPUP" in status(out)), status(out)
        keys(xvfb_display, "5")
        assert wait_for(lambda: state_of(db, "B00002L8") == "VAULT"), status(out)

        # Ctrl+Z puts it back; Alt+W, G, 6 go to VAULTRETRIEVE through the View menu, and
        # Ctrl+M, 7 move its tape on to ONSITERETRIEVE.
        keys(xvfb_display, "ctrl+z")
        assert wait_for(lambda: state_of(db, "B00002L8") == "COURIER"), status(out)
        keys(xvfb_display, "alt+w", "g", "6", "ctrl+m")
        assert wait_for(lambda: "POPUP" in status(out)), status(out)
        keys(xvfb_display, "7")
        assert wait_for(lambda: state_of(db, "C00001L7") == "ONSITERETRIEVE"), status(out)

        # Alt+H, K: Help → Keyboard shortcuts, which lists the moving-around keys; Esc.
        keys(xvfb_display, "alt+h", "k")
        assert wait_for(lambda: "DIALOG Keyboard shortcuts" in status(out)), status(out)
        for line in ("Ctrl+M", "Alt+3", "Moving around", "Shift+F10"):
            assert line in status(out)
        keys(xvfb_display, "Escape")
        assert wait_for(lambda: "DIALOG" not in status(out)), status(out)
