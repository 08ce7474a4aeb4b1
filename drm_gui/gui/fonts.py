"""The window's fonts. On a machine where fontconfig finds no font (a bare system without
fonts-dejavu-core), Qt draws every letter as an empty box and says nothing; there, the
DejaVu fonts that drm-gui carries for its PDFs become the window's fonts."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QGuiApplication

from drm_gui.paths import font_dir

log = logging.getLogger(__name__)

# What fontconfig lists even with no font file at all.
ALIASES = frozenset({"Sans Serif", "Serif", "Monospace", "Sans", "Mono"})
FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf")
SANS = "DejaVu Sans"
MONO = "DejaVu Sans Mono"

_fixed_family: str | None = None  # set when the window uses the carried fonts


def real_families() -> list[str]:
    return [family for family in QFontDatabase.families() if family not in ALIASES]


def ensure_fonts(app: QGuiApplication) -> bool:
    """Makes the carried DejaVu fonts the window's fonts when the system has none; True
    when it did."""
    global _fixed_family
    if real_families():
        return False
    folder = font_dir()
    loaded = [QFontDatabase.addApplicationFont(str(folder / name)) for name in FILES]
    if all(font_id < 0 for font_id in loaded):
        log.error(
            "no font on this machine and none usable in %s: install fonts-dejavu-core", folder
        )
        return False
    log.warning("no font on this machine: the window uses the DejaVu fonts in %s", folder)
    app.setFont(QFont(SANS, app.font().pointSize()))
    _fixed_family = MONO
    return True


def fixed_font() -> QFont:
    """The system's fixed-width font (the carried DejaVu Sans Mono where it has none)."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if _fixed_family is not None:
        font.setFamily(_fixed_family)
    return font


def font_problem(font: QFont) -> str | None:
    """Why *font* cannot draw text (no real font behind it), or None when it can."""
    family = QFontInfo(font).family()
    if family in real_families():
        return None
    return f"the window font resolves to {family!r}, not a font installed on this machine"
