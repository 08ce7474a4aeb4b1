"""The site data the administrator edits for the recovery plan: the server's identity, the
RECOVERY.INSTRUCTIONS.* texts, machines and their recovery media, copies of the server's own
files, the starter-kit checklist and the annual recovery tests. One transaction per change;
every refusal names the field. No Qt here."""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from drm_gui.core import audit
from drm_gui.core.media import current_actor, load_settings
from drm_gui.core.models import (
    MachineMedia,
    RecoveryOutcome,
    RecoveryTest,
    SiteMachine,
    SiteRecoveryMedia,
    SiteText,
    database,
    utcnow,
)
from drm_gui.core.plan_model import Machine, MediaType, RecoveryMedia
from drm_gui.core.roles import Action, administrators_only
from drm_gui.core.states import DrmError

log = logging.getLogger(__name__)


class SiteError(DrmError):
    """A site entry is not acceptable; the message names the field."""


# --- The server's identity ------------------------------------------------------------------


@dataclass(frozen=True)
class ServerIdentity:
    name: str = ""
    address: str = ""
    operating_system: str = ""
    options: tuple[str, ...] = ()  # notes on the server options and installation
    db_space: str = ""  # e.g. "400 GB" (SERVER.REQUIREMENTS)
    log_space: str = ""  # active + archive log space
    db_storage_paths: tuple[str, ...] = ()  # DB.STORAGEPATHS, one directory a line
    licenses: tuple[str, ...] = ()  # license files for REGISTER LICENSE


_SERVER_KEY = "server.identity"


def get_server_identity() -> ServerIdentity:
    row = SiteText.get_or_none(SiteText.name == _SERVER_KEY)
    if row is None or not row.text:
        return ServerIdentity()
    data = json.loads(row.text)
    return ServerIdentity(
        name=data.get("name", ""),
        address=data.get("address", ""),
        operating_system=data.get("operating_system", ""),
        options=tuple(data.get("options", ())),
        db_space=data.get("db_space", ""),
        log_space=data.get("log_space", ""),
        db_storage_paths=tuple(data.get("db_storage_paths", ())),
        licenses=tuple(data.get("licenses", ())),
    )


@administrators_only(Action.SITE)
def set_server_identity(identity: ServerIdentity) -> None:
    _one_line("server name", identity.name, 64, required=True)
    if " " in identity.name:
        raise SiteError("server name: may not contain blanks")
    _one_line("server address", identity.address, 255)
    _one_line("operating system", identity.operating_system, 255)
    _one_line("database space", identity.db_space, 64)
    _one_line("log space", identity.log_space, 64)
    for path in identity.db_storage_paths:
        _one_line("database storage path", path, 1024, required=True)
    for lic in identity.licenses:
        _one_line("license file", lic, 255, required=True)
    data = {
        "name": identity.name.strip(),
        "address": identity.address.strip(),
        "operating_system": identity.operating_system.strip(),
        "options": list(identity.options),
        "db_space": identity.db_space.strip(),
        "log_space": identity.log_space.strip(),
        "db_storage_paths": [p.strip() for p in identity.db_storage_paths],
        "licenses": [p.strip() for p in identity.licenses],
    }
    _put_text(_SERVER_KEY, json.dumps(data, sort_keys=True))


# --- RECOVERY.INSTRUCTIONS.* -----------------------------------------------------------------

INSTRUCTION_NAMES: tuple[str, ...] = tuple(
    f"RECOVERY.INSTRUCTIONS.{part}"
    for part in ("GENERAL", "OFFSITE", "INSTALL", "DATABASE", "STGPOOL")
)


def _instruction_name(name: str) -> str:
    key = name.strip().upper()
    if not key.startswith("RECOVERY.INSTRUCTIONS."):
        key = f"RECOVERY.INSTRUCTIONS.{key}"
    if key not in INSTRUCTION_NAMES:
        known = ", ".join(n.rsplit(".", 1)[1] for n in INSTRUCTION_NAMES)
        raise SiteError(f"instructions: unknown text {name!r}: use one of {known}")
    return key


def instruction_file(name: str) -> Path | None:
    """The file DRM would read the text from (instr_prefix + stanza name), or None."""
    prefix = str(load_settings()["instr_prefix"])
    if not prefix:
        return None
    return Path(prefix + _instruction_name(name))


def get_instructions(name: str) -> tuple[str, ...]:
    """The text of one RECOVERY.INSTRUCTIONS.* stanza: the file instr_prefix + NAME when it
    exists (as DRM read it), else the text stored in the app."""
    key = _instruction_name(name)
    path = instruction_file(key)
    if path is not None and path.is_file():
        try:
            return tuple(path.read_text(encoding="utf-8", errors="replace").splitlines())
        except OSError as exc:
            log.warning("cannot read %s: %s; using the stored text", path, exc)
    row = SiteText.get_or_none(SiteText.name == key)
    return tuple(row.text.splitlines()) if row is not None else ()


@administrators_only(Action.SITE)
def set_instructions(name: str, text: str) -> None:
    _put_text(_instruction_name(name), text)


# --- Copies of the server's own files -------------------------------------------------------


class ServerFile(enum.Enum):
    """The server's files a recovery needs and cannot re-create, with their stanza."""

    VOLHIST = "VOLUME.HISTORY.FILE"
    DEVCONFIG = "DEVICE.CONFIGURATION.FILE"
    DSMSERV_OPT = "DSMSERV.OPT.FILE"


MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ServerFileCopy:
    kind: ServerFile
    text: str
    source: str  # the file it was imported from, '' when typed in
    updated_at: dt.datetime


@administrators_only(Action.SITE)
def import_server_file(kind: ServerFile, path: str | Path) -> ServerFileCopy:
    """Stores a copy of the server file at *path* (volhist.out, devconfig.out, dsmserv.opt)."""
    source = Path(path).expanduser()
    try:
        if source.stat().st_size > MAX_FILE_BYTES:
            raise SiteError(f"{kind.value}: {source} is larger than 64 MB")
        text = source.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SiteError(f"{kind.value}: cannot read {source}: {exc.strerror or exc}") from None
    set_server_file(kind, text, source=str(source.resolve()))
    return get_server_file(kind)  # type: ignore[return-value]


@administrators_only(Action.SITE)
def set_server_file(kind: ServerFile, text: str, *, source: str = "") -> None:
    """Stores the copy of a server file that the plan uses, with its audit row."""
    with database.atomic():
        _put_text(f"file.{kind.value}", text, source=source)
        audit.record_file(kind.value, text, source, actor=current_actor(), at=utcnow())


def get_server_file(kind: ServerFile) -> ServerFileCopy | None:
    row = SiteText.get_or_none(SiteText.name == f"file.{kind.value}")
    if row is None:
        return None
    return ServerFileCopy(kind, row.text, row.source, row.updated_at)


# --- Machines and recovery media ------------------------------------------------------------


def _lines(text: str) -> tuple[str, ...]:
    return tuple(text.splitlines()) if text else ()


def list_recovery_media() -> list[RecoveryMedia]:
    return [_media_value(m) for m in SiteRecoveryMedia.select().order_by(SiteRecoveryMedia.name)]


def _media_value(row: SiteRecoveryMedia) -> RecoveryMedia:
    return RecoveryMedia(
        name=row.name,
        media_type=MediaType(row.media_type),
        volumes=_lines(row.volumes),
        location=row.location,
        product=row.product,
    )


@administrators_only(Action.SITE)
def save_recovery_media(media: RecoveryMedia, *, old_name: str | None = None) -> None:
    """Creates the recovery media *media*, or replaces the one named *old_name*."""
    name = _name("recovery media name", media.name)
    if not isinstance(media.media_type, MediaType):
        raise SiteError("recovery media type: use BOOT or OTHER")
    for volume in media.volumes:
        _one_line("recovery media volume", volume, 64, required=True)
    _one_line("recovery media location", media.location, 255)
    _one_line("recovery media product", media.product, 255)
    fields = {
        "name": name,
        "media_type": media.media_type.value,
        "volumes": "\n".join(v.strip() for v in media.volumes),
        "location": media.location.strip(),
        "product": media.product.strip(),
    }
    with database.atomic():
        existing = (
            SiteRecoveryMedia.get_or_none(SiteRecoveryMedia.name == old_name)
            if old_name is not None
            else None
        )
        clash = SiteRecoveryMedia.get_or_none(SiteRecoveryMedia.name == name)
        if clash is not None and (existing is None or clash.id != existing.id):
            raise SiteError(f"recovery media name: {name!r} already exists")
        if old_name is not None and existing is None:
            raise SiteError(f"recovery media name: no recovery media {old_name!r}")
        if existing is None:
            SiteRecoveryMedia.create(**fields)
        else:
            SiteRecoveryMedia.update(**fields).where(SiteRecoveryMedia.id == existing.id).execute()


@administrators_only(Action.SITE)
def delete_recovery_media(name: str) -> None:
    with database.atomic():
        row = SiteRecoveryMedia.get_or_none(SiteRecoveryMedia.name == name)
        if row is None:
            raise SiteError(f"recovery media name: no recovery media {name!r}")
        MachineMedia.delete().where(MachineMedia.media == row.id).execute()
        row.delete_instance()


def list_machines() -> list[Machine]:
    """Every machine with its recovery media, highest priority (1) first."""
    media_by_machine: dict[int, list[RecoveryMedia]] = {}
    query = (
        MachineMedia.select(MachineMedia, SiteRecoveryMedia)
        .join(SiteRecoveryMedia)
        .order_by(SiteRecoveryMedia.name)
    )
    for link in query:
        media_by_machine.setdefault(link.machine_id, []).append(_media_value(link.media))
    return [
        Machine(
            name=row.name,
            building=row.building,
            floor=row.floor,
            room=row.room,
            priority=row.priority,
            description=row.description,
            server=row.server,
            recovery_instructions=_lines(row.recovery_instructions),
            characteristics=_lines(row.characteristics),
            nodes=_lines(row.nodes),
            media=tuple(media_by_machine.get(row.id, ())),
        )
        for row in SiteMachine.select().order_by(SiteMachine.priority, SiteMachine.name)
    ]


@administrators_only(Action.SITE)
def save_machine(machine: Machine, *, old_name: str | None = None) -> None:
    """Creates *machine*, or replaces the one named *old_name*; its recovery media are linked
    by name (they must exist)."""
    name = _name("machine name", machine.name)
    for label, value in (
        ("building", machine.building),
        ("floor", machine.floor),
        ("room", machine.room),
    ):
        _one_line(label, value, 64)
    if isinstance(machine.priority, bool) or not isinstance(machine.priority, int):
        raise SiteError("priority: must be a whole number from 1 to 99")
    if not 1 <= machine.priority <= 99:
        raise SiteError(f"priority: {machine.priority} is out of range: use 1 (highest) to 99")
    for node in machine.nodes:
        _one_line("associated node", node, 64, required=True)
    fields = {
        "name": name,
        "building": machine.building.strip(),
        "floor": machine.floor.strip(),
        "room": machine.room.strip(),
        "priority": machine.priority,
        "description": machine.description,
        "server": bool(machine.server),
        "recovery_instructions": "\n".join(machine.recovery_instructions),
        "characteristics": "\n".join(machine.characteristics),
        "nodes": "\n".join(n.strip() for n in machine.nodes),
    }
    with database.atomic():
        media_ids = []
        for media in machine.media:
            row = SiteRecoveryMedia.get_or_none(SiteRecoveryMedia.name == media.name)
            if row is None:
                raise SiteError(
                    f"recovery media: no recovery media {media.name!r}; create it first"
                )
            media_ids.append(row.id)
        existing = (
            SiteMachine.get_or_none(SiteMachine.name == old_name) if old_name is not None else None
        )
        clash = SiteMachine.get_or_none(SiteMachine.name == name)
        if clash is not None and (existing is None or clash.id != existing.id):
            raise SiteError(f"machine name: {name!r} already exists")
        if old_name is not None and existing is None:
            raise SiteError(f"machine name: no machine {old_name!r}")
        if existing is None:
            machine_id = SiteMachine.create(**fields).id
        else:
            machine_id = existing.id
            SiteMachine.update(**fields).where(SiteMachine.id == machine_id).execute()
            MachineMedia.delete().where(MachineMedia.machine == machine_id).execute()
        for media_id in dict.fromkeys(media_ids):
            MachineMedia.create(machine=machine_id, media=media_id)


@administrators_only(Action.SITE)
def delete_machine(name: str) -> None:
    with database.atomic():
        row = SiteMachine.get_or_none(SiteMachine.name == name)
        if row is None:
            raise SiteError(f"machine name: no machine {name!r}")
        MachineMedia.delete().where(MachineMedia.machine == row.id).execute()
        row.delete_instance()


# --- The starter kit ------------------------------------------------------------------------

DEFAULT_STARTER_KIT: tuple[str, ...] = (
    "This recovery plan (printed) and its split files on removable media",
    "Operating system installation and boot media of the server machine",
    "Storage server installation media and license files",
    "Hardware notes: server, tape library, drives, SAN and network settings",
    "Recovery scripts and the administrator password envelope (sealed)",
    "Contact list: staff, vendors, vault, courier",
)
_STARTER_KEY = "starter_kit"


def get_starter_kit() -> tuple[str, ...]:
    row = SiteText.get_or_none(SiteText.name == _STARTER_KEY)
    return DEFAULT_STARTER_KIT if row is None else _lines(row.text)


@administrators_only(Action.SITE)
def set_starter_kit(items: Sequence[str]) -> None:
    cleaned = []
    for index, item in enumerate(items, 1):
        _one_line(f"starter kit item {index}", item, 255, required=True)
        cleaned.append(item.strip())
    _put_text(_STARTER_KEY, "\n".join(cleaned))


# --- Recovery tests -------------------------------------------------------------------------

TEST_WARNING_DAYS = 365  # "once a year" (DOMAIN.md)


@dataclass(frozen=True)
class RecoveryTestRecord:
    id: int
    tested_on: dt.date
    outcome: RecoveryOutcome
    notes: str


@administrators_only(Action.SITE)
def record_recovery_test(
    tested_on: dt.date, outcome: RecoveryOutcome, notes: str = "", *, today: dt.date | None = None
) -> int:
    if not isinstance(tested_on, dt.date) or isinstance(tested_on, dt.datetime):
        raise SiteError("test date: give a date")
    if tested_on > (today or utcnow().date()):
        raise SiteError(f"test date: {tested_on.isoformat()} is in the future")
    if not isinstance(outcome, RecoveryOutcome):
        raise SiteError("outcome: use SUCCESS, PARTIAL or FAILED")
    with database.atomic():
        row = RecoveryTest.create(
            tested_on=tested_on, outcome=outcome, notes=notes, recorded_at=utcnow()
        )
    return int(row.id)


def list_recovery_tests() -> list[RecoveryTestRecord]:
    query = RecoveryTest.select().order_by(RecoveryTest.tested_on.desc(), RecoveryTest.id.desc())
    return [RecoveryTestRecord(r.id, _date(r.tested_on), r.outcome, r.notes) for r in query]


@administrators_only(Action.SITE)
def delete_recovery_test(test_id: int) -> None:
    with database.atomic():
        if not RecoveryTest.delete().where(RecoveryTest.id == test_id).execute():
            raise SiteError(f"recovery test: no test {test_id}")


def last_successful_test() -> dt.date | None:
    value = (
        RecoveryTest.select(RecoveryTest.tested_on)
        .where(RecoveryTest.outcome == RecoveryOutcome.SUCCESS)
        .order_by(RecoveryTest.tested_on.desc())
        .scalar()
    )
    return None if value is None else _date(value)


def recovery_test_warning(today: dt.date) -> str | None:
    """A warning when the last successful recovery test is over a year old (or none)."""
    last = last_successful_test()
    if last is None:
        return "No successful recovery test is on record: test the plan once a year."
    age = (today - last).days
    if age > TEST_WARNING_DAYS:
        return (
            f"The last successful recovery test was on {last.isoformat()}, {age} days ago: "
            "test the plan once a year."
        )
    return None


# --- Helpers --------------------------------------------------------------------------------


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _one_line(field: str, value: str, max_len: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise SiteError(f"{field}: must be text")
    text = value.strip()
    if required and not text:
        raise SiteError(f"{field}: may not be empty")
    if len(text) > max_len:
        raise SiteError(f"{field}: is {len(text)} characters long: at most {max_len}")
    if any(ord(c) < 32 for c in text):
        raise SiteError(f"{field}: may not contain line breaks or control characters")
    return text


def _name(field: str, value: str) -> str:
    text = _one_line(field, value, 64, required=True)
    if " " in text:
        raise SiteError(f"{field}: may not contain blanks")
    return text


def _put_text(name: str, text: str, *, source: str = "") -> None:
    if "\x00" in text:
        raise SiteError(f"{name}: the text contains NUL characters")
    now = utcnow()
    with database.atomic():
        SiteText.insert(name=name, text=text, source=source, updated_at=now).on_conflict(
            conflict_target=[SiteText.name],
            update={SiteText.text: text, SiteText.source: source, SiteText.updated_at: now},
        ).execute()
