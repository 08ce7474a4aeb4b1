"""DRM media states, the operator's legal moves, and the location text written on entry.

This module is the single home of the transition table of DOMAIN.md: the GUI's drop
indicator, the context menu, the command line and the batch move all ask it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class DrmError(Exception):
    """Base class of every error the DRM core reports to a user."""


class DrmState(enum.Enum):
    """Where a tape is in its DRM life cycle, in the order a tape travels."""

    MOUNTABLE = "MOUNTABLE"
    NOTMOUNTABLE = "NOTMOUNTABLE"
    COURIER = "COURIER"
    VAULT = "VAULT"
    VAULTRETRIEVE = "VAULTRETRIEVE"
    COURIERRETRIEVE = "COURIERRETRIEVE"
    ONSITERETRIEVE = "ONSITERETRIEVE"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> DrmState:
        """Accepts the state name in any case, with or without blanks ("Vault retrieve")."""
        state = _STATE_KEYS.get(text)  # the fast path: a keyword as the server prints it
        if state is not None:
            return state
        key = "".join(text.split()).upper()
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise DrmError(f"unknown state {text!r}: use one of {names}") from None


STATE_LABELS: dict[DrmState, str] = {
    DrmState.MOUNTABLE: "Mountable",
    DrmState.NOTMOUNTABLE: "Not mountable",
    DrmState.COURIER: "Courier",
    DrmState.VAULT: "Vault",
    DrmState.VAULTRETRIEVE: "Vault retrieve",
    DrmState.COURIERRETRIEVE: "Courier retrieve",
    DrmState.ONSITERETRIEVE: "On-site retrieve",
}


class StateGroup(enum.Enum):
    """The board's column groups: where a tape physically is."""

    ONSITE = "On site"
    IN_TRANSIT = "In transit"
    VAULT = "Vault"
    RETURNED = "Back on site"


STATE_GROUPS: dict[StateGroup, tuple[DrmState, ...]] = {
    StateGroup.ONSITE: (DrmState.MOUNTABLE, DrmState.NOTMOUNTABLE),
    StateGroup.IN_TRANSIT: (DrmState.COURIER, DrmState.COURIERRETRIEVE),
    StateGroup.VAULT: (DrmState.VAULT, DrmState.VAULTRETRIEVE),
    StateGroup.RETURNED: (DrmState.ONSITERETRIEVE,),
}


class VolumeKind(enum.Enum):
    """What a DRM volume holds (QUERY DRMEDIA's volume type)."""

    DB_BACKUP = "DBBackup"
    DB_SNAPSHOT = "DBSnapshot"
    COPY_POOL = "CopyStgPool"
    ACTIVE_DATA_POOL = "ActiveDataStgPool"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def is_database(self) -> bool:
        return self in (VolumeKind.DB_BACKUP, VolumeKind.DB_SNAPSHOT)

    @classmethod
    def parse(cls, text: str) -> VolumeKind:
        key = text.strip().replace(" ", "").replace("-", "").lower()
        kind = _KIND_KEYS.get(key)
        if kind is None:
            names = ", ".join(k.value for k in cls)
            raise DrmError(f"unknown volume kind {text!r}: use one of {names}")
        return kind


# The texts a state is printed as (keyword, the client's caption, our label): a dict lookup
# before the general rule, for imports of 100,000 lines.
_STATE_KEYS: dict[str, DrmState] = {
    key: state
    for state in DrmState
    for key in (state.value, STATE_LABELS[state], STATE_LABELS[state].replace("-", ""))
}
# A kind by its value or member name, lower case without blanks, - or _ (dbbackup, copypool).
_KIND_KEYS: dict[str, VolumeKind] = {
    key: kind
    for kind in VolumeKind
    for key in (kind.value.lower(), kind.name.replace("_", "").lower())
}

KIND_LABELS: dict[VolumeKind, str] = {
    VolumeKind.DB_BACKUP: "DB backup",
    VolumeKind.DB_SNAPSHOT: "DB snapshot",
    VolumeKind.COPY_POOL: "Copy pool",
    VolumeKind.ACTIVE_DATA_POOL: "Active-data pool",
}


# --- The operator's moves (MOVE DRMEDIA WHERESTATE -> TOSTATE) [V] ------------------------

# Source state -> (default next state, every allowed target). Skipping states is allowed.
TRANSITIONS: dict[DrmState, tuple[DrmState, frozenset[DrmState]]] = {
    DrmState.MOUNTABLE: (
        DrmState.NOTMOUNTABLE,
        frozenset({DrmState.NOTMOUNTABLE, DrmState.COURIER, DrmState.VAULT}),
    ),
    DrmState.NOTMOUNTABLE: (
        DrmState.COURIER,
        frozenset({DrmState.COURIER, DrmState.VAULT}),
    ),
    DrmState.COURIER: (DrmState.VAULT, frozenset({DrmState.VAULT})),
    DrmState.VAULTRETRIEVE: (
        DrmState.COURIERRETRIEVE,
        frozenset({DrmState.COURIERRETRIEVE, DrmState.ONSITERETRIEVE}),
    ),
    DrmState.COURIERRETRIEVE: (DrmState.ONSITERETRIEVE, frozenset({DrmState.ONSITERETRIEVE})),
}

# Why a target is never reachable by an operator move, whatever the source.
_NEVER_A_TARGET: dict[DrmState, str] = {
    DrmState.MOUNTABLE: "tapes return to the library by a check-in, not by a move",
    DrmState.VAULTRETRIEVE: "only the expiry evaluation marks a tape VAULTRETRIEVE",
}

# Why a source never moves, whatever the target.
_NEVER_A_SOURCE: dict[DrmState, str] = {
    DrmState.VAULT: "a vaulted tape only returns through VAULTRETRIEVE, set when its data expires",
    DrmState.ONSITERETRIEVE: (
        "a tape back on site has left DRM tracking; check it in to the library instead"
    ),
}


def can_move(source: DrmState, target: DrmState) -> bool:
    entry = TRANSITIONS.get(source)
    return entry is not None and target in entry[1]


def allowed_targets(source: DrmState) -> frozenset[DrmState]:
    entry = TRANSITIONS.get(source)
    return entry[1] if entry else frozenset()


def default_target(source: DrmState) -> DrmState | None:
    entry = TRANSITIONS.get(source)
    return entry[0] if entry else None


def why_no_moves(source: DrmState) -> str:
    """Why a tape in *source* has no operator move at all."""
    return _NEVER_A_SOURCE.get(source, f"{source.value} has no operator move")


def refusal_reason(source: DrmState, target: DrmState) -> str | None:
    """None when the move is legal, else a sentence saying why it is not."""
    if can_move(source, target):
        return None
    prefix = f"{source.value} → {target.value}: "
    if source is target:
        return prefix + f"the tape is already {source.value}"
    if source in _NEVER_A_SOURCE:
        return prefix + _NEVER_A_SOURCE[source]
    if target in _NEVER_A_TARGET:
        return prefix + _NEVER_A_TARGET[target]
    allowed = ", ".join(s.value for s in sorted(allowed_targets(source), key=state_order))
    if source in (DrmState.VAULTRETRIEVE, DrmState.COURIERRETRIEVE):
        why = "a recalled tape only travels back on site"
    else:
        why = "a tape on its way out only travels on towards the vault"
    return prefix + f"{why} (allowed: {allowed})"


def state_order(state: DrmState) -> int:
    return _ORDER[state]


_ORDER = {state: i for i, state in enumerate(DrmState)}


# --- Location text written on entry [V, K for the retrieve states] -----------------------


@dataclass(frozen=True)
class LocationRule:
    """How a state's location text is chosen when a tape enters it.

    setting: the name of the setting holding the text; None with keep=True means the tape
    keeps the location it had; fixed: a constant text.
    """

    setting: str | None = None
    keep: bool = False
    fixed: str | None = None


LOCATION_ON_ENTRY: dict[DrmState, LocationRule] = {
    DrmState.MOUNTABLE: LocationRule(setting="library_name"),
    DrmState.NOTMOUNTABLE: LocationRule(setting="notmountable_name"),
    DrmState.COURIER: LocationRule(setting="courier_name"),
    DrmState.VAULT: LocationRule(setting="vault_name"),
    DrmState.VAULTRETRIEVE: LocationRule(keep=True),
    DrmState.COURIERRETRIEVE: LocationRule(setting="courier_name"),
    DrmState.ONSITERETRIEVE: LocationRule(fixed="ONSITE"),
}


def location_on_entry(target: DrmState, current_location: str, settings: dict[str, object]) -> str:
    """The location text a tape gets when it enters *target* (no to_location given)."""
    rule = LOCATION_ON_ENTRY[target]
    if rule.keep:
        return current_location
    if rule.fixed is not None:
        return rule.fixed
    assert rule.setting is not None
    return str(settings[rule.setting])


def refusal_summary(sources: set[DrmState], target: DrmState) -> str | None:
    """None when at least one of *sources* may move to *target*; else why none may
    (one sentence per source state), for a drop or menu entry that must be refused."""
    if any(can_move(s, target) for s in sources):
        return None
    reasons = [refusal_reason(s, target) or "" for s in sorted(sources, key=state_order)]
    return "; ".join(reasons)
