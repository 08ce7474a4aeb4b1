"""Keyboard reach: every menu item gets an access key (Alt+letter), and the keys that are
not menu shortcuts are listed for Help → Keyboard shortcuts."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QMenuBar

# Keys handled by the widgets themselves, listed after the actions' shortcuts.
NAVIGATION_KEYS: list[tuple[str, str]] = [
    ("Alt+1 … Alt+7", "Go to a board column, left to right"),
    ("↑ ↓ Home End PgUp PgDown", "Go through the tapes of a column"),
    ("Shift+↑ ↓, Ctrl+A", "Select several tapes, or the whole column"),
    ("Menu key, Shift+F10", "The move menu of the selected tapes"),
    ("Tab, Shift+Tab", "Next or previous part of the window"),
    ("Alt+letter", "Open a menu by its underlined letter"),
    ("Enter or Esc in the filter", "Back to the board, the filter kept"),
    ("Esc", "Close a dialog or menu"),
]


def mnemonic(text: str) -> str | None:
    """The access key of a menu text ('&Open' → 'o'), or None; '&&' is a plain '&'."""
    i = 0
    while (i := text.find("&", i)) != -1 and i + 1 < len(text):
        if text[i + 1] != "&":
            return text[i + 1].lower()
        i += 2
    return None


def _with_access_key(text: str, used: set[str]) -> str:
    """*text* with an '&' before a letter not in *used*: a word's first letter if it can,
    else any letter (unchanged when every letter is taken)."""
    words = [i for i, c in enumerate(text) if c.isalnum() and (i == 0 or not text[i - 1].isalnum())]
    others = [i for i, c in enumerate(text) if c.isalnum() and i not in words]
    for i in words + others:
        if text[i].lower() not in used:
            used.add(text[i].lower())
            return f"{text[:i]}&{text[i:]}"
    return text


def give_mnemonics(menu: QMenu | QMenuBar) -> None:
    """Gives every item of *menu* and of its submenus an access key of its own, keeping the
    ones already chosen."""
    actions = [a for a in menu.actions() if not a.isSeparator() and a.text()]
    used = {key for a in actions if (key := mnemonic(a.text())) is not None}
    for action in actions:
        if mnemonic(action.text()) is None:
            action.setText(_with_access_key(action.text(), used))
        if (submenu := action.menu()) is not None:
            give_mnemonics(submenu)
