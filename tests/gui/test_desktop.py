"""Desktop integration: the application icon in every size, the .desktop file, and
Help → Show log."""

from __future__ import annotations

import configparser
from pathlib import Path

from drm_gui.gui.application import ICON_SIZES, app_icon
from drm_gui.gui.log_view import LogDialog, log_path, tail
from drm_gui.paths import resource_path

ROOT = Path(__file__).resolve().parents[2]


def test_the_icon_has_every_size(qapp) -> None:
    assert resource_path("icons", "drm-gui.svg").read_text().startswith("<?xml")
    icon = app_icon()
    assert not icon.isNull()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(ICON_SIZES)


def test_the_desktop_file_names_the_program_and_its_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(ROOT / "packaging" / "drm-gui.desktop")
    desktop = entry["Desktop Entry"]
    assert (desktop["Type"], desktop["Exec"], desktop["Icon"]) == (
        "Application",
        "drm-gui",
        "drm-gui",
    )
    assert desktop["Categories"].endswith(";")


def test_show_log_gives_the_end_of_the_log(qtbot, tmp_path: Path) -> None:
    assert "No log yet" in tail(log_path())
    log_path().write_text("".join(f"line {n}\n" for n in range(3000)))
    dialog = LogDialog()
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    assert text.startswith("line 1000\n") and text.endswith("line 2999\n")
