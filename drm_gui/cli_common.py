"""What every command-line module shares: exit codes and argument types. No Qt here.

Exit codes: 0 success, 1 when anything was refused or failed (each reason printed),
2 for usage errors (bad arguments, an unusable database URL).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TextIO

from drm_gui.core import media
from drm_gui.core.states import DrmError, DrmState, VolumeKind

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


def state_arg(text: str) -> DrmState:
    try:
        return DrmState.parse(text)
    except DrmError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def kind_arg(text: str) -> VolumeKind:
    try:
        return VolumeKind.parse(text)
    except DrmError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _local_time(text: str, *, end: bool) -> dt.datetime:
    """A local date (a whole day: --to includes it) or date-time, as naive UTC."""
    text = text.strip()
    try:
        if len(text) == 10:  # YYYY-MM-DD
            day = dt.date.fromisoformat(text)
            value = dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time())
        else:
            value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a date like 2024-06-01 or a time like 2024-06-01T06:00 (local)"
        ) from None
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def from_date_arg(text: str) -> dt.datetime:
    """--from: a local day (from its start) or date-time, as naive UTC."""
    return _local_time(text, end=False)


def to_date_arg(text: str) -> dt.datetime:
    """--to: a local day (included: up to its end) or date-time, as naive UTC."""
    return _local_time(text, end=True)


def print_move_result(out: TextIO, result: media.MoveResult, refused: str = "refused") -> None:
    """A line per tape moved and per tape *refused* (the word the command uses)."""
    for moved in result.moved:
        print(
            f"moved: {moved.volser}: {moved.from_state.value} → {moved.to_state.value}"
            f" ({moved.to_location})",
            file=out,
        )
    for refusal in result.refused:
        print(f"{refused}: {refusal.volser}: {refusal.reason}", file=out)
