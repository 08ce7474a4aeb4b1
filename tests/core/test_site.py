"""Site data: validation naming the field, instruction files over stored texts, machines and
media, recovery tests, and the schema-1 -> 2 migration."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from drm_gui.core import db as db_mod
from drm_gui.core import site
from drm_gui.core.db import DatabaseInfo, close_database, make_database, open_database
from drm_gui.core.media import set_setting
from drm_gui.core.models import (
    AUDIT_MODELS,
    MANIFEST_MODELS,
    MODELS,
    RECONCILE_MODELS,
    ROLE_MODELS,
    SERVER_MODELS,
    SITE_MODELS,
    RecoveryOutcome,
    SchemaVersion,
    Setting,
    SiteText,
    database,
)
from drm_gui.core.plan_model import Machine, MediaType, RecoveryMedia


def test_validation_names_the_field(db: DatabaseInfo) -> None:
    with pytest.raises(site.SiteError, match=r"^priority:"):
        site.save_machine(Machine("m1", priority=100))
    with pytest.raises(site.SiteError, match=r"^machine name:"):
        site.save_machine(Machine(""))
    with pytest.raises(site.SiteError, match=r"^recovery media:"):
        site.save_machine(Machine("m1", media=(RecoveryMedia("NONE", MediaType.BOOT, ()),)))
    with pytest.raises(site.SiteError, match=r"^server name:"):
        site.set_server_identity(site.ServerIdentity(name="two words"))
    with pytest.raises(site.SiteError, match=r"^instructions:"):
        site.set_instructions("NOPE", "x")
    with pytest.raises(site.SiteError, match=r"^starter kit item 2:"):
        site.set_starter_kit(["ok", ""])


def test_machines_and_media(db: DatabaseInfo) -> None:
    boot = RecoveryMedia("BOOT1", MediaType.BOOT, ("V1", "V2"), "VAULT", "AIX")
    site.save_recovery_media(boot)
    site.save_machine(Machine("b", priority=60))
    site.save_machine(Machine("a", priority=5, server=True, nodes=("N1",), media=(boot,)))
    machines = site.list_machines()
    assert [m.name for m in machines] == ["a", "b"]
    assert machines[0].media == (boot,) and machines[0].nodes == ("N1",)
    site.save_machine(Machine("a2", priority=5), old_name="a")
    assert [m.name for m in site.list_machines()] == ["a2", "b"]
    assert site.list_machines()[0].media == ()
    with pytest.raises(site.SiteError, match="already exists"):
        site.save_machine(Machine("b"), old_name="a2")
    site.delete_recovery_media("BOOT1")
    site.delete_machine("b")
    assert [m.name for m in site.list_machines()] == ["a2"]


def test_a_new_entry_never_replaces_one_of_the_same_name(db: DatabaseInfo) -> None:
    site.save_recovery_media(RecoveryMedia("BOOT1", MediaType.BOOT, ("MK0001",)))
    with pytest.raises(site.SiteError, match="recovery media name: 'BOOT1' already exists"):
        site.save_recovery_media(RecoveryMedia("BOOT1", MediaType.OTHER, ()))
    site.save_machine(Machine("SRV1", priority=1))
    with pytest.raises(site.SiteError, match="machine name: 'SRV1' already exists"):
        site.save_machine(Machine("SRV1", priority=9))
    assert [(m.name, m.priority) for m in site.list_machines()] == [("SRV1", 1)]
    site.save_machine(Machine("SRV1", priority=2), old_name="SRV1")  # an edit is fine
    assert [m.priority for m in site.list_machines()] == [2]
    assert site.list_recovery_media()[0].media_type is MediaType.BOOT


def test_instruction_file_wins(db: DatabaseInfo, tmp_path: Path) -> None:
    site.set_instructions("OFFSITE", "stored text")
    assert site.get_instructions("OFFSITE") == ("stored text",)
    set_setting("instr_prefix", f"{tmp_path}/instr.")
    assert site.get_instructions("OFFSITE") == ("stored text",)
    (tmp_path / "instr.RECOVERY.INSTRUCTIONS.OFFSITE").write_text("from the file\nline 2\n")
    assert site.get_instructions("RECOVERY.INSTRUCTIONS.OFFSITE") == ("from the file", "line 2")


def test_server_files_are_imported(db: DatabaseInfo, tmp_path: Path) -> None:
    source = tmp_path / "devconfig.out"
    source.write_text("DEFINE DEVCLASS LTO devtype=LTO library=LIB1\n")
    copy = site.import_server_file(site.ServerFile.DEVCONFIG, source)
    assert copy.text.startswith("DEFINE DEVCLASS") and copy.source == str(source)
    with pytest.raises(site.SiteError, match=r"^DEVICE.CONFIGURATION.FILE: cannot read"):
        site.import_server_file(site.ServerFile.DEVCONFIG, tmp_path / "missing")


def test_recovery_tests_and_the_yearly_warning(db: DatabaseInfo) -> None:
    today = dt.date(2024, 6, 15)
    assert "No successful recovery test" in (site.recovery_test_warning(today) or "")
    site.record_recovery_test(dt.date(2023, 5, 1), RecoveryOutcome.SUCCESS, today=today)
    site.record_recovery_test(dt.date(2024, 5, 1), RecoveryOutcome.FAILED, "drive", today=today)
    assert site.last_successful_test() == dt.date(2023, 5, 1)
    assert "2023-05-01" in (site.recovery_test_warning(today) or "")
    site.record_recovery_test(dt.date(2024, 6, 1), RecoveryOutcome.SUCCESS, today=today)
    assert site.recovery_test_warning(today) is None
    assert site.list_recovery_tests()[0].outcome is RecoveryOutcome.SUCCESS
    with pytest.raises(site.SiteError, match=r"^test date:"):
        site.record_recovery_test(dt.date(2030, 1, 1), RecoveryOutcome.SUCCESS, today=today)


def test_a_schema_1_database_is_migrated(db_url: str) -> None:
    """A database as schema 1 left it gains the site tables, its data untouched."""
    raw, _ = make_database(db_url)
    raw.connect()
    database.initialize(raw)
    later = (
        SITE_MODELS
        + MANIFEST_MODELS
        + RECONCILE_MODELS
        + SERVER_MODELS
        + AUDIT_MODELS
        + ROLE_MODELS
    )
    old_models = [m for m in MODELS if m not in later]
    raw.create_tables(old_models)
    SchemaVersion.create(version=1)
    Setting.create(name="vault_name", value="IRON MOUNTAIN")
    raw.close()

    open_database(db_url)
    try:
        assert [r.version for r in SchemaVersion.select()] == [db_mod.SCHEMA_VERSION] == [8]
        tables = set(database.get_tables())
        assert {m._meta.table_name for m in later} <= tables
        assert Setting.get_by_id("vault_name").value == "IRON MOUNTAIN"
        site.set_instructions("GENERAL", "works")
        assert SiteText.select().count() == 1
    finally:
        close_database()
