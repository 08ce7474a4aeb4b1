"""Run by test_real_input.py on Xvfb: the board on a database, with the screen positions of
its cards written to a file so that the test can drag them with the real X pointer, and
what the window says (notices, status, an open dialog's text) written after each step."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from drm_gui.core.db import open_database
from drm_gui.core.states import DrmState
from drm_gui.gui.application import GuiSession


def main(db_path: str, out_dir: str) -> int:
    app = QApplication(sys.argv[:1])
    out = Path(out_dir)
    session = GuiSession(
        open_database(f"sqlite:///{db_path}"),
        QSettings(str(out / "gui.ini"), QSettings.Format.IniFormat),
    )
    window = session.window
    window.setGeometry(0, 0, 1500, 900)
    window.show()

    def report() -> None:
        places = {}
        for state, column in window.board.columns.items():
            view = column.view
            viewport = view.viewport()
            first = view.visualRect(view.model().index(0, 0)).center()
            places[state.value] = {
                "first_card": _global(viewport, first),
                "middle": _global(viewport, viewport.rect().center()),
            }
        (out / "places.json").write_text(json.dumps(places))

    def watch() -> None:
        if (out / "quit").exists():
            app.quit()
        # Tell the test what the window says, after each move.
        modal = QApplication.activeModalWidget()
        popup = QApplication.activePopupWidget()
        (out / "status.txt").write_text(
            window.notice.label.text()
            + "\n"
            + window.statusBar().currentMessage()
            + (
                f"\nDIALOG {modal.windowTitle()}: {modal.text()}"
                if isinstance(modal, QMessageBox)
                else ""
            )
            + (f"\nPOPUP {popup.title() or 'menu'}" if isinstance(popup, QMenu) else "")
        )

    QTimer.singleShot(500, report)
    timer = QTimer()
    timer.timeout.connect(watch)
    timer.start(100)
    QTimer.singleShot(60_000, app.quit)  # never outlive a stuck test
    return app.exec()


def _global(widget, point) -> list[int]:
    p = widget.mapToGlobal(point)
    return [p.x(), p.y()]


if __name__ == "__main__":
    assert DrmState  # the states are the keys of places.json
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
