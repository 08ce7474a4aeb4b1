"""The peewee models of drm-gui. Times are stored as naive UTC datetimes."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from drm_gui.core.states import DrmState, VolumeKind

database = DatabaseProxy()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class EnumField(CharField):
    """Stores an enum member by its value; reads it back as the member."""

    def __init__(self, enum_class: type[enum.Enum], **kwargs: Any) -> None:
        self.enum_class = enum_class
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def db_value(self, value: Any) -> Any:
        if isinstance(value, self.enum_class):
            return value.value
        return value

    def python_value(self, value: Any) -> Any:
        return None if value is None else self.enum_class(value)


class PoolType(enum.Enum):
    PRIMARY = "PRIMARY"
    COPY = "COPY"
    ACTIVEDATA = "ACTIVEDATA"


class SeriesKind(enum.Enum):
    """A database backup series: full (with its incrementals) or snapshot."""

    FULL = "FULL"
    SNAPSHOT = "SNAPSHOT"


class BatchKind(enum.Enum):
    MOVE = "MOVE"  # an operator move
    CORRECTION = "CORRECTION"  # undo of an operator's mistake; not bound by the move rules
    EXPIRY = "EXPIRY"  # VAULT -> VAULTRETRIEVE by the expiry evaluation
    IMPORT = "IMPORT"  # records created or changed by an import or the demo
    # A returned tape checked into the library as scratch (ONSITERETRIEVE -> MOUNTABLE).
    # Stored as text like every member: a new member needs no schema migration.
    CHECKIN = "CHECKIN"
    # A vault reconciliation's record-only resolution (mark missing, found, ignore).
    RECONCILE = "RECONCILE"


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = IntegerField()


class Setting(BaseModel):
    name = CharField(primary_key=True, max_length=64)
    value = TextField()


class StoragePool(BaseModel):
    id = AutoField()
    name = CharField(unique=True, max_length=30)
    pool_type = EnumField(PoolType)
    device_class = CharField(max_length=30, default="LTO")
    reuse_delay_days = IntegerField(default=0)
    worm = BooleanField(default=False)


class DbBackupSeries(BaseModel):
    id = AutoField()
    kind = EnumField(SeriesKind)
    number = IntegerField()
    started_at = DateTimeField()

    class Meta:
        indexes = ((("kind", "number"), True),)


class Volume(BaseModel):
    id = AutoField()
    volser = CharField(unique=True, max_length=32)
    kind = EnumField(VolumeKind)
    pool = ForeignKeyField(StoragePool, null=True, backref="volumes", on_delete="RESTRICT")
    state = EnumField(DrmState, index=True)
    location = CharField(max_length=255, default="")
    updated_at = DateTimeField()
    media_type = CharField(max_length=16, default="LTO-8")
    device_class = CharField(max_length=30, default="LTO")
    worm = BooleanField(default=False)
    pct_used = FloatField(default=0.0)
    empty_since = DateTimeField(null=True)
    series = ForeignKeyField(DbBackupSeries, null=True, backref="volumes", on_delete="RESTRICT")
    backup_operation = IntegerField(null=True)  # 0 = full, n = n-th incremental
    volume_seq = IntegerField(null=True)
    written_at = DateTimeField(null=True)  # when the backup on it was written
    library_slot = IntegerField(null=True)
    flag = CharField(max_length=255, default="")  # e.g. WORM disposition on return
    version = IntegerField(default=1)  # bumped on every change of state


class MoveBatch(BaseModel):
    id = AutoField()
    kind = EnumField(BatchKind)
    at = DateTimeField()
    os_user = CharField(max_length=64)
    workstation = CharField(max_length=255)
    reason = TextField(default="")
    target_state = EnumField(DrmState, null=True)
    corrects = ForeignKeyField("self", null=True, backref="corrections", on_delete="RESTRICT")


class Movement(BaseModel):
    """The append-only movement log: one row per volume per state change."""

    id = AutoField()
    batch = ForeignKeyField(MoveBatch, backref="movements", on_delete="RESTRICT")
    volume = ForeignKeyField(Volume, backref="movements", on_delete="RESTRICT", index=True)
    volser = CharField(max_length=32)
    kind = EnumField(BatchKind)
    from_state = EnumField(DrmState, null=True)
    to_state = EnumField(DrmState)
    from_location = CharField(max_length=255, default="")
    to_location = CharField(max_length=255, default="")
    at = DateTimeField()
    os_user = CharField(max_length=64)
    workstation = CharField(max_length=255)
    reason = TextField(default="")


MODELS: tuple[type[BaseModel], ...] = (
    SchemaVersion,
    Setting,
    StoragePool,
    DbBackupSeries,
    Volume,
    MoveBatch,
    Movement,
)


# --- Site data for the recovery plan (schema 2) ----------------------------------------------


class RecoveryOutcome(enum.Enum):
    SUCCESS = "SUCCESS"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"


class SiteText(BaseModel):
    """A named text of the site: the server identity (JSON), the RECOVERY.INSTRUCTIONS.*
    texts, the stored copies of volhist/devconfig/dsmserv.opt, the starter-kit checklist."""

    name = CharField(primary_key=True, max_length=64)
    text = TextField(default="")
    source = CharField(max_length=1024, default="")  # the file it was imported from
    updated_at = DateTimeField()


class SiteMachine(BaseModel):
    id = AutoField()
    name = CharField(unique=True, max_length=64)
    building = CharField(max_length=64, default="")
    floor = CharField(max_length=64, default="")
    room = CharField(max_length=64, default="")
    priority = IntegerField(default=50)
    description = TextField(default="")
    server = BooleanField(default=False)
    recovery_instructions = TextField(default="")  # one line per instruction line
    characteristics = TextField(default="")
    nodes = TextField(default="")  # one node name per line


class SiteRecoveryMedia(BaseModel):
    id = AutoField()
    name = CharField(unique=True, max_length=64)
    media_type = CharField(max_length=8)  # plan_model.MediaType value
    volumes = TextField(default="")  # one volume name per line, in load order
    location = CharField(max_length=255, default="")
    product = CharField(max_length=255, default="")


class MachineMedia(BaseModel):
    id = AutoField()
    machine = ForeignKeyField(SiteMachine, backref="media_links", on_delete="CASCADE")
    media = ForeignKeyField(SiteRecoveryMedia, backref="machine_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("machine", "media"), True),)


class RecoveryTest(BaseModel):
    id = AutoField()
    tested_on = DateField()
    outcome = EnumField(RecoveryOutcome)
    notes = TextField(default="")
    recorded_at = DateTimeField()


class PlanVersion(BaseModel):
    """A plan file written by drm-gui (the stored plan versions that expire)."""

    id = AutoField()
    created_at = DateTimeField(index=True)
    path = CharField(max_length=1024)
    source = CharField(max_length=255)  # the backup series the plan restores
    ready = BooleanField()
    sha256 = CharField(max_length=64)


SITE_MODELS: tuple[type[BaseModel], ...] = (
    SiteText,
    SiteMachine,
    SiteRecoveryMedia,
    MachineMedia,
    RecoveryTest,
    PlanVersion,
)

MODELS = MODELS + SITE_MODELS


# --- Courier manifests (schema 3) ------------------------------------------------------------


class ManifestDirection(enum.Enum):
    OUT = "OUT"  # tapes leaving for the vault (COURIER -> VAULT)
    IN = "IN"  # tapes recalled from the vault (VAULTRETRIEVE -> COURIERRETRIEVE -> on site)


class Manifest(BaseModel):
    """A courier manifest: the record a signed paper copy is checked against."""

    id = AutoField()
    number = IntegerField(unique=True)
    direction = EnumField(ManifestDirection)
    courier = CharField(max_length=255)
    vault = CharField(max_length=255)
    created_at = DateTimeField()
    os_user = CharField(max_length=64)
    workstation = CharField(max_length=255)
    sha256 = CharField(max_length=64)


class ManifestTape(BaseModel):
    """One tape of a manifest, as it was when the manifest was made."""

    id = AutoField()
    manifest = ForeignKeyField(Manifest, backref="tapes", on_delete="CASCADE")
    position = IntegerField()  # the order on the paper: by volser
    volume = ForeignKeyField(Volume, backref="manifest_lines", on_delete="RESTRICT", index=True)
    volser = CharField(max_length=32)
    pool = CharField(max_length=30, default="")
    kind = EnumField(VolumeKind)
    from_location = CharField(max_length=255, default="")
    to_location = CharField(max_length=255, default="")
    container = CharField(max_length=64, default="")

    class Meta:
        indexes = ((("manifest", "position"), True),)


MANIFEST_MODELS: tuple[type[BaseModel], ...] = (Manifest, ManifestTape)

MODELS = MODELS + MANIFEST_MODELS


# --- Vault reconciliation (schema 4) ---------------------------------------------------------


class MissingTape(BaseModel):
    """A tape marked missing by a reconciliation; open until found_at is set (scanned,
    listed by the vault again, or moved)."""

    id = AutoField()
    volume = ForeignKeyField(Volume, backref="missing_marks", on_delete="RESTRICT", index=True)
    volser = CharField(max_length=32)
    state = EnumField(DrmState)  # the state the records had when it was marked
    marked_at = DateTimeField()
    os_user = CharField(max_length=64)
    workstation = CharField(max_length=255)
    reason = TextField(default="")
    batch = ForeignKeyField(MoveBatch, null=True, on_delete="RESTRICT")
    found_at = DateTimeField(null=True, index=True)
    found_how = TextField(default="")


RECONCILE_MODELS: tuple[type[BaseModel], ...] = (MissingTape,)

MODELS = MODELS + RECONCILE_MODELS


# --- The storage server link (schema 5) ------------------------------------------------------


class CommandStatus(enum.Enum):
    """Where a MOVE DRMEDIA command for a local move stands."""

    PENDING = "PENDING"  # not yet sent (the link was down, or a send is under way)
    SENT = "SENT"  # the server accepted it and reports the volume in the new state
    REFUSED = "REFUSED"  # the server refused it; the move was rolled back on the board
    WRITTEN = "WRITTEN"  # written to a command file for the administrator (no link)
    SUPERSEDED = "SUPERSEDED"  # an import took the server's record instead


class ServerCommand(BaseModel):
    """One local movement as the server must hear it: the command sent (or written to a
    command file), and what became of it. A movement with no SENT command is a local change
    the server does not know of yet (an import reports it as a conflict)."""

    id = AutoField()
    movement = ForeignKeyField(Movement, backref="server_commands", on_delete="RESTRICT")
    volume = ForeignKeyField(Volume, backref="server_commands", on_delete="RESTRICT", index=True)
    volser = CharField(max_length=32)
    command = TextField()  # '' when no command is needed
    status = EnumField(CommandStatus, index=True)
    created_at = DateTimeField()
    done_at = DateTimeField(null=True)
    answer = TextField(default="")  # the server's messages, or why no command was needed
    target = CharField(max_length=1024, default="")  # the server name, or the command file


SERVER_MODELS: tuple[type[BaseModel], ...] = (ServerCommand,)

MODELS = MODELS + SERVER_MODELS


# --- The audit trail (schema 6) --------------------------------------------------------------


class AuditKind(enum.Enum):
    """What an audit row records: a batch of movements (by its BatchKind's value), a setting
    change, or an import of the server's records that no batch covers."""

    MOVE = "MOVE"
    CORRECTION = "CORRECTION"
    EXPIRY = "EXPIRY"
    IMPORT = "IMPORT"
    CHECKIN = "CHECKIN"
    RECONCILE = "RECONCILE"
    SETTING = "SETTING"
    IMPORT_FILE = "IMPORT_FILE"  # a copy of a server file stored (volhist, devconfig...)
    SYNC = "SYNC"  # pools and tape use taken from the server by a synchronisation


class AuditEntry(BaseModel):
    """One row of the tamper-evident audit trail: numbered 1, 2, 3... without a gap, each
    row's hash covering its fields and the hash of the row before (drm_gui.core.audit)."""

    seq = IntegerField(primary_key=True)
    at = DateTimeField(index=True)
    os_user = CharField(max_length=64)
    workstation = CharField(max_length=255)
    kind = EnumField(AuditKind)
    subject = TextField()  # a volser, a setting name, a file, or "N volumes"
    details = TextField()  # canonical JSON
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64)


class AuditHead(BaseModel):
    """The one row naming the chain's last entry. Appenders update it first, which
    serialises them, and verification compares it with the last row: rows cut off the end
    of the chain show."""

    id = IntegerField(primary_key=True)
    seq = IntegerField()
    hash = CharField(max_length=64)


AUDIT_GENESIS = "0" * 64  # the prev_hash of the first row, and the head of an empty chain

AUDIT_MODELS: tuple[type[BaseModel], ...] = (AuditEntry, AuditHead)

MODELS = MODELS + AUDIT_MODELS


# --- Roles (schema 8) ------------------------------------------------------------------------


class UserRole(BaseModel):
    """A workstation user's role (drm_gui.core.roles): operator or administrator."""

    os_user = CharField(primary_key=True, max_length=64)
    role = CharField(max_length=16)
    granted_by = CharField(max_length=64)
    granted_at = DateTimeField()


ROLE_MODELS: tuple[type[BaseModel], ...] = (UserRole,)

MODELS = MODELS + ROLE_MODELS
