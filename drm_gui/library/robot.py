"""The moves every backend makes the same way, written once.

A backend says how it reads what the library holds now (`_current`) and how it makes one
robot move (`_step`); moving between any two places, loading, unloading, ejecting to the I/O
station and importing from it are the same sequence of checks and steps for all of them.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence

from drm_gui.library.base import (
    CancelledError,
    Inventory,
    Location,
    Progress,
    cancelled,
    report,
)
from drm_gui.library.rules import (
    eject_moves,
    eject_stopped,
    home_slot,
    import_stopped,
    pass_through_slot,
    unload_slot,
)


def stop_if(cancel: threading.Event | None) -> None:
    """Raises CancelledError when the caller asked to stop (between device steps)."""
    if cancelled(cancel):
        raise CancelledError()


class RobotLibrary(ABC):
    @abstractmethod
    def _current(self) -> Inventory:
        """What the library holds now (raises the backend's errors: offline...)."""

    @abstractmethod
    def _step(
        self,
        before: Inventory,
        source: Location,
        destination: Location,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> Inventory:
        """One robot move, checked against *before*; returns the inventory after it."""

    @abstractmethod
    def _rescan(self, cancel: threading.Event | None) -> None:
        """Makes the library scan its tapes' barcodes again (slow)."""

    def inventory(
        self,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        *,
        rescan: bool = False,
    ) -> Inventory:
        """What the library holds; with *rescan*, after it read every barcode again."""
        stop_if(cancel)
        if rescan:
            report(progress, "The library is scanning its tapes…")
            self._rescan(cancel)
            stop_if(cancel)
        report(progress, "Reading the library's inventory…")
        return self._current()

    def move(
        self,
        source: Location,
        destination: Location,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        stop_if(cancel)
        before = self._current()
        if source.drive and destination.drive:
            # No drive-to-drive move in a changer: through the lowest free storage slot.
            between = pass_through_slot(before)
            middle = self._step(before, source, between, progress, cancel)
            stop_if(cancel)
            return self._step(middle, between, destination, progress, cancel)
        return self._step(before, source, destination, progress, cancel)

    def load(
        self,
        slot: int,
        drive: int,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        return self.move(Location.of_slot(slot), Location.of_drive(drive), progress, cancel)

    def unload(
        self,
        drive: int,
        slot: int | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        """Puts the drive's tape back, into ``slot`` or the slot it came from."""
        stop_if(cancel)
        before = self._current()
        if slot is None:
            slot = unload_slot(before, drive)
        return self._step(
            before, Location.of_drive(drive), Location.of_slot(slot), progress, cancel
        )

    def eject(
        self,
        volume_tags: Sequence[str],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        """Moves these cartridges to the I/O station; IOStationFullError before any move
        when they do not all fit. A cancel between two moves says how many went."""
        stop_if(cancel)
        inventory = self._current()
        moves = eject_moves(inventory, volume_tags)
        for done, (element, target) in enumerate(moves):
            if cancelled(cancel):
                raise eject_stopped(done, len(moves))
            try:
                inventory = self._step(
                    inventory, element.location, target.location, progress, cancel
                )
            except CancelledError:
                raise eject_stopped(done, len(moves)) from None
        return inventory

    def import_from_io(
        self,
        homes: dict[str, int] | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        """Moves every cartridge in the I/O station into storage: to its home slot from
        ``homes`` when free, else to the lowest free slot."""
        stop_if(cancel)
        inventory = self._current()
        waiting = [e.number for e in inventory.full_io_slots()]
        for done, number in enumerate(waiting):
            if cancelled(cancel):
                raise import_stopped(done, len(waiting))
            element = inventory.slot(number)
            target = Location.of_slot(home_slot(inventory, element, homes or {}))
            try:
                inventory = self._step(inventory, element.location, target, progress, cancel)
            except CancelledError:
                raise import_stopped(done, len(waiting)) from None
        return inventory
