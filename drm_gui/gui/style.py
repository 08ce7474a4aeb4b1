"""Colours and signs of the board, readable by colour-blind users (Okabe–Ito palette).

A colour never stands alone: each state has a sign of its own (in its column's title, the
detail pane, the move menu and the library's slots), each state family its group title and
sign, each kind a short text badge."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from drm_gui.core.states import STATE_GROUPS, DrmState, StateGroup, VolumeKind

# Okabe–Ito
BLACK = QColor("#000000")
ORANGE = QColor("#E69F00")
SKY_BLUE = QColor("#56B4E9")
BLUISH_GREEN = QColor("#009E73")
YELLOW = QColor("#F0E442")
BLUE = QColor("#0072B2")
VERMILLION = QColor("#D55E00")
REDDISH_PURPLE = QColor("#CC79A7")
GREY = QColor("#8A8A8A")

GROUP_COLOURS: dict[StateGroup, QColor] = {
    StateGroup.ONSITE: BLUE,
    StateGroup.IN_TRANSIT: ORANGE,
    StateGroup.VAULT: BLUISH_GREEN,
    StateGroup.RETURNED: REDDISH_PURPLE,
}

GROUP_SIGNS: dict[StateGroup, str] = {
    StateGroup.ONSITE: "⌂",
    StateGroup.IN_TRANSIT: "⇄",
    StateGroup.VAULT: "▣",
    StateGroup.RETURNED: "↩",
}

STATE_GROUP: dict[DrmState, StateGroup] = {
    state: group for group, states in STATE_GROUPS.items() for state in states
}


# One shape per state, told apart without colour (all in DejaVu Sans).
STATE_SIGNS: dict[DrmState, str] = {
    DrmState.MOUNTABLE: "●",  # in the library, ready
    DrmState.NOTMOUNTABLE: "○",  # on site, out of the library
    DrmState.COURIER: "→",  # on its way out
    DrmState.VAULT: "▣",  # in the vault
    DrmState.VAULTRETRIEVE: "⚑",  # flagged to come back
    DrmState.COURIERRETRIEVE: "←",  # on its way back
    DrmState.ONSITERETRIEVE: "↩",  # back on site
}


def state_colour(state: DrmState) -> QColor:
    if state is DrmState.VAULTRETRIEVE:
        return VERMILLION  # due back: stands out within the vault family
    return GROUP_COLOURS[STATE_GROUP[state]]


def state_sign_html(state: DrmState) -> str:
    """The state's sign in its colour, for rich text."""
    return f"<span style='color:{state_colour(state).name()}'>{STATE_SIGNS[state]}</span>"


def state_icon(state: DrmState, size: int = 64) -> QIcon:
    """The state's sign in its colour, as an icon (menus): drawn large, so that it stays
    sharp when scaled down on any screen, high-DPI ones included."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    font = QFont()
    font.setPixelSize(size - 2)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(state_colour(state))
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, STATE_SIGNS[state])
    painter.end()
    return QIcon(pixmap)


# Kind badges: a short text on a colour, so the text carries the meaning.
KIND_BADGES: dict[VolumeKind, tuple[str, QColor, QColor]] = {
    VolumeKind.DB_BACKUP: ("DB", SKY_BLUE, BLACK),
    VolumeKind.DB_SNAPSHOT: ("SN", YELLOW, BLACK),
    VolumeKind.COPY_POOL: ("CP", QColor("#DDDDDD"), BLACK),
    VolumeKind.ACTIVE_DATA_POOL: ("AD", REDDISH_PURPLE, BLACK),
}

WARNING_SIGN = "⚠"
WARNING_COLOUR = VERMILLION
LEGAL_DROP_COLOUR = QColor(0, 158, 115, 40)  # bluish green, translucent
REFUSED_DROP_COLOUR = QColor(120, 120, 120, 70)
