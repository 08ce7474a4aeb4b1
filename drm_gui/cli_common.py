"""What every command-line module shares: exit codes and argument types. No Qt here.

Exit codes: 0 success, 1 when anything was refused or failed (each reason printed),
2 for usage errors (bad arguments, an unusable database URL).
"""

from __future__ import annotations

import argparse

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
