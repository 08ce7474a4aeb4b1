"""The library in the window, as an operator uses it: a drop out of MOUNTABLE ejects the
tapes in rounds through the device thread, with a prompt between rounds; cancel; an
offline library; import of returned tapes; discrepancies."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, QModelIndex, QSettings, Qt, QTimer
from PySide6.QtWidgets import QMenu, QMessageBox

from drm_gui.core.db import close_database, open_database
from drm_gui.core.models import Movement, PoolType, Volume, utcnow
from drm_gui.core.states import DrmState
from drm_gui.gui.application import GuiSession
from drm_gui.library.config import LibraryConfig, SimulatedGeometry
from drm_gui.library.simulated import SimulatedLibrary
from tests.helpers.factories import make_pool, make_volume
from tests.helpers.menus import assert_access_keys

MOUNTABLE = [f"A{n:05d}L8" for n in range(1, 8)]  # seven tapes in the library
RETURNED = "R00001L8"


@pytest.fixture
def session(qtbot, tmp_path: Path) -> Iterator[GuiSession]:
    info = open_database(f"sqlite:///{tmp_path / 'lib.db'}")
    pool = make_pool("COPYPOOL1", PoolType.COPY)
    for slot, volser in enumerate(MOUNTABLE, start=1):
        volume = make_volume(volser, DrmState.MOUNTABLE, pool=pool, updated_at=utcnow())
        Volume.update(library_slot=slot).where(Volume.id == volume.id).execute()
    make_volume(
        RETURNED,
        DrmState.ONSITERETRIEVE,
        pool=pool,
        location="ONSITE",
        pct_used=0.0,
        updated_at=utcnow(),
    )
    gui = GuiSession(info, QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(gui.window)
    gui.window.show()
    yield gui
    gui.library.close()
    gui.window.close()
    close_database()


def open_library(
    qtbot, gui: GuiSession, io_slots: int = 3, *, returned_in_station: bool = False
) -> SimulatedLibrary:
    """A simulated library of 3 I/O slots, no robot delay: the stand-in for a person at
    the I/O station is the controller's own (it takes out the ejected tapes). The returned
    tape waits in the I/O station only when asked for."""
    config = LibraryConfig(
        simulated=SimulatedGeometry(drives=1, slots=20, io_slots=io_slots, move_delay=0.0)
    )
    with qtbot.waitSignal(gui.library.inventory_changed, timeout=10_000):
        gui.library.open(config, "LIB1")
        gui.window.attach_library(gui.library)
    library = gui.library.device.library  # type: ignore[union-attr]
    assert isinstance(library, SimulatedLibrary)
    if not returned_in_station:
        assert library.take_io_station() == [RETURNED]
    return library


def drop(gui: GuiSession, volsers: list[str], target: DrmState) -> None:
    """A drop of these tapes on the target column (the model path a drag takes)."""
    source = gui.window.board.columns[DrmState.MOUNTABLE].model
    rows = [r for r in range(source.rowCount()) if source.record(r).volser in volsers]
    data = source.mimeData([source.index(r) for r in rows])
    target_model = gui.window.board.columns[target].model
    assert target_model.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())


def state(volser: str) -> DrmState:
    return Volume.get(Volume.volser == volser).state


def test_a_drop_of_seven_tapes_with_a_three_slot_station_runs_three_rounds(qtbot, session):
    open_library(qtbot, session)
    prompts: list[str] = []

    def operator(job_id: int, prompt: str, _count: int) -> None:
        prompts.append(prompt)
        session.library.answer_operator(job_id, True)

    session.library.operator_needed.connect(operator)
    with qtbot.waitSignal(session.controller.moves_done, timeout=20_000) as done:
        drop(session, MOUNTABLE, DrmState.VAULT)
    result, target = done.args
    assert target is DrmState.VAULT
    assert sorted(m.volser for m in result.moved) == MOUNTABLE
    assert len(prompts) == 2  # after round 1 (3 tapes) and round 2 (3 tapes)
    assert all(p.startswith("Empty the I/O station (3 tapes)") for p in prompts)
    assert all(state(v) is DrmState.VAULT for v in MOUNTABLE)
    assert Movement.select().where(Movement.to_state == DrmState.VAULT).count() == 7
    assert "(7)" in session.window.board.columns[DrmState.VAULT].title.text()


def test_stopping_after_the_first_round_records_only_the_tapes_that_left(qtbot, session):
    open_library(qtbot, session)
    session.library.operator_needed.connect(
        lambda job_id, _p, _c: session.library.answer_operator(job_id, False)
    )
    with qtbot.waitSignal(session.controller.moves_done, timeout=20_000) as done:
        drop(session, MOUNTABLE, DrmState.VAULT)
    moved = sorted(m.volser for m in done.args[0].moved)
    assert moved == MOUNTABLE[:3]
    assert [v for v in MOUNTABLE if state(v) is DrmState.VAULT] == MOUNTABLE[:3]
    assert [v for v in MOUNTABLE if state(v) is DrmState.MOUNTABLE] == MOUNTABLE[3:]


def test_cancel_in_the_middle_keeps_an_exact_record(qtbot, session):
    library = open_library(qtbot, session)

    def cancel_at_prompt(job_id: int, _p: str, _c: int) -> None:
        session.library.device.cancel(job_id)  # type: ignore[union-attr]

    session.library.operator_needed.connect(cancel_at_prompt)
    with qtbot.waitSignal(session.controller.moves_done, timeout=20_000) as done:
        drop(session, MOUNTABLE, DrmState.COURIER)
    left = {m.volser for m in done.args[0].moved}
    in_station = set(library.take_io_station())
    assert left == in_station  # recorded = what the library confirms in the I/O station
    assert all(state(v) is DrmState.COURIER for v in left)
    assert all(state(v) is DrmState.MOUNTABLE for v in set(MOUNTABLE) - left)


def test_an_offline_library_says_so_and_changes_nothing(qtbot, session):
    library = open_library(qtbot, session)
    library.inject(offline=True)
    notices: list[str] = []
    session.controller.notice.connect(lambda text, _level: notices.append(text))
    drop(session, MOUNTABLE[:2], DrmState.VAULT)
    qtbot.waitUntil(lambda: any("offline" in n for n in notices), timeout=5_000)
    assert all(state(v) is DrmState.MOUNTABLE for v in MOUNTABLE)
    assert Movement.select().count() == 0
    # The operator sets it online and presses Retry: the same move goes through.
    box = session.window.retry_box
    assert "offline" in box.text()
    library.inject(offline=False)
    with qtbot.waitSignal(session.controller.moves_done, timeout=10_000):
        box.button(QMessageBox.StandardButton.Retry).click()
    assert [v for v in MOUNTABLE if state(v) is DrmState.VAULT] == MOUNTABLE[:2]


def test_returned_tapes_are_imported_as_scratch(qtbot, session):
    library = open_library(qtbot, session, returned_in_station=True)
    with qtbot.waitSignal(session.library.inventory_changed, timeout=10_000):
        session.library.import_io_station()
    qtbot.waitUntil(lambda: state(RETURNED) is DrmState.MOUNTABLE, timeout=10_000)
    volume = Volume.get(Volume.volser == RETURNED)
    assert volume.flag == "scratch"
    assert library.inventory().find(RETURNED) is not None


def test_a_vaulted_tape_found_in_the_library_is_a_discrepancy_resolved_in_one_click(qtbot, session):
    library = open_library(qtbot, session)
    Volume.update(state=DrmState.VAULT, location="VAULT").where(
        Volume.volser == MOUNTABLE[0]
    ).execute()
    session.controller.reload()
    with qtbot.waitSignal(session.library.discrepancies_changed, timeout=10_000) as seen:
        session.library.refresh()
    problems = seen.args[0]
    assert [p.volser for p in problems] == [MOUNTABLE[0]]
    assert session.store.discrepancy(MOUNTABLE[0])
    panel = session.window.library_panel
    assert panel.problem_list.topLevelItemCount() == 1
    panel.problem_list.setCurrentItem(panel.problem_list.topLevelItem(0))
    panel.resolve_button.click()
    assert state(MOUNTABLE[0]) is DrmState.MOUNTABLE
    assert panel.problem_list.topLevelItemCount() == 0
    assert library.inventory().find(MOUNTABLE[0]) is not None


def test_label_check_reports_a_label_that_does_not_match(qtbot, session):
    library = open_library(qtbot, session)
    library.inject(labels={MOUNTABLE[1]: "XYZ999"})
    notices: list[str] = []
    session.controller.notice.connect(lambda text, _level: notices.append(text))
    session.window.library_panel.label_check_requested.emit(MOUNTABLE[0])
    qtbot.waitUntil(lambda: any("matches its barcode" in n for n in notices), timeout=5_000)
    session.window.library_panel.label_check_requested.emit(MOUNTABLE[1])
    qtbot.waitUntil(lambda: any(n.startswith(MOUNTABLE[1]) for n in notices), timeout=5_000)
    mismatch = next(n for n in notices if n.startswith(MOUNTABLE[1]))
    assert "XYZ999" in mismatch
    assert library.inventory().find(MOUNTABLE[1]) is not None  # put back


def test_the_main_thread_keeps_ticking_while_a_slow_simulated_robot_ejects(qtbot, session):
    """The heartbeat of the issue: a 10 ms timer on the main thread while a simulated
    library with 0.1 s robot moves ejects; the longest gap between beats stays < 100 ms."""
    library = open_library(qtbot, session)
    library.move_delay = 0.1
    clock = QElapsedTimer()
    clock.start()
    beats: list[int] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: beats.append(clock.elapsed()))
    heartbeat.start()
    with qtbot.waitSignal(session.controller.moves_done, timeout=20_000):
        drop(session, MOUNTABLE[:3], DrmState.COURIER)
    heartbeat.stop()
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert clock.elapsed() > 500  # the robot really took its time
    assert max(gaps) < 100, f"the main thread stalled for {max(gaps)} ms"


def test_the_library_menu_items_each_have_an_access_key(qtbot, session):
    open_library(qtbot, session)
    menu = session.window.findChild(QMenu, "libraryMenu")
    assert menu is not None
    assert assert_access_keys(menu) >= 8  # the remove modes' submenu included
    assert assert_access_keys(session.window.menuBar()) > 50
