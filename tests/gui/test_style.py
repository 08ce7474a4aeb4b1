"""The board's colours and signs for colour-blind users: a sign of its own per state, drawn
from the fonts the app carries, and a palette whose colours stay apart under simulated
protanopia, deuteranopia and tritanopia."""

from __future__ import annotations

import itertools
import math

import pytest
from PySide6.QtGui import QColor, QRawFont

from drm_gui.core.states import DrmState
from drm_gui.gui import style
from drm_gui.paths import font_dir

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
CVD = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}  # fmt: skip
MIN_DELTA_E = 15.0  # CIE76; the Okabe–Ito colours used here stay above 17


def _linear(colour: QColor) -> tuple[float, float, float]:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return channel(colour.redF()), channel(colour.greenF()), channel(colour.blueF())


def _lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(1.0, max(0.0, c)) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(colour: QColor, matrix) -> tuple[float, float, float]:
    lin = _linear(colour)
    return _lab(tuple(sum(m * c for m, c in zip(row, lin, strict=True)) for row in matrix))


def test_each_state_has_a_sign_of_its_own() -> None:
    assert set(style.STATE_SIGNS) == set(DrmState)
    assert len(set(style.STATE_SIGNS.values())) == len(DrmState)
    assert style.WARNING_SIGN not in style.STATE_SIGNS.values()


def test_the_signs_are_in_the_carried_font(qapp) -> None:
    sans = QRawFont(str(font_dir() / "DejaVuSans.ttf"), 12)
    assert sans.isValid()
    signs = [*style.STATE_SIGNS.values(), *style.GROUP_SIGNS.values(), style.WARNING_SIGN]
    missing = [sign for sign in signs if not sans.supportsCharacter(ord(sign))]
    assert missing == []


@pytest.mark.parametrize("vision", sorted(CVD))
def test_the_state_colours_stay_apart_for_colour_blind_eyes(vision: str) -> None:
    colours = {state: style.state_colour(state).name() for state in DrmState}
    distinct = {name: QColor(name) for name in set(colours.values())}
    seen = {name: _seen(colour, CVD[vision]) for name, colour in distinct.items()}
    closest = min(math.dist(seen[a], seen[b]) for a, b in itertools.combinations(seen, 2))
    assert closest > MIN_DELTA_E, f"{vision}: two state colours {closest:.1f} apart"


def test_a_palette_of_look_alikes_is_caught() -> None:
    """The check above can fail: red and green collapse for a deuteranope."""
    red, green = QColor("#D62728"), QColor("#2CA02C")
    normal = ((1, 0, 0), (0, 1, 0), (0, 0, 1))
    assert math.dist(_seen(red, normal), _seen(green, normal)) > 50
    assert math.dist(_seen(red, CVD["deuteranopia"]), _seen(green, CVD["deuteranopia"])) < 15


def test_signs_stand_beside_the_colours_in_the_window(session, site_db) -> None:
    window = session.window
    for state, column in window.board.columns.items():
        assert style.STATE_SIGNS[state] in column.title.text()
    _info, ids = site_db
    menu = window.build_move_menu([ids["B00002L8"]])
    icons = [a for a in menu.actions() if a.data() is not None]
    assert len(icons) == 7 and all(not a.icon().isNull() for a in icons)
    window.board.focus_column(DrmState.VAULTRETRIEVE)
    assert "⚑" in window.detail.summary.text()
