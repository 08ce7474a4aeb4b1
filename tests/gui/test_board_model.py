"""The board's models: Qt's model tester, MIME payload, drop rules and filtering."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, Qt

from drm_gui.core import media
from drm_gui.core.models import Movement
from drm_gui.core.states import DrmState, VolumeKind
from drm_gui.gui.board_model import (
    MIME_TYPE,
    BoardFilter,
    BoardStore,
    StateColumnModel,
    decode_ids,
    encode_ids,
)
from drm_gui.gui.controller import BoardController
from drm_gui.gui.detail import HistoryModel


@pytest.fixture
def store(qapp, site_db) -> BoardStore:
    board = BoardStore()
    board.load(media.board_tuples())
    return board


def column(store: BoardStore, state: DrmState) -> StateColumnModel:
    return StateColumnModel(state, store)


def volsers(model: StateColumnModel) -> list[str]:
    return [model.record(r).volser for r in range(model.rowCount())]


def test_every_column_model_passes_the_model_tester(qtmodeltester, store):
    for state in DrmState:
        qtmodeltester.check(column(store, state))


def test_history_model_passes_the_model_tester(qtmodeltester, site_db):
    _info, ids = site_db
    media.move_volumes([ids["A00001L8"]], DrmState.COURIER)
    model = HistoryModel()
    model.set_rows(media.history(ids["A00001L8"]))
    assert model.rowCount() == 1
    qtmodeltester.check(model)


def test_columns_hold_the_tapes_of_their_state_sorted(store):
    assert volsers(column(store, DrmState.MOUNTABLE)) == ["A00001L8", "A00002L8", "A00003L8"]
    assert volsers(column(store, DrmState.VAULT)) == ["B00003L8", "B00004L8", "D00001L8"]
    assert sum(column(store, s).rowCount() for s in DrmState) == 11


def test_mime_payload_round_trip(store):
    model = column(store, DrmState.MOUNTABLE)
    data = model.mimeData([model.index(0), model.index(2)])
    assert data.hasFormat(MIME_TYPE)
    assert decode_ids(data) == [model.record(0).id, model.record(2).id]
    assert data.text().splitlines() == ["A00001L8", "A00003L8"]
    garbage = QMimeData()
    garbage.setData(MIME_TYPE, b"1,x,3")
    assert decode_ids(garbage) == []
    assert decode_ids(QMimeData()) == []
    assert bytes(encode_ids([4, 5]).data()) == b"4,5"


def test_can_drop_follows_the_transition_table(store):
    source = column(store, DrmState.MOUNTABLE)
    data = source.mimeData([source.index(0)])
    move = Qt.DropAction.MoveAction
    for state in DrmState:
        target = column(store, state)
        legal = state in (DrmState.NOTMOUNTABLE, DrmState.COURIER, DrmState.VAULT)
        assert target.canDropMimeData(data, move, -1, -1, QModelIndex()) is legal, state
        assert (target.refusal(data) is None) is legal
    vault = column(store, DrmState.VAULT)
    refusal = column(store, DrmState.COURIER).refusal(vault.mimeData([vault.index(0)]))
    assert refusal is not None
    assert "VAULT → COURIER" in refusal and "VAULTRETRIEVE" in refusal


def test_a_mixed_selection_may_drop_where_any_tape_may_go(store):
    ids = [store_id(store, "B00003L8"), store_id(store, "A00001L8")]  # VAULT + MOUNTABLE
    data = QMimeData()
    data.setData(MIME_TYPE, encode_ids(ids))
    courier = column(store, DrmState.COURIER)
    assert courier.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    onsite = column(store, DrmState.ONSITERETRIEVE)
    assert not onsite.canDropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())


def store_id(store: BoardStore, volser: str) -> int:
    for state in DrmState:
        for record in store.visible(state):
            if record.volser == volser:
                return record.id
    raise KeyError(volser)


def test_drop_moves_through_the_controller_after_the_drop(qtbot, store, site_db):
    info, ids = site_db
    controller = BoardController(store, info)
    courier = column(store, DrmState.COURIER)
    controller.connect_drops(courier)
    source = column(store, DrmState.MOUNTABLE)
    data = source.mimeData([source.index(0), source.index(1)])
    with qtbot.waitSignal(controller.moves_done, timeout=5000) as blocker:
        assert courier.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
        # Queued: nothing has moved while the drop is still being handled.
        assert media.volumes_by_ids([ids["A00001L8"]])[0].state is DrmState.MOUNTABLE
    result, target = blocker.args
    assert target is DrmState.COURIER
    assert [m.volser for m in result.moved] == ["A00001L8", "A00002L8"]
    assert volsers(source) == ["A00003L8"]
    assert volsers(courier) == ["A00001L8", "A00002L8", "B00002L8"]
    rows = media.volumes_by_ids([ids["A00001L8"], ids["A00002L8"]])
    assert {(r.state, r.location) for r in rows} == {(DrmState.COURIER, "COURIER")}
    assert Movement.select().where(Movement.batch == result.batch_id).count() == 2


def test_refused_drop_changes_nothing(qtbot, store, site_db):
    info, ids = site_db
    controller = BoardController(store, info)
    courier = column(store, DrmState.COURIER)
    controller.connect_drops(courier)
    vault = column(store, DrmState.VAULT)
    data = vault.mimeData([vault.index(0)])
    with qtbot.assertNotEmitted(controller.moves_done, wait=100):
        assert not courier.dropMimeData(data, Qt.DropAction.MoveAction, -1, -1, QModelIndex())
    assert media.volumes_by_ids([ids["B00003L8"]])[0].state is DrmState.VAULT
    assert Movement.select().count() == 0


@pytest.mark.parametrize(
    ("board_filter", "expected"),
    [
        (BoardFilter(text="a0000"), {"A00001L8", "A00002L8", "A00003L8"}),
        (BoardFilter(text="00002"), {"A00002L8", "B00002L8", "C00002L7"}),
        (BoardFilter(text="?0000?L7"), {"C00001L7", "C00002L7", "C00003L7"}),
        (BoardFilter(text="*3L*"), {"A00003L8", "B00003L8", "C00003L7"}),
        (BoardFilter(text="b0*L8"), {"B00001L8", "B00002L8", "B00003L8", "B00004L8"}),
        (BoardFilter(text="C00002?7"), {"C00002L7"}),
        (BoardFilter(text="A0000"), {"A00001L8", "A00002L8", "A00003L8"}),
        (BoardFilter(pool="COPYPOOL2"), {"B00001L8", "B00002L8", "B00003L8", "B00004L8"}),
        (BoardFilter(kind=VolumeKind.DB_BACKUP), {"D00001L8"}),
        (
            BoardFilter(text="B", pool="COPYPOOL2", kind=VolumeKind.COPY_POOL),
            {"B00001L8", "B00002L8", "B00003L8", "B00004L8"},
        ),
        (BoardFilter(text="ZZZ"), set()),
    ],
)
def test_filter_narrows_every_column(store, board_filter, expected):
    models = [column(store, s) for s in DrmState]
    store.set_filter(BoardFilter(text=board_filter.text[:1]))  # typed one key at a time
    store.set_filter(board_filter)
    shown = {v for m in models for v in volsers(m)}
    assert shown == expected
    store.set_filter(BoardFilter())
    assert sum(m.rowCount() for m in models) == 11
