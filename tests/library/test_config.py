"""The workstation's library settings: defaults, the JSON file, validation, opening."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from drm_gui.library.base import TapeLibrary
from drm_gui.library.config import (
    Backend,
    ConfigError,
    LibraryConfig,
    SimulatedGeometry,
    config_from_dict,
    config_path,
    config_to_dict,
    config_with,
    load_config,
    open_library,
    save_config,
)
from drm_gui.library.mtx import MtxLibrary
from drm_gui.library.simulated import SimulatedLibrary


def test_defaults_when_there_is_no_file() -> None:
    assert not config_path().exists()
    config = load_config()
    assert config == LibraryConfig()
    assert config.backend is Backend.SIMULATED
    assert config.simulated == SimulatedGeometry(2, 60, 6, 0.4)
    assert config.label_command[0] == "dd" and "if={device}" in config.label_command


def test_the_file_lives_in_the_config_folder() -> None:
    assert config_path() == Path(os.environ["DRM_GUI_CONFIG_DIR"]) / "library.json"


def test_save_and_load_round_trip() -> None:
    config = config_with(
        LibraryConfig(),
        backend="mtx",
        changer_device="/dev/tape/by-id/scsi-3500110a0012345",
        drive_devices=["/dev/nst0", "/dev/nst1"],
        io_slots=[41, 40],
        move_timeout=300,
        simulated={"io_slots": 3},
    )
    path = save_config(config)
    assert path == config_path()
    loaded = load_config()
    assert loaded == config
    assert loaded.io_slots == (40, 41)  # kept in slot order
    assert loaded.simulated.io_slots == 3 and loaded.simulated.slots == 60
    data = json.loads(path.read_text())
    assert data["version"] == 1 and data["backend"] == "mtx"
    assert not list(path.parent.glob(".library-*"))  # no temporary file left behind


def test_save_replaces_the_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "library.json"
    save_config(LibraryConfig(), target)
    before = target.stat().st_ino
    save_config(config_with(LibraryConfig(), nobarcode=True), target)
    assert target.stat().st_ino != before  # a new file renamed over the old one
    assert load_config(target).nobarcode


def test_a_partial_file_takes_defaults_for_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    path.write_text('{"simulated": {"drives": 4}}')
    config = load_config(path)
    assert config.simulated.drives == 4 and config.simulated.slots == 60
    assert config.backend is Backend.SIMULATED


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"backend": "scsi"}, "backend", "'scsi' is not a backend: use one of simulated, mtx"),
        ({"backend": 3}, "backend", "must be one of"),
        ({"backend": "mtx"}, "changer_device", "needs the changer device"),
        ({"backend": "mtx", "changer_device": "sg3"}, "changer_device", "not a device path"),
        ({"changer_device": "/dev/sg3\n"}, "changer_device", "control characters"),
        ({"mtx_path": ""}, "mtx_path", "may not be empty"),
        ({"drive_devices": "/dev/nst0"}, "drive_devices", "must be a list of texts"),
        ({"drive_devices": ["/dev/nst0", "/dev/nst0"]}, "drive_devices", "names a device twice"),
        ({"drive_devices": ["/dev/nst0", " "]}, "drive_devices", "empty entry"),
        ({"io_slots": [0]}, "io_slots", "0 is not a slot number"),
        ({"io_slots": ["9"]}, "io_slots", "the text '9' is not a slot number"),
        ({"io_slots": [9, 9]}, "io_slots", "names a slot twice"),
        ({"io_slots": 9}, "io_slots", "must be a list of slot numbers"),
        ({"status_timeout": 0}, "status_timeout", "0 is out of range"),
        ({"move_timeout": "600"}, "move_timeout", "must be a number of seconds"),
        ({"inventory_timeout": True}, "inventory_timeout", "must be a number"),
        ({"ready_timeout": 1e9}, "ready_timeout", "at most 86400"),
        ({"ready_poll": 0}, "ready_poll", "out of range"),
        ({"label_command": ["dd", "if=/dev/nst0"]}, "label_command", "must contain {device}"),
        ({"label_command": []}, "label_command", "may not be empty"),
        ({"nobarcode": "yes"}, "nobarcode", "must be true or false"),
        ({"simulated": []}, "simulated", "must be an object"),
        ({"simulated": {"drives": 0}}, "simulated.drives", "0 is out of range: use 1 to 64"),
        ({"simulated": {"io_slots": 1.5}}, "simulated.io_slots", "must be a whole number"),
        ({"simulated": {"move_delay": -1}}, "simulated.move_delay", "out of range"),
        ({"simulated": {"colour": "red"}}, "simulated.colour", "unknown field"),
        ({"speed": 3}, "speed", "unknown field"),
        ({"version": 2}, "version", "not a version this drm-gui reads"),
    ],
)
def test_every_field_is_checked(data: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_dict(data)
    assert caught.value.fields == (field,)
    assert f"{field}: " in str(caught.value) and words in str(caught.value)


def test_all_problems_are_told_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_dict({"backend": "tape", "io_slots": [0], "ready_poll": -1})
    assert caught.value.fields == ("backend", "io_slots", "ready_poll")


def test_a_bad_file_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    path.write_text('{"backend": "mtx",\n "changer_device": 7}')
    with pytest.raises(ConfigError, match=r"library.json: changer_device: must be text, not 7"):
        load_config(path)
    path.write_text('{"backend": "mtx",,}')
    with pytest.raises(ConfigError, match=r"is not valid JSON \(line 1, column 19"):
        load_config(path)
    path.write_text("[1, 2]")
    with pytest.raises(ConfigError, match="must be a JSON object, not a list"):
        load_config(path)


def test_an_unusable_value_is_never_saved(tmp_path: Path) -> None:
    bad = LibraryConfig(backend=Backend.MTX)  # no changer device
    with pytest.raises(ConfigError, match="changer_device"):
        save_config(bad, tmp_path / "library.json")
    assert not (tmp_path / "library.json").exists()
    with pytest.raises(ConfigError):
        config_with(LibraryConfig(), io_slots=[-1])


def test_round_trip_through_dicts() -> None:
    config = LibraryConfig()
    assert config_from_dict(config_to_dict(config)) == config


def test_open_the_simulated_library() -> None:
    config = config_with(LibraryConfig(), simulated={"drives": 1, "slots": 10, "io_slots": 2})
    lib = open_library(config, tapes={"A00001L8": 4, "A00002L8": None}, in_io_station=["R1"])
    assert isinstance(lib, SimulatedLibrary) and isinstance(lib, TapeLibrary)
    inv = lib.inventory()
    assert (inv.max_drives, len(inv.storage_slots), len(inv.io_slots)) == (1, 10, 2)
    assert inv.slot(4).volume_tag == "A00001L8" and inv.slot(1).volume_tag == "A00002L8"
    assert inv.slot(11).volume_tag == "R1"


def test_open_the_mtx_library() -> None:
    config = config_with(
        LibraryConfig(),
        backend="mtx",
        changer_device="/dev/sg3",
        mtx_path="/usr/sbin/mtx",
        io_slots=[9],
        drive_devices=["/dev/nst0", "/dev/nst1"],
        move_timeout=30,
        nobarcode=True,
    )
    lib = open_library(config)
    assert isinstance(lib, MtxLibrary)
    assert (lib.device, lib.mtx_path, lib.io_slots, lib.move_timeout) == (
        "/dev/sg3",
        "/usr/sbin/mtx",
        (9,),
        30.0,
    )
    assert lib.command_line("status") == ["/usr/sbin/mtx", "-f", "/dev/sg3", "nobarcode", "status"]
    assert lib.tape_drives.devices == ("/dev/nst0", "/dev/nst1")
