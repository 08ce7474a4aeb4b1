"""Guards the PySide6 pin: some releases lose a reference to True on every signal emit, or
to None on every call of a method returning void. Under Python 3.11 (Debian 12), where
True/False/None are not immortal, that kills the app ('deallocating None') after some
thousands of paints or signals."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen

CALLS = 500


class Emitter(QObject):
    happened = Signal(int)


def refcounts() -> tuple[int, int, int]:
    return sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)


def drift(action) -> tuple[int, ...]:
    before = refcounts()
    for _ in range(CALLS):
        action()
    after = refcounts()
    return tuple(a - b for a, b in zip(after, before, strict=True))


def test_emitting_a_signal_keeps_the_reference_counts(qapp):
    emitter = Emitter()
    emitter.happened.connect(lambda _n: None)
    changes = drift(lambda: emitter.happened.emit(1))
    assert all(abs(c) < CALLS // 10 for c in changes), changes


def test_void_painter_calls_keep_the_reference_counts(qapp):
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    pen = QPen(QColor("#123456"), 1)
    try:
        changes = drift(lambda: (painter.save(), painter.setPen(pen), painter.restore()))
    finally:
        painter.end()
    assert all(abs(c) < CALLS // 10 for c in changes), changes
