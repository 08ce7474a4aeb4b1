"""Checks on menus: every item reachable by its access key."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QMenuBar

from drm_gui.gui.keyboard import mnemonic


def assert_access_keys(menu: QMenu | QMenuBar, path: str = "") -> int:
    """Every item of *menu* and its submenus has an access key, none twice in one menu;
    the number of items checked."""
    actions = [a for a in menu.actions() if not a.isSeparator() and a.isVisible()]
    keys: dict[str, str] = {}
    checked = 0
    for action in actions:
        text = action.text()
        if not action.isEnabled() and action.data() is None and text.endswith(":"):
            continue  # a title line ("Move 3 tape(s) to:")
        key = mnemonic(text)
        assert key is not None, f"{path}{text!r} has no access key"
        assert key not in keys, f"{path}{text!r} and {keys[key]!r} share Alt+{key.upper()}"
        keys[key] = text
        checked += 1
        if (submenu := action.menu()) is not None:
            checked += assert_access_keys(submenu, f"{path}{text} › ")
    return checked
