"""The DRM settings (SET DRM* of DOMAIN.md): names, defaults, validation, storage."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from drm_gui.core.states import DrmError


class SettingError(DrmError):
    """A setting's value is not acceptable; the message says why."""


SettingValue = int | str | bool | tuple[str, ...]


def _int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise SettingError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise SettingError(f"{value} is out of range: use {low} to {high}")
        return value

    return parse


def _text(max_len: int, allow_empty: bool = False) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip()
        if not value and not allow_empty:
            raise SettingError("may not be empty")
        if len(value) > max_len:
            raise SettingError(f"is {len(value)} characters long: at most {max_len}")
        if any(ord(c) < 32 for c in value):
            raise SettingError("may not contain control characters or line breaks")
        return value

    return parse


def _yes_no(text: str) -> bool:
    key = text.strip().upper()
    if key in ("YES", "Y", "TRUE", "1", "ON"):
        return True
    if key in ("NO", "N", "FALSE", "0", "OFF"):
        return False
    raise SettingError(f"{text!r} is not YES or NO")


_POOL_NAME = re.compile(r"^[A-Z0-9_.\-*?]{1,30}$")


def _pool_list(text: str) -> tuple[str, ...]:
    names = [n.strip().upper() for n in text.replace(";", ",").split(",") if n.strip()]
    for name in names:
        if not _POOL_NAME.match(name):
            raise SettingError(
                f"{name!r} is not a pool name (letters, digits, _ . - and the wildcards * ?, "
                "at most 30 characters)"
            )
    return tuple(names)


def _postfix(text: str) -> str:
    value = text.strip()
    if len(value) != 1 or value.isspace() or ord(value) < 33:
        raise SettingError("must be exactly one printable character")
    return value


def _prefix(text: str) -> str:
    value = _text(200, allow_empty=True)(text)
    if " " in value:
        raise SettingError("may not contain blanks (the plan file's lines split on blanks)")
    return value


_CLOCK_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def _clock_time(text: str) -> str:
    """A local time of day, HH:MM on the 24-hour clock; stored as e.g. '06:00'."""
    match = _CLOCK_TIME.match(text.strip())
    hour, minute = (int(match[1]), int(match[2])) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise SettingError(
            f"{text!r} is not a time of day: use HH:MM on the 24-hour clock, local time, "
            "00:00 to 23:59 (e.g. 06:00)"
        )
    return f"{hour:02d}:{minute:02d}"


_SERVER_WORD = re.compile(r"^[A-Za-z0-9_.\-]{0,64}$")


def _server_word(text: str) -> str:
    value = text.strip()
    if not _SERVER_WORD.match(value):
        raise SettingError(
            f"{value!r}: use letters, digits, _ . and - only (at most 64 characters)"
        )
    return value


TEMPLATE_VARIABLES = ("&VOL", "&LOC", "&FROM", "&TO", "&TOLOC")


def _command_template(text: str) -> str:
    value = _text(1024)(text)
    if "&VOL" not in value.upper():
        raise SettingError("must contain &VOL, where each volume name goes")
    return value


@dataclass(frozen=True)
class SettingDef:
    name: str
    default: SettingValue
    parse: Callable[[str], SettingValue]
    description: str
    secret: bool = False  # its value is never written to the audit trail

    def format(self, value: SettingValue) -> str:
        if isinstance(value, bool):
            return "YES" if value else "NO"
        if isinstance(value, tuple):
            return ",".join(value)
        return str(value)


SETTINGS: tuple[SettingDef, ...] = (
    SettingDef(
        "db_backup_expire_days",
        60,
        _int_range(0, 9999),
        "Days after which a database backup series may expire (0-9999).",
    ),
    SettingDef(
        "rpf_expire_days",
        60,
        _int_range(0, 9999),
        "Days stored recovery plan files are kept; the newest never expires.",
    ),
    SettingDef("courier_name", "COURIER", _text(255), "Location text of tapes with the courier."),
    SettingDef("vault_name", "VAULT", _text(255), "Location text of tapes at the vault."),
    SettingDef(
        "notmountable_name",
        "NOTMOUNTABLE",
        _text(255),
        "Location text of tapes on site but out of the library.",
    ),
    SettingDef("library_name", "LIB1", _text(255), "Location text of tapes in the tape library."),
    SettingDef("check_label", True, _yes_no, "Read a tape's label before it is ejected."),
    SettingDef("file_process", False, _yes_no, "Include FILE device class volumes."),
    SettingDef(
        "plan_prefix",
        "",
        _prefix,
        "Where plan files go: a folder when it ends in '/', else a file name prefix; "
        "empty: the plans folder in the user data folder.",
    ),
    SettingDef(
        "instr_prefix",
        "",
        _prefix,
        "Where RECOVERY.INSTRUCTIONS.* texts are read: prefix + stanza name.",
    ),
    SettingDef("primary_pools", (), _pool_list, "Primary pools covered by the plan; empty = all."),
    SettingDef("copy_pools", (), _pool_list, "Copy pools covered by moves; empty = all."),
    SettingDef(
        "active_data_pools",
        (),
        _pool_list,
        "Active-data pools covered by moves; empty = none.",
    ),
    SettingDef(
        "plan_volume_postfix",
        "@",
        _postfix,
        "Character appended to replacement primary volume names.",
    ),
    SettingDef(
        "cmd_file_name",
        "exec.cmds",
        _text(255),
        "Default file for generated per-volume command lines.",
    ),
    SettingDef(
        "cmd_template",
        "MOVE DRMEDIA &VOL WHERESTATE=&FROM TOSTATE=&TO &TOLOC WAIT=YES",
        _command_template,
        "Command file line for each local move when no server link is set (FORMAT=CMD "
        "style): &VOL volume, &LOC location, &FROM / &TO states, &TOLOC the TOLOCATION= "
        "and REMOVE= options the move needs.",
    ),
    SettingDef(
        "server_link",
        False,
        _yes_no,
        "Send each move to the storage server through dsmadmc, and synchronise from it.",
    ),
    SettingDef(
        "server_command",
        "dsmadmc",
        _text(1024),
        "The administrative client: a command on the PATH or a full path.",
    ),
    SettingDef(
        "server_name",
        "",
        _server_word,
        "The server stanza of the client's options (-SErvername); empty: the default.",
    ),
    SettingDef("server_admin", "", _server_word, "The administrator id the link signs on with."),
    SettingDef(
        "server_stored_password",
        False,
        _yes_no,
        "Let the client use the password it stores itself (PASSWORDACCESS GENERATE) "
        "instead of asking for it.",
    ),
    SettingDef(
        "server_options_file",
        "",
        _text(1024, allow_empty=True),
        "The client's options file (-OPTfile); empty: the client's default.",
    ),
    SettingDef(
        "server_timeout",
        120,
        _int_range(5, 3600),
        "Seconds to wait for one answer of the server (5-3600).",
    ),
    SettingDef(
        "plan_schedule",
        False,
        _yes_no,
        "Write a recovery plan every day at plan_schedule_time while the app runs.",
    ),
    SettingDef(
        "plan_schedule_time",
        "06:00",
        _clock_time,
        "Local time of day (HH:MM, 24-hour clock) of the daily recovery plan.",
    ),
    SettingDef(
        "plan_schedule_pdf",
        True,
        _yes_no,
        "Also write the PDF of each scheduled recovery plan.",
    ),
)

SETTINGS_BY_NAME: dict[str, SettingDef] = {s.name: s for s in SETTINGS}


def setting_def(name: str) -> SettingDef:
    try:
        return SETTINGS_BY_NAME[name.strip().lower()]
    except KeyError:
        known = ", ".join(SETTINGS_BY_NAME)
        raise SettingError(f"unknown setting {name!r}: known settings are {known}") from None


def parse_setting(name: str, text: str) -> SettingValue:
    """Validates *text* for setting *name*; the error message names the setting."""
    definition = setting_def(name)
    try:
        return definition.parse(text)
    except SettingError as exc:
        raise SettingError(f"{definition.name}: {exc}") from None


def parse_location(text: str) -> str:
    """Validates a to-location text given with a move."""
    try:
        return _text(255)(text)
    except SettingError as exc:
        raise SettingError(f"to-location: {exc}") from None


def defaults() -> dict[str, SettingValue]:
    return {s.name: s.default for s in SETTINGS}
