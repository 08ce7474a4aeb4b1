"""The checks every backend makes before and after the robot moves, on inventories alone.

Both the mtx backend and the simulated library call these, so that the same situation
raises the same error with the same sentence whichever backend runs it: a caller (the
device thread, the core's library job) never needs to know which one it drives. Pure
functions over :class:`~drm_gui.library.base.Inventory` values; nothing here moves a tape.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from drm_gui.library.base import (
    CancelledError,
    DestinationFullError,
    Element,
    ElementKind,
    InvalidElementError,
    Inventory,
    IOStationFullError,
    Location,
    MoveNotVerifiedError,
    SourceEmptyError,
)

__all__ = [
    "check_move",
    "eject_moves",
    "eject_stopped",
    "element_at",
    "home_slot",
    "import_stopped",
    "pass_through_slot",
    "unload_slot",
    "verify_move",
    "with_io_slots",
]


def element_at(inventory: Inventory, location: Location) -> Element:
    """The element at ``location``; InvalidElementError when the library has no such place."""
    try:
        return inventory.at(location)
    except KeyError:
        raise InvalidElementError(
            f"The library has no {location} (it has {inventory.max_drives} drives and "
            f"{len(inventory.slots)} slots). Refresh the inventory and check the selection."
        ) from None


def check_move(source: Element, target: Element) -> None:
    """The checks mtx and the library would make, before the robot moves."""
    if source.location == target.location:
        raise InvalidElementError(f"{source.label} is both the source and the destination.")
    if source.empty:
        raise SourceEmptyError(
            f"{source.label} holds no tape: the inventory was out of date. Refresh it, then "
            "try again."
        )
    if target.full:
        held = f" ({target.volume_tag})" if target.volume_tag else ""
        if target.import_export:
            raise IOStationFullError(
                f"{target.label} of the I/O station already holds a tape{held}. Empty the I/O "
                "station, then press Retry."
            )
        raise DestinationFullError(
            f"{target.label} already holds a tape{held}. Choose an empty place, or refresh "
            "the inventory."
        )


def verify_move(
    before: Inventory, after: Inventory, source: Location, destination: Location
) -> None:
    """The cartridge left the source and sits at the destination, same barcode if any."""
    was = element_at(before, source)
    now_source = element_at(after, source)
    now_target = element_at(after, destination)
    arrived = now_target.full and (
        was.volume_tag is None or now_target.volume_tag in (None, was.volume_tag)
    )
    if arrived and now_source.empty:
        return
    what = was.volume_tag or "The tape"
    where = "still in" if now_source.full else "not in"
    place = now_source.label if now_source.full else now_target.label
    raise MoveNotVerifiedError(
        f"The library reported the move as done, but {what} is {where} {place}. Check the "
        "library's front panel, refresh the inventory, then try again."
    )


def pass_through_slot(inventory: Inventory) -> Location:
    """The storage slot a drive-to-drive move passes through (there is no direct move)."""
    free = inventory.free_slots(keep_drive_homes=True) or inventory.free_slots()
    if not free:
        raise DestinationFullError(
            "There is no free slot to pass the tape through. Free a slot, then try again."
        )
    return free[0].location


def unload_slot(inventory: Inventory, drive: int) -> int:
    """Where a drive's tape goes when no slot is named: its source slot if that is free,
    else the lowest free slot (mtx's own guess, made explicit so the move can be verified)."""
    element = element_at(inventory, Location.of_drive(drive))
    home = element.loaded_from
    if home is not None:
        try:
            if inventory.slot(home).empty:
                return home
        except KeyError:
            pass
    free = inventory.free_slots(keep_drive_homes=True) or inventory.free_slots()
    if not free:
        raise DestinationFullError(
            f"There is no free slot for drive {drive}'s tape. Free a slot, then try again."
        )
    return free[0].number


def home_slot(inventory: Inventory, element: Element, homes: Mapping[str, int]) -> int:
    """Where a cartridge from the I/O station goes: its home slot if free, else the lowest
    free slot that is no other waiting cartridge's home (so that one still finds it free)."""
    tag = element.volume_tag
    if tag is not None and tag in homes:
        try:
            home: Element | None = inventory.slot(homes[tag])
        except KeyError:
            home = None
        if home is not None and home.empty and not home.import_export:
            return home.number
    waiting = {e.volume_tag for e in inventory.full_io_slots() if e.volume_tag}
    reserved = {slot for t, slot in homes.items() if t in waiting and t != tag}
    free = inventory.free_slots(keep_drive_homes=True) or inventory.free_slots()
    free = [s for s in free if s.number not in reserved] or free
    if not free:
        raise DestinationFullError(
            f"There is no free storage slot for {tag or 'the tape'} in {element.label}. Free "
            "a slot (export tapes), then try again."
        )
    return free[0].number


def eject_moves(inventory: Inventory, volume_tags: Sequence[str]) -> list[tuple[Element, Element]]:
    """(where each cartridge is, the I/O slot it goes to), checked before the robot moves.

    Cartridges already in the I/O station need no move. Raises SourceEmptyError for a
    barcode the library does not hold, IOStationFullError when they do not all fit.
    Storage slots go first in slot order (as Bareos does), then tapes still in drives.
    """
    to_move: list[Element] = []
    for tag in dict.fromkeys(t.strip() for t in volume_tags):
        element = inventory.find(tag)
        if element is None:
            raise SourceEmptyError(
                f"{tag} is not in the library. Refresh the inventory and check the selection."
            )
        if not element.import_export:
            to_move.append(element)
    free = inventory.free_io_slots()
    if len(to_move) > len(free):
        raise IOStationFullError.for_request(len(free), len(to_move))
    to_move.sort(key=lambda e: (e.is_drive, e.number))
    return list(zip(to_move, free, strict=False))


def eject_stopped(done: int, total: int) -> CancelledError:
    return CancelledError(
        f"Stopped after {done} of {total} tapes. The tapes moved so far are in the I/O station."
    )


def import_stopped(done: int, total: int) -> CancelledError:
    return CancelledError(
        f"Stopped after {done} of {total} tapes. The others are still in the I/O station."
    )


def with_io_slots(inventory: Inventory, io_slots: Collection[int]) -> Inventory:
    """The inventory with these slot numbers taken as the I/O station.

    For libraries that do not report their mail slots (or report them as ordinary storage
    slots): the site names them in the library settings. A named slot the library does not
    have is a settings mistake, said as such.
    """
    if not io_slots:
        return inventory
    numbers = {s.number for s in inventory.slots}
    missing = sorted(set(io_slots) - numbers)
    if missing:
        raise InvalidElementError(
            f"The library settings name I/O slots {', '.join(map(str, missing))}, but the "
            f"library has slots 1 to {len(inventory.slots)} only. Correct the I/O slots in "
            "the library settings."
        )
    wanted = set(io_slots)
    slots = tuple(
        replace(s, kind=ElementKind.IMPORT_EXPORT) if s.number in wanted else s
        for s in inventory.slots
    )
    return replace(inventory, slots=slots)
