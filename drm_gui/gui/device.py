"""The tape library's device thread: one long-lived worker per library, jobs run one at a
time, progress and cancel, and pauses that wait for the operator.

The worker lives in its own QThread and never touches widgets or the database; it only calls
the library backend (which blocks) and reports back through queued signals. The facade lives
on the main thread: the rest of the GUI talks to it alone, and waits on its signals.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from drm_gui.library.base import CancelledError, LibraryError, TapeLibrary

log = logging.getLogger(__name__)


class OperatorAnswer:
    """A question to the operator, answered from the main thread; the worker waits on it."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._go_on = False

    def answer(self, go_on: bool) -> None:
        self._go_on = go_on
        self._event.set()

    def wait(self, cancel: threading.Event) -> bool:
        """Blocks the worker until answered (True: go on) or cancelled (False)."""
        while not self._event.wait(0.05):
            if cancel.is_set():
                return False
        return self._go_on and not cancel.is_set()


@dataclass
class JobContext:
    """What a job's function gets besides the library: progress, cancel, the operator."""

    job_id: int
    cancel: threading.Event
    _worker: LibraryWorker

    def progress(self, text: str) -> None:
        self._worker.job_progress.emit(self.job_id, text)

    def report_inventory(self, inventory: object) -> None:
        """Shows what the library holds now (e.g. the full I/O station at a pause)."""
        self._worker.job_inventory.emit(self.job_id, inventory)

    def ask_operator(self, prompt: str, count: int) -> bool:
        """Shows *prompt* (e.g. 'Empty the I/O station (3 tapes), then press Continue')
        and waits for the answer; False when the operator stops or cancels the job."""
        answer = OperatorAnswer()
        self._worker.register_question(self.job_id, answer)
        self._worker.job_needs_operator.emit(self.job_id, prompt, count)
        try:
            return answer.wait(self.cancel)
        finally:
            self._worker.register_question(self.job_id, None)


JobFunction = Callable[[TapeLibrary, JobContext], Any]


@dataclass
class Job:
    job_id: int
    title: str
    function: JobFunction
    cancel: threading.Event = field(default_factory=threading.Event)
    state: str = "queued"  # queued, running, waiting, done, failed, cancelled
    last_progress: str = ""
    result: Any = None
    error: BaseException | None = None


class LibraryWorker(QObject):
    """Runs jobs on the library in the device thread, one at a time.

    Signals:
        job_started(int): the job began.
        job_progress(int, str): one device step of the job.
        job_needs_operator(int, str, int): the job waits for the operator (prompt, tapes).
        job_inventory(int, object): an Inventory the job read on its way.
        job_finished(int, object): the job's result.
        job_failed(int, object): the exception that ended the job (LibraryError,
            CancelledError, or an unexpected one).
    """

    job_started = Signal(int)
    job_progress = Signal(int, str)
    job_needs_operator = Signal(int, str, int)
    job_inventory = Signal(int, object)
    job_finished = Signal(int, object)
    job_failed = Signal(int, object)

    def __init__(self, library: TapeLibrary) -> None:
        super().__init__()
        self.library = library
        self._questions: dict[int, OperatorAnswer] = {}
        self._lock = threading.Lock()

    def register_question(self, job_id: int, answer: OperatorAnswer | None) -> None:
        with self._lock:
            if answer is None:
                self._questions.pop(job_id, None)
            else:
                self._questions[job_id] = answer

    def answer(self, job_id: int, go_on: bool) -> None:
        """Called from the main thread (thread-safe): releases a waiting job."""
        with self._lock:
            answer = self._questions.get(job_id)
        if answer is not None:
            answer.answer(go_on)

    @Slot(object)
    def run_job(self, job: Job) -> None:
        if job.cancel.is_set():
            self.job_failed.emit(job.job_id, CancelledError("cancelled before it started"))
            return
        self.job_started.emit(job.job_id)
        context = JobContext(job.job_id, job.cancel, self)
        try:
            result = job.function(self.library, context)
        except (LibraryError, CancelledError) as exc:
            self.job_failed.emit(job.job_id, exc)
            return
        except Exception as exc:  # a bug: report it, keep the thread alive for the next job
            log.exception("library job %d (%s) failed", job.job_id, job.title)
            self.job_failed.emit(job.job_id, exc)
            return
        self.job_finished.emit(job.job_id, result)


class LibraryDevice(QObject):
    """The main thread's side of the device thread: submit jobs, cancel them, answer the
    operator prompts, follow the queue.

    Signals:
        queue_changed(): a job was added, started, changed state or ended.
        job_progress(int, str): a device step of a running job.
        operator_needed(int, str, int): a job waits for the operator (prompt, tapes).
        inventory_seen(object): an Inventory a running job read.
        job_finished(int, object): a job ended with its result.
        job_failed(int, object): a job ended with an exception.
        log_line(str): a line for the device log (what was asked, what it answered).
    """

    queue_changed = Signal()
    job_progress = Signal(int, str)
    operator_needed = Signal(int, str, int)
    inventory_seen = Signal(object)
    job_finished = Signal(int, object)
    job_failed = Signal(int, object)
    log_line = Signal(str)
    _submit = Signal(object)

    def __init__(self, library: TapeLibrary, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.library = library
        self.jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._thread = QThread()
        self._thread.setObjectName(f"library-{name}")
        self._worker = LibraryWorker(library)
        self._worker.moveToThread(self._thread)
        queued = Qt.ConnectionType.QueuedConnection
        self._submit.connect(self._worker.run_job, queued)
        self._worker.job_started.connect(self._on_started, queued)
        self._worker.job_progress.connect(self._on_progress, queued)
        self._worker.job_needs_operator.connect(self._on_needs_operator, queued)
        self._worker.job_inventory.connect(self._on_inventory, queued)
        self._worker.job_finished.connect(self._on_finished, queued)
        self._worker.job_failed.connect(self._on_failed, queued)
        self._thread.start()

    # Commands --------------------------------------------------------------------------
    def submit(self, title: str, function: JobFunction) -> int:
        """Queues a job; returns its id. The function runs in the device thread with the
        library and a JobContext, and must not touch Qt widgets or the database."""
        job = Job(next(self._ids), title, function)
        self.jobs[job.job_id] = job
        self.log_line.emit(f"queued #{job.job_id}: {title}")
        self.queue_changed.emit()
        self._submit.emit(job)
        return job.job_id

    def cancel(self, job_id: int) -> None:
        job = self.jobs.get(job_id)
        if job is None or job.state in ("done", "failed", "cancelled"):
            return
        job.cancel.set()
        self.log_line.emit(f"cancel asked for #{job_id}")
        self._worker.answer(job_id, False)

    def answer_operator(self, job_id: int, go_on: bool) -> None:
        job = self.jobs.get(job_id)
        if job is not None and job.state == "waiting":
            job.state = "running"
            self.queue_changed.emit()
        self._worker.answer(job_id, go_on)

    def busy(self) -> bool:
        return any(j.state in ("queued", "running", "waiting") for j in self.jobs.values())

    def shutdown(self) -> None:
        """Cancels what runs and stops the thread (at window close)."""
        for job in self.jobs.values():
            if job.state in ("queued", "running", "waiting"):
                job.cancel.set()
                self._worker.answer(job.job_id, False)
        self._thread.quit()
        if not self._thread.wait(10_000):
            log.warning("the library thread did not stop within 10 s")

    # Worker reports (main thread) ------------------------------------------------------
    @Slot(int)
    def _on_started(self, job_id: int) -> None:
        job = self.jobs[job_id]
        job.state = "running"
        self.log_line.emit(f"start #{job_id}: {job.title}")
        self.queue_changed.emit()

    @Slot(int, str)
    def _on_progress(self, job_id: int, text: str) -> None:
        self.jobs[job_id].last_progress = text
        self.log_line.emit(f"#{job_id} {text}")
        self.job_progress.emit(job_id, text)

    @Slot(int, str, int)
    def _on_needs_operator(self, job_id: int, prompt: str, count: int) -> None:
        job = self.jobs[job_id]
        job.state = "waiting"
        job.last_progress = prompt
        self.log_line.emit(f"#{job_id} waits for the operator: {prompt}")
        self.queue_changed.emit()
        self.operator_needed.emit(job_id, prompt, count)

    @Slot(int, object)
    def _on_inventory(self, _job_id: int, inventory: object) -> None:
        self.inventory_seen.emit(inventory)

    @Slot(int, object)
    def _on_finished(self, job_id: int, result: object) -> None:
        job = self.jobs[job_id]
        job.state = "done"
        job.result = result
        self.log_line.emit(f"done #{job_id}: {job.title}")
        self.queue_changed.emit()
        self.job_finished.emit(job_id, result)

    @Slot(int, object)
    def _on_failed(self, job_id: int, error: object) -> None:
        job = self.jobs[job_id]
        job.state = "cancelled" if isinstance(error, CancelledError) else "failed"
        job.error = error if isinstance(error, BaseException) else None
        self.log_line.emit(f"{job.state} #{job_id}: {error}")
        self.queue_changed.emit()
        self.job_failed.emit(job_id, error)
