"""The SET DRM* settings: defaults, validation, storage and read-back."""

from __future__ import annotations

import pytest

from drm_gui.core import media
from drm_gui.core import settings as settings_mod
from drm_gui.core.db import DatabaseInfo
from drm_gui.core.models import Setting
from drm_gui.core.settings import SettingError, SettingValue, parse_location, parse_setting

EXPECTED_DEFAULTS: dict[str, SettingValue] = {
    "db_backup_expire_days": 60,
    "rpf_expire_days": 60,
    "courier_name": "COURIER",
    "vault_name": "VAULT",
    "notmountable_name": "NOTMOUNTABLE",
    "library_name": "LIB1",
    "check_label": True,
    "file_process": False,
    "plan_prefix": "",
    "instr_prefix": "",
    "primary_pools": (),
    "copy_pools": (),
    "active_data_pools": (),
    "plan_volume_postfix": "@",
    "cmd_file_name": "exec.cmds",
    "cmd_template": "MOVE DRMEDIA &VOL WHERESTATE=&FROM TOSTATE=&TO &TOLOC WAIT=YES",
    "server_link": False,
    "server_command": "dsmadmc",
    "server_name": "",
    "server_admin": "",
    "server_stored_password": False,
    "server_options_file": "",
    "server_timeout": 120,
    "plan_schedule": False,
    "plan_schedule_time": "06:00",
    "plan_schedule_pdf": True,
}


def test_defaults() -> None:
    assert settings_mod.defaults() == EXPECTED_DEFAULTS


GOOD: list[tuple[str, str, SettingValue]] = [
    ("server_name", " SERVER_1.a-b ", "SERVER_1.a-b"),
    ("server_admin", "", ""),
    ("server_timeout", "5", 5),
    ("server_link", "yes", True),
    (
        "server_command",
        " /opt/tivoli/tsm/client/ba/bin/dsmadmc ",
        "/opt/tivoli/tsm/client/ba/bin/dsmadmc",
    ),
    ("server_stored_password", "NO", False),
    ("server_options_file", "", ""),
    ("cmd_template", " move drmedia &vol tostate=&TO ", "move drmedia &vol tostate=&TO"),
    ("db_backup_expire_days", "0", 0),
    ("db_backup_expire_days", " 9999 ", 9999),
    ("rpf_expire_days", "30", 30),
    ("courier_name", "  Iron Mountain  ", "Iron Mountain"),
    ("vault_name", "V" * 255, "V" * 255),
    ("notmountable_name", "Safe room 2", "Safe room 2"),
    ("library_name", "TS3500", "TS3500"),
    ("check_label", "no", False),
    ("check_label", "Yes", True),
    ("file_process", "y", True),
    ("file_process", "OFF", False),
    ("plan_prefix", "/srv/drm/plans/", "/srv/drm/plans/"),
    ("plan_prefix", "", ""),
    (
        "instr_prefix",
        "/srv/drm/instr/RECOVERY.INSTRUCTIONS",
        "/srv/drm/instr/RECOVERY.INSTRUCTIONS",
    ),
    ("copy_pools", "copypool1, copy_2;OFF*", ("COPYPOOL1", "COPY_2", "OFF*")),
    ("primary_pools", "", ()),
    ("active_data_pools", "ADP?", ("ADP?",)),
    ("plan_volume_postfix", "#", "#"),
    ("cmd_file_name", "move.cmds", "move.cmds"),
    ("plan_schedule", "yes", True),
    ("plan_schedule_time", " 6:05 ", "06:05"),
    ("plan_schedule_time", "23:59", "23:59"),
    ("plan_schedule_time", "00.00", "00:00"),
    ("plan_schedule_pdf", "NO", False),
]


@pytest.mark.parametrize(("name", "text", "value"), GOOD, ids=[f"{g[0]}={g[1]!r}" for g in GOOD])
def test_good_values(name: str, text: str, value: SettingValue) -> None:
    assert parse_setting(name, text) == value


BAD: list[tuple[str, str, str]] = [
    ("server_name", "SERVER 1", "letters, digits"),
    ("server_admin", "a;rm -rf", "letters, digits"),
    ("server_timeout", "4", "out of range"),
    ("server_link", "maybe", "not YES or NO"),
    ("server_command", "", "may not be empty"),
    ("server_stored_password", "2", "not YES or NO"),
    ("server_options_file", "a\nb", "control characters"),
    ("cmd_template", "MOVE DRMEDIA * WHERESTATE=VAULT", "must contain &VOL"),
    ("db_backup_expire_days", "-1", "out of range"),
    ("db_backup_expire_days", "10000", "out of range"),
    ("db_backup_expire_days", "sixty", "not a whole number"),
    ("rpf_expire_days", "1.5", "not a whole number"),
    ("courier_name", "C" * 256, "at most 255"),
    ("vault_name", "", "may not be empty"),
    ("vault_name", "VAULT\nB", "control characters"),
    ("notmountable_name", "tab\there", "control characters"),
    ("library_name", "   ", "may not be empty"),
    ("check_label", "maybe", "not YES or NO"),
    ("file_process", "", "not YES or NO"),
    ("copy_pools", "GOOD,BAD POOL", "not a pool name"),
    ("primary_pools", "P" * 31, "not a pool name"),
    ("active_data_pools", "pool/1", "not a pool name"),
    ("plan_volume_postfix", "@@", "exactly one printable character"),
    ("plan_volume_postfix", "", "exactly one printable character"),
    ("plan_prefix", "/srv/my plans/", "blanks"),
    ("instr_prefix", "/srv/instr\x7f\x1b", "control characters"),
    ("cmd_file_name", "x" * 256, "at most 255"),
    ("plan_schedule", "daily", "not YES or NO"),
    ("plan_schedule_time", "24:00", "not a time of day: use HH:MM"),
    ("plan_schedule_time", "6:60", "not a time of day"),
    ("plan_schedule_time", "6am", "not a time of day"),
    ("plan_schedule_time", "", "00:00 to 23:59"),
    ("plan_schedule_pdf", "pdf", "not YES or NO"),
]


@pytest.mark.parametrize(("name", "text", "why"), BAD, ids=[f"{b[0]}={b[1][:12]!r}" for b in BAD])
def test_bad_values(name: str, text: str, why: str) -> None:
    with pytest.raises(SettingError) as excinfo:
        parse_setting(name, text)
    message = str(excinfo.value)
    assert message.startswith(f"{name}: ")  # names the setting
    assert why in message


def test_every_setting_has_a_good_and_a_bad_case() -> None:
    names = set(EXPECTED_DEFAULTS)
    assert {g[0] for g in GOOD} == names
    assert {b[0] for b in BAD} == names


def test_unknown_setting() -> None:
    with pytest.raises(SettingError, match="unknown setting 'vaultname'"):
        parse_setting("vaultname", "X")


def test_names_are_case_insensitive() -> None:
    assert parse_setting(" Vault_Name ", "X") == "X"


def test_parse_location() -> None:
    assert parse_location(" Shelf 3 ") == "Shelf 3"
    for bad in ("", "a\x00b", "L" * 256):
        with pytest.raises(SettingError, match="to-location"):
            parse_location(bad)


# --- Storage ------------------------------------------------------------------------------


def test_load_settings_on_a_new_database_gives_the_defaults(db: DatabaseInfo) -> None:
    assert media.load_settings() == EXPECTED_DEFAULTS


def test_set_setting_stores_and_load_settings_reads_back(db: DatabaseInfo) -> None:
    assert media.set_setting("VAULT_NAME", " Bunker 7 ") == "Bunker 7"
    assert media.set_setting("db_backup_expire_days", "30") == 30
    assert media.set_setting("check_label", "no") is False
    assert media.set_setting("copy_pools", "cp1,cp2") == ("CP1", "CP2")
    # Overwriting an existing value (the upsert path).
    assert media.set_setting("db_backup_expire_days", "45") == 45

    loaded = media.load_settings()
    assert loaded["vault_name"] == "Bunker 7"
    assert loaded["db_backup_expire_days"] == 45
    assert loaded["check_label"] is False
    assert loaded["copy_pools"] == ("CP1", "CP2")
    assert loaded["courier_name"] == "COURIER"  # untouched ones keep their default
    stored = dict(Setting.select(Setting.name, Setting.value).tuples())
    assert stored == {
        "vault_name": "Bunker 7",
        "db_backup_expire_days": "45",
        "check_label": "NO",
        "copy_pools": "CP1,CP2",
    }


def test_set_setting_refuses_bad_values_and_stores_nothing(db: DatabaseInfo) -> None:
    with pytest.raises(SettingError, match="out of range"):
        media.set_setting("db_backup_expire_days", "10000")
    with pytest.raises(SettingError, match="unknown setting"):
        media.set_setting("no_such_setting", "1")
    assert Setting.select().count() == 0


def test_a_stored_invalid_value_is_ignored_with_the_default(
    db: DatabaseInfo, caplog: pytest.LogCaptureFixture
) -> None:
    # As if written by hand or by an older version with looser rules.
    Setting.create(name="db_backup_expire_days", value="-5")
    Setting.create(name="vault_name", value="VAULT\nTWO")
    Setting.create(name="retired_setting", value="whatever")
    Setting.create(name="courier_name", value="Van")
    loaded = media.load_settings()
    assert loaded["db_backup_expire_days"] == 60
    assert loaded["vault_name"] == "VAULT"
    assert loaded["courier_name"] == "Van"
    assert "retired_setting" not in loaded
    assert "db_backup_expire_days" in caplog.text
