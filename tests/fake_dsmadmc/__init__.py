"""The fake ``dsmadmc`` for tests: build its server, run it, read back what it did.

``FakeServer`` describes a small storage server; ``write_state`` puts it in the JSON file
that the fake executable ``DSMADMC`` (a sh wrapper around ``fake_dsmadmc.py``) plays when
``FAKE_DSMADMC_STATE`` names it (``fake_env`` builds such an environment). ``received``
lists the server commands the fake was sent, ``drmedia_rows`` the DRM volumes as they are
now. ``sample_server`` is a server with a volume in every DRM state.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drm_gui.server import ServerProfile
from tests.fake_dsmadmc.fake_dsmadmc import load_state, locked_state, save_state

FAKE_DIR = Path(__file__).resolve().parent
DSMADMC = FAKE_DIR / "dsmadmc"
FAKE_DSMADMC_PY = FAKE_DIR / "fake_dsmadmc.py"
NOW = "2024-04-22 09:38:27"


@dataclass
class FakeServer:
    """Everything the fake server knows; see fake_dsmadmc.py for the meaning of each key."""

    server_name: str = "TSM8"
    variant: str = "8.1.21"
    platform: str = "Linux/x86_64"
    now: str | None = NOW
    admins: dict[str, str] = field(default_factory=lambda: {"ADMIN": "secret"})
    stored_password: bool = False
    auth_failure: str = "ANS1051I"
    stanzas: list[str] = field(default_factory=list)
    screen_width: int = 120
    drm: dict[str, str] = field(
        default_factory=lambda: {
            "courier_name": "COURIER",
            "vault_name": "VAULT",
            "notmountable_name": "NOTMOUNTABLE",
        }
    )
    drmedia: list[dict[str, Any]] = field(default_factory=list)
    volumes: list[dict[str, Any]] = field(default_factory=list)
    stgpools: list[dict[str, Any]] = field(default_factory=list)
    volhistory: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[str, str] = field(default_factory=dict)
    faults: dict[str, Any] = field(default_factory=dict)
    next_process: int = 1


def drm_volume(
    volume: str,
    state: str,
    *,
    upd_date: str = "2024-04-20 10:15:00",
    location: str = "",
    voltype: str = "CopyStgPool",
    stgpool: str = "COPYPOOL",
    lib: str = "",
) -> dict[str, Any]:
    """A DRMEDIA row (database volumes have no pool)."""
    pool = "" if voltype in ("DBBackup", "DBSnapshot") else stgpool
    return {
        "volume_name": volume,
        "state": state,
        "upd_date": upd_date,
        "location": location,
        "voltype": voltype,
        "stgpool_name": pool,
        "lib_name": lib,
    }


def sample_server(**changes: Any) -> FakeServer:
    """A server with volumes in every DRM state, a volume history and pools."""
    server = FakeServer(
        drmedia=[
            drm_volume("A00017L8", "MOUNTABLE", upd_date="2024-04-22 09:00:00", lib="LIB1"),
            drm_volume(
                "A00018L8", "MOUNTABLE", lib="LIB1", voltype="ActiveDataStgPool", stgpool="ADPOOL"
            ),
            drm_volume("DB0001L8", "MOUNTABLE", voltype="DBBackup", lib="LIB1"),
            drm_volume("SN0001L8", "MOUNTABLE", voltype="DBSnapshot", lib="LIB1"),
            drm_volume("A00019L8", "NOTMOUNTABLE", location="NOTMOUNTABLE"),
            drm_volume("A00020L8", "COURIER", location="COURIER"),
            drm_volume(
                "A00021L8", "VAULT", location="Iron Mountain, Box 7", upd_date="2024-03-05 11:00:00"
            ),
            drm_volume("DB0002L8", "VAULT", location="Iron Mountain, Box 7", voltype="DBBackup"),
            drm_volume("A00022L8", "VAULTRETRIEVE", location="Iron Mountain, Box 7"),
            drm_volume("A00023L8", "COURIERRETRIEVE", location="COURIER"),
        ],
        volumes=[
            {
                "volume_name": "A00017L8",
                "stgpool_name": "COPYPOOL",
                "devclass_name": "LTO8",
                "pct_utilized": 40.2,
                "status": "FILLING",
                "access": "READWRITE",
            },
            {
                "volume_name": "A00021L8",
                "stgpool_name": "COPYPOOL",
                "devclass_name": "LTO8",
                "pct_utilized": 100,
                "status": "FULL",
                "access": "OFFSITE",
                "location": "Iron Mountain, Box 7",
            },
            {
                "volume_name": "A00022L8",
                "stgpool_name": "COPYPOOL",
                "devclass_name": "LTO8",
                "pct_utilized": 0,
                "status": "EMPTY",
                "access": "OFFSITE",
            },
        ],
        stgpools=[
            {
                "stgpool_name": "BACKUPPOOL",
                "pooltype": "PRIMARY",
                "devclass": "DISK",
                "reusedelay": 0,
            },
            {"stgpool_name": "COPYPOOL", "pooltype": "COPY", "devclass": "LTO8", "reusedelay": 5},
            {
                "stgpool_name": "ADPOOL",
                "pooltype": "ACTIVEDATA",
                "devclass": "LTO8",
                "reusedelay": 1,
            },
        ],
        volhistory=[
            volhist("2024-04-20 10:15:00", "BACKUPFULL", 12, 0, 1, "LTO8", "DB0002L8"),
            volhist("2024-04-21 10:00:00", "BACKUPINCR", 12, 1, 1, "LTO8", "DB0002L8"),
            volhist("2024-04-22 08:00:00", "BACKUPFULL", 13, 0, 1, "LTO8", "DB0001L8"),
            volhist("2024-04-22 08:30:00", "DBSNAPSHOT", 3, 0, 1, "LTO8", "SN0001L8"),
            volhist("2024-04-01 12:00:00", "STGNEW", 0, 0, 0, "LTO8", "A00017L8"),
            volhist("2024-04-02 12:00:00", "STGREUSE", 0, 0, 0, "LTO8", "A00021L8"),
        ],
    )
    for name, value in changes.items():
        setattr(server, name, value)
    return server


def volhist(
    when: str,
    kind: str,
    series: int,
    operation: int,
    sequence: int,
    devclass: str,
    volume: str,
    location: str = "",
) -> dict[str, Any]:
    """A VOLHISTORY row."""
    return {
        "date_time": when,
        "type": kind,
        "backup_series": series,
        "backup_operation": operation,
        "volume_seq": sequence,
        "devclass": devclass,
        "volume_name": volume,
        "location": location,
    }


def volhist_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as a volhist.out file, in the layout remembered in DSMADMC.md §5.3 [K]."""
    lines = [
        "*********************************************************************************",
        "*",
        "*  Sequential Volume Usage History",
        f"*  Updated {NOW.replace('-', '/')}",
        "*",
        "*  Operation Volume  Backup Backup Volume Device  Volume",
        "*  Date/Time Type    Series Oper.  Seq    Class   Name",
        "*********************************************************************************",
    ]
    for row in rows:
        lines.append(
            f" {row['date_time'].replace('-', '/')}  {row['type']:<10} {row['backup_series']:>5}"
            f" {row['backup_operation']:>4} {row['volume_seq']:>5}  {row['devclass']}"
            f'  "{row["volume_name"]}"'
        )
        if row.get("location"):
            lines.append(f'  "{row["location"]}"')
    return "\n".join(lines) + "\n"


def write_state(path: Path, server: FakeServer | Mapping[str, Any]) -> Path:
    """Writes the server (a FakeServer or a raw state dict) and returns the path."""
    data = asdict(server) if isinstance(server, FakeServer) else dict(server)
    data.setdefault("received", [])
    data.setdefault("actlog", [])
    save_state(path, data)
    return path


def read_state(path: Path) -> dict[str, Any]:
    return load_state(path)


def update_state(path: Path, **changes: Any) -> dict[str, Any]:
    """Sets top-level keys of the state (under the fake's lock); returns the new state."""
    with locked_state(path) as state:
        state.update(changes)
    return state


def set_faults(path: Path, **faults: Any) -> dict[str, Any]:
    """Adds faults (``unreachable=True``, ``hang_seconds=5``...); None removes one."""
    with locked_state(path) as state:
        for name, value in faults.items():
            if value is None:
                state["faults"].pop(name, None)
            else:
                state["faults"][name] = value
    return state


def received(path: Path) -> list[str]:
    """The server commands the fake was sent, oldest first."""
    return [entry["command"] for entry in read_state(path)["received"]]


def drmedia_rows(path: Path) -> dict[str, dict[str, Any]]:
    """Volume name -> its DRMEDIA row, as the fake server has it now."""
    return {row["volume_name"]: row for row in read_state(path)["drmedia"]}


def fake_env(path: Path, **extra: str) -> dict[str, str]:
    """An environment in which ``dsmadmc`` is the fake, playing the server in ``path``."""
    env = dict(os.environ)
    env["FAKE_DSMADMC_STATE"] = str(path)
    env["FAKE_DSMADMC_PYTHON"] = sys.executable
    env["PATH"] = f"{FAKE_DIR}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def fake_profile(path: Path, **changes: Any) -> ServerProfile:
    """A link profile whose client is the fake, playing the server in ``path``."""
    values: dict[str, Any] = {
        "command": str(DSMADMC),
        "admin_id": "admin",
        "timeout_s": 30.0,
        "extra_env": {"FAKE_DSMADMC_PYTHON": sys.executable, "FAKE_DSMADMC_STATE": str(path)},
    }
    values.update(changes)
    return ServerProfile(**values)


def run_dsmadmc(
    path: Path,
    *args: str,
    stdin: str | None = None,
    timeout: float = 30.0,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Runs the fake executable as a script would run dsmadmc; stdin is empty unless given."""
    return subprocess.run(
        [str(DSMADMC), *args],
        env=dict(env) if env is not None else fake_env(path),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


__all__ = [
    "DSMADMC",
    "FAKE_DIR",
    "FAKE_DSMADMC_PY",
    "NOW",
    "FakeServer",
    "drm_volume",
    "drmedia_rows",
    "fake_env",
    "fake_profile",
    "read_state",
    "received",
    "run_dsmadmc",
    "sample_server",
    "set_faults",
    "update_state",
    "volhist",
    "volhist_text",
    "write_state",
]
