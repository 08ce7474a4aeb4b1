"""The recovery plan as plain values: what `plan.build_plan()` produces, what the plan file
writer and the PDF renderer read. No database access and no Qt here."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from drm_gui.core.states import DrmState, VolumeKind


class MediaType(enum.Enum):
    """Recovery media (DOMAIN.md): boot media, or other media needed to rebuild a machine."""

    BOOT = "BOOT"
    OTHER = "OTHER"


@dataclass(frozen=True)
class Stanza:
    """One `begin NAME` … `end NAME` block of the plan file; *lines* are its content lines
    (never starting with `begin` or `end`: planexpl would split there)."""

    name: str
    lines: tuple[str, ...]
    executable: bool = False  # RECOVERY.SCRIPT.* and PRIMARY.VOLUMES.REPLACEMENT.CREATE


@dataclass(frozen=True)
class RequiredVolume:
    """A volume the recovery needs, with where it is now."""

    volser: str
    kind: VolumeKind
    state: DrmState
    location: str
    device_class: str
    pool: str = ""  # storage pool, '' for database backups
    series: int | None = None  # database backup series number
    operation: int | None = None  # 0 = full, n = n-th incremental
    sequence: int | None = None  # volume sequence within the backup operation


@dataclass(frozen=True)
class Readiness:
    """Whether the plan can be used at the vault alone: every required volume in VAULT."""

    ready: bool
    not_in_vault: tuple[RequiredVolume, ...] = ()  # still on site or in transit
    missing: tuple[str, ...] = ()  # volsers the plan needs that the records do not have
    expired: tuple[str, ...] = ()  # required volumes already due back (VAULTRETRIEVE...)

    @property
    def summary(self) -> str:
        if self.ready:
            return "Ready: every required volume is in the vault."
        parts = []
        if self.not_in_vault:
            parts.append(f"{len(self.not_in_vault)} required volume(s) not yet in the vault")
        if self.missing:
            parts.append(f"{len(self.missing)} missing")
        if self.expired:
            parts.append(f"{len(self.expired)} expired or recalled")
        return "Not ready: " + ", ".join(parts) + "."


@dataclass(frozen=True)
class RecoveryMedia:
    name: str
    media_type: MediaType
    volumes: tuple[str, ...]  # in load order
    location: str = ""
    product: str = ""


@dataclass(frozen=True)
class Machine:
    name: str
    building: str = ""
    floor: str = ""
    room: str = ""
    priority: int = 50  # 1 (highest) to 99
    description: str = ""
    server: bool = False  # the machine that runs the storage server
    recovery_instructions: tuple[str, ...] = ()
    characteristics: tuple[str, ...] = ()
    nodes: tuple[str, ...] = ()
    media: tuple[RecoveryMedia, ...] = ()


@dataclass(frozen=True)
class RecoveryPlan:
    """Everything a plan file and its PDF show."""

    server_name: str
    created_at: dt.datetime  # UTC
    plan_prefix: str
    source: str  # e.g. "database full series 1042 (newest)" or "as of 2026-10-01 06:00"
    readiness: Readiness
    volumes_required: tuple[RequiredVolume, ...]
    stanzas: tuple[Stanza, ...]
    instructions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # stanza -> text
    machines: tuple[Machine, ...] = ()
    starter_kit: tuple[str, ...] = ()  # checklist kept at the vault
    last_recovery_test: dt.date | None = None

    def stanza(self, name: str) -> Stanza:
        for stanza in self.stanzas:
            if stanza.name == name:
                return stanza
        raise KeyError(name)
