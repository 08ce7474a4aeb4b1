"""Ties the tape library to the board: a move out of MOUNTABLE ejects the tapes in the device
thread and records only what the library confirmed; returned tapes are imported; the
records are compared with what the library holds.

Every step is the core's (drm_gui.core.library_ops): check on the main thread, the library
job in the device thread, record on the main thread. The command line runs the same steps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from drm_gui.core import media
from drm_gui.core.library_ops import (
    Discrepancy,
    EjectOutcome,
    EjectPlan,
    ImportOutcome,
    ImportPlan,
    RemoveMode,
    Resolution,
    check_eject,
    check_import,
    find_discrepancies,
    library_contents,
    record_eject,
    record_import,
    resolve,
    returned_volsers,
    robot_needed,
    run_eject,
    run_import,
    update_slots,
)
from drm_gui.core.media import MoveResult
from drm_gui.core.states import DrmError, DrmState
from drm_gui.gui.board_model import BoardStore
from drm_gui.gui.controller import BoardController, describe_result
from drm_gui.gui.device import JobContext, LibraryDevice
from drm_gui.library.base import Inventory, LabelCheck, LibraryError, TapeLibrary
from drm_gui.library.config import Backend, LibraryConfig, open_library
from drm_gui.library.simulated import SimulatedLibrary

log = logging.getLogger(__name__)

REMOVE_MODE_KEY = "library/remove_mode"

OnDone = Callable[[Any], None]
OnFail = Callable[[BaseException], None]


def read_inventory(library: TapeLibrary, ctx: JobContext) -> Inventory:
    return library.inventory(ctx.progress, ctx.cancel)


class LibraryController(QObject):
    """The library side of the window.

    Signals:
        inventory_changed(object): the newest Inventory read from the library.
        discrepancies_changed(list): what the records and the library disagree on.
        operator_needed(int, str, int): a job waits for the operator (job, prompt, tapes).
        busy_changed(bool): whether a library job is queued or running.
        device_changed(object): the LibraryDevice now in use (None when closed).
        retry_offered(str, object): a library error the operator can fix, and a callable
            that tries the same action again.
    """

    device_changed = Signal(object)
    retry_offered = Signal(str, object)
    inventory_changed = Signal(object)
    discrepancies_changed = Signal(list)
    operator_needed = Signal(int, str, int)
    busy_changed = Signal(bool)

    def __init__(
        self,
        board: BoardController,
        store: BoardStore,
        settings: QSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.board = board
        self.store = store
        self.settings = settings
        self.device: LibraryDevice | None = None
        self.config: LibraryConfig | None = None
        self.inventory: Inventory | None = None
        self.discrepancies: list[Discrepancy] = []
        self._callbacks: dict[int, tuple[OnDone, OnFail]] = {}

    # Opening ---------------------------------------------------------------------------
    def open(self, config: LibraryConfig, name: str) -> None:
        """Starts the device thread for the configured library and reads its inventory."""
        self.close()
        if config.backend is Backend.SIMULATED:
            # The simulated library holds what the records say is in it, and the returned
            # tapes wait in its I/O station (the demo's starting point).
            library = open_library(
                config,
                tapes=library_contents(),
                in_io_station=returned_volsers(config.simulated.io_slots),
            )
        else:
            library = open_library(config)
        self.config = config
        self.device = LibraryDevice(library, name, self)
        self.device.job_finished.connect(self._on_job_finished)
        self.device.job_failed.connect(self._on_job_failed)
        self.device.operator_needed.connect(self.operator_needed)
        self.device.inventory_seen.connect(self.inventory_changed)
        self.device.queue_changed.connect(lambda: self.busy_changed.emit(self.busy()))
        self.board.move_router = self.route_move
        self.device_changed.emit(self.device)
        self.refresh()

    def close(self) -> None:
        if self.device is not None:
            self.device.shutdown()
            self.device.deleteLater()
            self.device = None
            self.device_changed.emit(None)
        self.board.move_router = None
        self._callbacks.clear()

    def busy(self) -> bool:
        return self.device is not None and self.device.busy()

    @property
    def remove_mode(self) -> RemoveMode:
        value = str(self.settings.value(REMOVE_MODE_KEY, RemoveMode.YES.value))
        try:
            return RemoveMode(value)
        except ValueError:
            return RemoveMode.YES

    def set_remove_mode(self, mode: RemoveMode) -> None:
        self.settings.setValue(REMOVE_MODE_KEY, mode.value)

    # Jobs ------------------------------------------------------------------------------
    def _submit(
        self,
        title: str,
        function: Callable[[TapeLibrary, JobContext], Any],
        on_done: OnDone,
        retry: Callable[[], object] | None = None,
    ) -> int:
        """Queues a job; on a library error the operator is told, and offered Retry when
        *retry* is given and the error is one a person can fix."""
        assert self.device is not None
        job_id = self.device.submit(title, function)

        def on_fail(error: BaseException) -> None:
            if retry is not None and isinstance(error, LibraryError) and error.retryable:
                self.retry_offered.emit(str(error), retry)
            self._report_failure(error)

        self._callbacks[job_id] = (on_done, on_fail)
        return job_id

    def _on_job_finished(self, job_id: int, result: object) -> None:
        on_done, _ = self._callbacks.pop(job_id, (None, None))
        if on_done is not None:
            on_done(result)

    def _on_job_failed(self, job_id: int, error: object) -> None:
        _, on_fail = self._callbacks.pop(job_id, (None, None))
        if on_fail is not None and isinstance(error, BaseException):
            on_fail(error)

    def _report_failure(self, error: BaseException) -> None:
        if isinstance(error, LibraryError):
            self.board.notice.emit(f"The tape library: {error}", "warning")
        else:
            self.board.notice.emit(f"The library job failed unexpectedly: {error}", "warning")

    def answer_operator(self, job_id: int, go_on: bool) -> None:
        if self.device is not None:
            self.device.answer_operator(job_id, go_on)

    # Inventory and discrepancies -------------------------------------------------------
    def refresh(self) -> None:
        if self.device is None:
            return
        self._submit("Read the inventory", read_inventory, self._take_inventory, retry=self.refresh)

    def _take_inventory(self, inventory: object) -> None:
        if not isinstance(inventory, Inventory):
            return
        self.inventory = inventory
        try:
            update_slots(inventory)
            self.discrepancies = find_discrepancies(inventory)
        except DrmError as exc:
            self.board.notice.emit(f"The inventory could not be compared: {exc}", "warning")
            return
        self.store.set_discrepancies({d.volser: d.description for d in self.discrepancies})
        self.inventory_changed.emit(inventory)
        self.discrepancies_changed.emit(list(self.discrepancies))

    def resolve(self, discrepancy: Discrepancy, resolution: Resolution) -> MoveResult | None:
        try:
            result = resolve(discrepancy, resolution)
        except DrmError as exc:
            self.board.notice.emit(f"Not resolved: {exc}", "warning")
            return None
        self.store.apply(result)
        self.discrepancies = [d for d in self.discrepancies if d is not discrepancy]
        self.store.set_discrepancies({d.volser: d.description for d in self.discrepancies})
        self.discrepancies_changed.emit(list(self.discrepancies))
        self.board.notice.emit(f"{discrepancy.volser}: {resolution.label}.", "info")
        return result

    # Label check -----------------------------------------------------------------------
    def check_label(self, volume_tag: str) -> None:
        """Loads the tape, reads the label written on it, and puts it back."""
        if self.device is None:
            return

        def job(library: TapeLibrary, ctx: JobContext) -> LabelCheck:
            return library.check_label(volume_tag, 0, ctx.progress, ctx.cancel)

        def done(check: object) -> None:
            if not isinstance(check, LabelCheck):
                return
            problem = check.problem
            if problem:
                self.board.notice.emit(f"{volume_tag}: {problem}", "warning")
            else:
                found = f" ({check.format} label)" if check.format else ""
                self.board.notice.emit(
                    f"{volume_tag}: the label on the tape matches its barcode{found}.", "info"
                )

        self._submit(
            f"Check the label of {volume_tag}",
            job,
            done,
            retry=lambda: self.check_label(volume_tag),
        )

    # Moves through the robot -----------------------------------------------------------
    def route_move(self, ids: list[int], target: DrmState, to_location: str | None) -> bool:
        """Takes a board move when the robot must eject tapes; False leaves it to the board."""
        if self.device is None or not robot_needed(ids, self.remove_mode):
            return False
        mode = self.remove_mode

        def planned(inventory: object) -> None:
            if isinstance(inventory, Inventory):
                self._take_inventory(inventory)
                self._start_eject(ids, target, to_location, mode, inventory)

        self._submit(
            "Read the inventory",
            read_inventory,
            planned,
            retry=lambda: self.route_move(ids, target, to_location),
        )
        return True

    def _start_eject(
        self,
        ids: list[int],
        target: DrmState,
        to_location: str | None,
        mode: RemoveMode,
        inventory: Inventory,
    ) -> None:
        try:
            plan = check_eject(ids, target, mode, inventory, to_location=to_location)
        except DrmError as exc:
            self.board.notice.emit(f"Nothing was moved: {exc}", "warning")
            return
        for warning in plan.warnings:
            self.board.notice.emit(warning, "warning")
        if not plan.needs_robot:
            self._record_eject(plan, EjectOutcome((), (), 0))
            return
        count = len(plan.eject)

        leaving = {t.volser.upper() for t in plan.eject}

        def job(library: TapeLibrary, ctx: JobContext) -> EjectOutcome:
            def wait_for_operator(waiting: int) -> bool:
                ctx.report_inventory(library.inventory(ctx.progress, ctx.cancel))
                go_on = ctx.ask_operator(
                    f"Empty the I/O station ({waiting} tapes), then press Continue.", waiting
                )
                if go_on and isinstance(library, SimulatedLibrary):
                    # The simulated library has no person at its I/O station: take out the
                    # ejected tapes as the operator would, and leave any others there.
                    taken = library.take_io_station()
                    library.insert_io([t for t in taken if t.upper() not in leaving])
                return go_on

            return run_eject(library, plan, ctx.progress, ctx.cancel, wait_for_operator)

        def done(outcome: object) -> None:
            if isinstance(outcome, EjectOutcome):
                self._record_eject(plan, outcome)

        self._submit(f"Eject {count} tape(s) for {target.value}", job, done)

    def _record_eject(self, plan: EjectPlan, outcome: EjectOutcome) -> None:
        try:
            result = record_eject(plan, outcome)
        except DrmError as exc:
            self.board.notice.emit(f"The ejected tapes could not be recorded: {exc}", "warning")
            return
        self.board.take_result(result, plan.target)
        if outcome.error is not None:
            self.board.notice.emit(
                f"{describe_result(result, plan.target)} The library stopped: {outcome.error}",
                "warning",
            )
        if outcome.inventory is not None:
            self._take_inventory(outcome.inventory)

    # Import ----------------------------------------------------------------------------
    def import_io_station(self) -> None:
        """Checks in the returned tapes waiting in the I/O station."""
        if self.device is None:
            return

        def planned(inventory: object) -> None:
            if not isinstance(inventory, Inventory):
                return
            self._take_inventory(inventory)
            plan = check_import(inventory)
            self._start_import(plan)

        self._submit("Read the inventory", read_inventory, planned, retry=self.import_io_station)

    def _start_import(self, plan: ImportPlan) -> None:
        refused = [f"{i.name}: {i.reason}" for i in plan.left_in_io_station]
        if not plan.to_import:
            text = "Nothing to import from the I/O station."
            if refused:
                text += " Left there: " + "; ".join(refused) + "."
            self.board.notice.emit(text, "warning" if refused else "info")
            return

        def job(library: TapeLibrary, ctx: JobContext) -> ImportOutcome:
            return run_import(library, plan, ctx.progress, ctx.cancel)

        def done(outcome: object) -> None:
            if isinstance(outcome, ImportOutcome):
                self._record_import(plan, outcome, refused)

        self._submit(f"Import {len(plan.to_import)} tape(s)", job, done)

    def _record_import(self, plan: ImportPlan, outcome: ImportOutcome, refused: list[str]) -> None:
        inventory = outcome.inventory
        try:
            result = record_import(plan, inventory) if inventory is not None else None
        except DrmError as exc:
            self.board.notice.emit(f"The imported tapes could not be recorded: {exc}", "warning")
            return
        if result is not None:
            self.store.update_records(media.board_tuples([m.volume_id for m in result.moved]))
        text = f"Imported {len(outcome.imported)} tape(s) into the library."
        problems = refused + [f"{v}: {why}" for v, why in outcome.not_imported]
        if outcome.error is not None:
            problems.append(f"the library stopped: {outcome.error}")
        if problems:
            text += " Not imported: " + "; ".join(problems) + "."
        self.board.notice.emit(text, "warning" if problems else "info")
        if inventory is not None:
            self._take_inventory(inventory)
