"""`main.py library ...` as an operator runs it, on the fake mtx (subprocesses all the way).

The library backend is set with `library config` into the DRM_GUI_CONFIG_DIR of the run.
"""

from __future__ import annotations

import json
import os
import pty
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from drm_gui.core.db import close_database, open_database
from drm_gui.core.media import set_setting
from drm_gui.core.models import Volume
from drm_gui.core.states import DrmState
from tests.core.conftest import sqlite_url
from tests.fake_mtx import (
    DD,
    MT,
    MTX,
    fake_env,
    insert_io,
    io_tags,
    make_state,
    set_faults,
    take_io_station,
)
from tests.helpers.factories import make_pool, make_volume

ROOT = Path(__file__).resolve().parent.parent
S = DrmState
SEVEN = [f"T{n:05d}L8" for n in range(1, 8)]


class Site:
    def __init__(self, tmp_path: Path) -> None:
        self.db = sqlite_url(tmp_path / "cli.db")
        self.state = tmp_path / "library.json"
        self.config = tmp_path / "config"
        self.data = tmp_path / "data"

    def env(self) -> dict[str, str]:
        env = fake_env(self.state)
        env["DRM_GUI_CONFIG_DIR"] = str(self.config)
        env["DRM_GUI_DATA_DIR"] = str(self.data)
        env["PYTHONIOENCODING"] = "utf-8"
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "main.py", "--db", self.db, "library", *args]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.command(*args),
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def use_fake_mtx(self) -> None:
        done = self.run(
            "config",
            "--backend",
            "mtx",
            "--device",
            "/dev/sg3",
            "--mtx-path",
            str(MTX),
            "--mt-path",
            str(MT),
            "--drive-devices",
            "/dev/nst0,/dev/nst1",
            "--label-command",
            f"{DD} if={{device}} bs=262144 count=1",
        )
        assert done.returncode == 0, done.stderr

    @contextmanager
    def opened(self) -> Iterator[None]:
        open_database(self.db)
        try:
            yield
        finally:
            close_database()

    def states(self) -> dict[str, DrmState]:
        with self.opened():
            return {v.volser: v.state for v in Volume.select()}


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """Seven MOUNTABLE tapes in slots 1-7 of the fake library (3 I/O slots), one returned
    tape with no data left, one still holding data; check-label off."""
    site = Site(tmp_path)
    with site.opened():
        pool = make_pool("COPYPOOL1")
        for volser in SEVEN:
            make_volume(volser, S.MOUNTABLE, pool=pool)
        make_volume("O0001L8", S.ONSITERETRIEVE, pool=pool, pct_used=0.0, location="ONSITE")
        make_volume("X0001L8", S.ONSITERETRIEVE, pool=pool, pct_used=40.0, location="ONSITE")
        make_volume("V0001L8", S.VAULT, pool=pool, location="VAULT")
    make_state(site.state, drives=2, slots=12, io_slots=3, tags=dict(enumerate(SEVEN, 1)))
    site.use_fake_mtx()
    assert site.run("config").returncode == 0
    with site.opened():
        set_setting("check_label", "NO")
    return site


def test_config_shows_and_saves(site: Site) -> None:
    done = site.run("config")
    assert done.returncode == 0
    assert f"# {site.config / 'library.json'}" in done.stdout
    assert "backend                        mtx" in done.stdout
    assert "io_slots                       (none)" in done.stdout
    saved = json.loads((site.config / "library.json").read_text())
    assert saved["changer_device"] == "/dev/sg3" and saved["mtx_path"] == str(MTX)
    done = site.run("config", "--io-slots", "12,13", "--move-timeout", "30")
    assert done.returncode == 0 and "io_slots                       12,13" in done.stdout


def test_config_refuses_bad_values(site: Site) -> None:
    done = site.run("config", "--io-slots", "0")
    assert done.returncode == 2
    assert "io_slots: 0 is not a slot number" in done.stderr
    done = site.run("config", "--backend", "mtx", "--device", "")
    assert done.returncode == 2 and "changer_device" in done.stderr
    done = site.run("config", "--sim-drives", "0")
    assert done.returncode == 2 and "simulated.drives: 0 is out of range" in done.stderr
    (site.config / "library.json").write_text("{nonsense")
    done = site.run("status")
    assert done.returncode == 2 and "is not valid JSON" in done.stderr


def test_status(site: Site) -> None:
    insert_io(site.state, ["ZZZ999L8"])
    done = site.run("status")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ELEMENT", "TAG", "STATE", "NOTE"]
    assert "Slot 1       T00001L8  MOUNTABLE" in done.stdout
    assert "I/O slot 13  ZZZ999L8             not in the database" in done.stdout
    assert lines[-1] == "/dev/sg3: 2 drive(s), 12 slot(s) (7 full), 3 I/O slot(s) (1 full)"
    as_json = json.loads(site.run("status", "--format", "json").stdout)
    assert as_json["elements"][2] == {
        "element": "Slot 1",
        "kind": "storage",
        "number": 1,
        "full": True,
        "tag": "T00001L8",
        "state": "MOUNTABLE",
        "note": "",
    }


def test_eject_without_a_terminal_stops_after_the_first_full_round(site: Site) -> None:
    done = site.run("eject", "T*", "V0001L8", "--to", "vault", "--to-location", "IRON MTN")
    assert done.returncode == 1
    assert "Ejecting 7 tape(s) to the I/O station (3 free I/O slot(s))…" in done.stdout
    assert "The I/O station is full (3 tape(s)). Empty it and run the command again" in done.stdout
    assert "moved: T00001L8: MOUNTABLE → VAULT (IRON MTN)" in done.stdout
    assert "not moved: V0001L8: VAULT → VAULT: the tape is already VAULT" in done.stdout
    assert "not moved: T00004L8: still in the library: stopped before its round" in done.stdout
    assert done.stdout.splitlines()[-1] == "3 moved, 5 not moved"
    assert io_tags(site.state) == SEVEN[:3]
    states = site.states()
    assert [v for v in SEVEN if states[v] is S.VAULT] == SEVEN[:3]
    take_io_station(site.state)
    again = site.run("eject", "T*", "--to", "VAULT")
    assert "3 moved" in again.stdout and io_tags(site.state) == SEVEN[3:6]


def test_eject_at_a_terminal_asks_the_operator_between_rounds(site: Site) -> None:
    master, slave = pty.openpty()
    process = subprocess.Popen(
        site.command("eject", "T*", "--to", "COURIER"),
        cwd=ROOT,
        env=site.env(),
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(slave)
    chunks: queue.Queue[bytes] = queue.Queue()

    def reader() -> None:
        assert process.stdout is not None
        while data := os.read(process.stdout.fileno(), 4096):
            chunks.put(data)

    threading.Thread(target=reader, daemon=True).start()
    seen = b""
    prompts = 0
    deadline = time.monotonic() + 60
    try:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                seen += chunks.get(timeout=0.2)
            except queue.Empty:
                continue
            if seen.count(b"then press Enter") > prompts:
                prompts += 1
                take_io_station(site.state)  # the operator empties the I/O station
                os.write(master, b"\n")
        process.wait(timeout=30)
        while not chunks.empty():
            seen += chunks.get()
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    text = seen.decode()
    assert process.returncode == 0, text
    assert prompts == 2
    assert "Empty the I/O station (3 tape(s)), then press Enter" in text
    assert text.splitlines()[-1] == "7 moved, 0 not moved"
    assert set(site.states()[v] for v in SEVEN) == {S.COURIER}


def test_eject_with_remove_no_needs_no_library(site: Site) -> None:
    set_faults(site.state, offline=True)
    done = site.run("eject", "T00001L8", "--to", "NOTMOUNTABLE", "--remove", "no")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "moved: T00001L8: MOUNTABLE → NOTMOUNTABLE" in done.stdout


def test_an_offline_library_changes_nothing(site: Site) -> None:
    set_faults(site.state, offline=True)
    done = site.run("eject", "T*", "--to", "VAULT")
    assert done.returncode == 1
    assert done.stderr.startswith("library eject: The tape library is offline.")
    assert set(site.states()[v] for v in SEVEN) == {S.MOUNTABLE}
    status = site.run("status")
    assert status.returncode == 1 and "offline" in status.stderr


def test_import(site: Site) -> None:
    insert_io(site.state, ["O0001L8", "X0001L8", "ZZZ999L8"])
    dry = site.run("import", "--dry-run")
    assert dry.returncode == 0
    assert "I/O slot 13: O0001L8: check in as scratch:" in dry.stdout
    assert io_tags(site.state) == ["O0001L8", "X0001L8", "ZZZ999L8"]
    done = site.run("import")
    assert done.returncode == 1  # two tapes stay out
    assert "checked in: O0001L8: ONSITERETRIEVE → MOUNTABLE" in done.stdout
    assert (
        "not checked in: X0001L8: it still holds valid data (40% of it is in use): never "
        "checked in as scratch"
    ) in done.stdout
    assert "not checked in: ZZZ999L8: the database does not know this barcode" in done.stdout
    assert io_tags(site.state) == ["X0001L8", "ZZZ999L8"]
    with site.opened():
        volume = Volume.get(Volume.volser == "O0001L8")
        assert (volume.state, volume.flag, volume.library_slot) == (S.MOUNTABLE, "scratch", 8)
    take_io_station(site.state)
    assert site.run("import").stdout == "The I/O station is empty: nothing to check in.\n"


def test_discrepancies(site: Site) -> None:
    state = json.loads(site.state.read_text())
    state["slots"][0]["tape"] = None  # T00001L8 is gone
    state["slots"][8]["tape"] = {"tag": "V0001L8", "alt": None}  # a vaulted tape in slot 9
    site.state.write_text(json.dumps(state))
    done = site.run("discrepancies")
    assert done.returncode == 0
    assert "off site in the records, in the library: V0001L8:" in done.stdout
    assert "MOUNTABLE, not in the library: T00001L8:" in done.stdout
    assert done.stdout.splitlines()[-1] == "2 discrepancy(ies)"
    done = site.run(
        "discrepancies", "--resolve", "v0001l8", "mark-mountable", "--resolve", "T00001L8", "vault"
    )
    assert done.returncode == 2 and "unknown resolution 'vault'" in done.stderr
    assert site.states()["V0001L8"] is S.VAULT  # a usage error settles nothing
    done = site.run("discrepancies", "--resolve", "T00001L8", "mark-mountable")
    assert done.returncode == 1
    assert "not resolved: T00001L8: mark-mountable does not settle" in done.stdout
    done = site.run("discrepancies", "--resolve", "v0001l8", "mark-mountable")
    assert done.returncode == 0, done.stdout
    assert "resolved: V0001L8: Record it as MOUNTABLE" in done.stdout
    assert done.stdout.splitlines()[-1] == "1 discrepancy(ies)"
    assert site.states()["V0001L8"] is S.MOUNTABLE


def test_the_simulated_library_by_default(tmp_path: Path) -> None:
    site = Site(tmp_path)
    with site.opened():
        make_volume("A00001L8", S.MOUNTABLE)
    assert site.run("config", "--sim-delay", "0").returncode == 0
    done = site.run("status")
    assert done.returncode == 0, done.stderr
    assert "Slot 1       A00001L8  MOUNTABLE" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("simulated: 2 drive(s), 60 slot(s) (1 full)")
    done = site.run("eject", "A00001L8", "--to", "VAULT")
    assert done.returncode == 0 and "moved: A00001L8: MOUNTABLE → VAULT" in done.stdout


def test_library_needs_an_action(site: Site) -> None:
    done = site.run()
    assert done.returncode == 2 and "ACTION" in done.stderr
