"""RecoveryPlan values built by hand, for the PDF tests (no database, no plan builder)."""

from __future__ import annotations

import datetime as dt

from drm_gui.core.plan_model import (
    Machine,
    MediaType,
    Readiness,
    RecoveryMedia,
    RecoveryPlan,
    RequiredVolume,
    Stanza,
)
from drm_gui.core.states import DrmState, VolumeKind

CREATED = dt.datetime(2026, 10, 1, 6, 30, tzinfo=dt.UTC)
LONG_LINE = "define devclass LTO8CLASS devtype=lto library=LIB1 " + "x" * 230 + " END-OF-LINE"


def volumes(count: int, *, courier: int = 0, vault: str = "Vault 3") -> tuple[RequiredVolume, ...]:
    """*count* required volumes: a DB backup series of 3, then copy-pool volumes; the first
    *courier* copy-pool volumes are still in COURIER, the others at *vault*."""
    result = []
    for n in range(count):
        if n < 3:
            result.append(
                RequiredVolume(
                    f"DB{n:04d}L8",
                    VolumeKind.DB_BACKUP,
                    DrmState.VAULT,
                    "Iron Mountain, vault 3",
                    "LTO8CLASS",
                    series=1042,
                    operation=0 if n == 0 else n,
                    sequence=1,
                )
            )
        else:
            state = DrmState.COURIER if n - 3 < courier else DrmState.VAULT
            location = "Courier: Iron Mountain van" if state is DrmState.COURIER else vault
            result.append(
                RequiredVolume(
                    f"A{n:05d}L8",
                    VolumeKind.COPY_POOL,
                    state,
                    location,
                    "LTO8CLASS",
                    pool=f"COPYPOOL{n % 3}",
                )
            )
    return tuple(result)


def stanzas(required: tuple[RequiredVolume, ...]) -> tuple[Stanza, ...]:
    return (
        Stanza("PLANFILE.DESCRIPTION", ("Recovery Plan for Server SERVER1", "Created 2026-10-01")),
        Stanza("RECOVERY.INSTRUCTIONS.GENERAL", ("Call the DR coordinator: +41 44 555 12 12",)),
        Stanza(
            "RECOVERY.VOLUMES.REQUIRED",
            tuple(f"{v.volser:<10} {v.location:<30} {v.device_class}" for v in required),
        ),
        Stanza(
            "RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE",
            ("#!/bin/sh", "dsmadmc -id=$1 -pa=$2 macro RECOVERY.DEVICES.REQUIRED", LONG_LINE),
            executable=True,
        ),
        Stanza("DEVICE.CONFIGURATION.FILE", ("DEFINE DEVCLASS LTO8CLASS DEVTYPE=LTO",)),
        Stanza("MACHINE.GENERAL.INFORMATION", ("Machine Name: TSMSRV01",)),
    )


def plan(
    count: int = 5,
    *,
    courier: int = 0,
    tested: dt.date | None = None,
    vault: str = "Vault 3",
) -> RecoveryPlan:
    required = volumes(count, courier=courier, vault=vault)
    waiting = tuple(v for v in required if v.state is not DrmState.VAULT)
    readiness = Readiness(ready=not waiting, not_in_vault=waiting)
    boot = RecoveryMedia("BOOTCD", MediaType.BOOT, ("CD0001", "CD0002"), "Vault 3", "RHEL 9")
    machine = Machine(
        "TSMSRV01",
        building="B2",
        floor="1",
        room="114",
        priority=1,
        description="Storage server, rack 4",
        server=True,
        recovery_instructions=("Boot from BOOTCD, then run the DR script.",),
        characteristics=("CPU: 2x Xeon 4314", "RAM: 256 GB", "HBA: 2x QLogic QLE2772"),
        nodes=("NODE_A", "NODE_B"),
        media=(boot,),
    )
    return RecoveryPlan(
        server_name="SERVER1",
        created_at=CREATED,
        plan_prefix="/var/drm/plans/SERVER1.",
        source="database full series 1042 (newest)",
        readiness=readiness,
        volumes_required=required,
        stanzas=stanzas(required),
        instructions={
            "RECOVERY.INSTRUCTIONS.GENERAL": ("DR coordinator: Anna Muster, +41 44 555 12 12",),
            "RECOVERY.INSTRUCTIONS.OFFSITE": ("Vault: Iron Mountain, badge at reception",),
        },
        machines=(machine,),
        starter_kit=("This plan, printed", "OS boot media (BOOTCD)", "Hardware notes"),
        last_recovery_test=tested if tested is not None else dt.date(2026, 3, 4),
    )
