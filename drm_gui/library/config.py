"""This workstation's tape library settings: which backend, which devices, which timeouts.

Kept as JSON in ``config_dir() / "library.json"`` (the library is attached to a machine,
not to the shared database), written to a temporary file and renamed so that a crash never
leaves half a file. Every field is checked, and a bad file is refused with a message that
names the field and says what is wrong. No Qt here: the command line and the settings
dialog share this module.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drm_gui.library.base import TapeLibrary
from drm_gui.library.drive import DEFAULT_LABEL_COMMAND

__all__ = [
    "CONFIG_FILE",
    "Backend",
    "ConfigError",
    "LibraryConfig",
    "SimulatedGeometry",
    "config_from_dict",
    "config_path",
    "config_to_dict",
    "config_with",
    "load_config",
    "open_library",
    "save_config",
]

CONFIG_FILE = "library.json"
CONFIG_VERSION = 1
MAX_TIMEOUT = 86400.0


class ConfigError(ValueError):
    """The library settings are not usable; the message names each bad field."""

    def __init__(self, problems: Sequence[tuple[str, str]], source: str = "") -> None:
        self.problems = tuple(problems)
        self.fields = tuple(name for name, _ in problems)
        where = f"{source}: " if source else ""
        text = "; ".join(f"{name}: {why}" for name, why in problems)
        super().__init__(f"{where}{text}")


class Backend(enum.Enum):
    SIMULATED = "simulated"
    MTX = "mtx"


@dataclass(frozen=True)
class SimulatedGeometry:
    """The simulated library's size and pace."""

    drives: int = 2
    slots: int = 60
    io_slots: int = 6
    move_delay: float = 0.4


@dataclass(frozen=True)
class LibraryConfig:
    """Every library setting of this workstation (defaults: the simulated library)."""

    backend: Backend = Backend.SIMULATED
    changer_device: str = ""
    mtx_path: str = "mtx"
    drive_devices: tuple[str, ...] = ("/dev/nst0",)
    io_slots: tuple[int, ...] = ()  # storage slots that are the I/O station (mail slots)
    status_timeout: float = 120.0
    move_timeout: float = 600.0
    inventory_timeout: float = 1800.0
    ready_timeout: float = 300.0
    ready_poll: float = 2.0
    mt_path: str = "mt"
    label_command: tuple[str, ...] = DEFAULT_LABEL_COMMAND
    offline_before_unload: bool = True
    nobarcode: bool = False
    altres: bool = False
    simulated: SimulatedGeometry = field(default_factory=SimulatedGeometry)


_FIELDS = {f.name for f in dataclasses.fields(LibraryConfig)}
_SIM_FIELDS = {f.name for f in dataclasses.fields(SimulatedGeometry)}


def config_path() -> Path:
    from drm_gui.paths import config_dir  # platformdirs only when a file is wanted

    return config_dir() / CONFIG_FILE


# -- checking fields ----------------------------------------------------------------------


class _Checker:
    """Collects every problem, so that one message tells the administrator all of them."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, name: str, why: str) -> None:
        self.problems.append((name, why))

    def text(self, name: str, value: Any, *, required: bool = True) -> str:
        if not isinstance(value, str):
            self.fail(name, f"must be text, not {_kind(value)}")
            return ""
        if required and not value.strip():
            self.fail(name, "may not be empty")
        elif any(ord(c) < 32 for c in value):
            self.fail(name, "may not contain control characters or line breaks")
        return value.strip()

    def number(self, name: str, value: Any, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(name, f"must be a number of seconds, not {_kind(value)}")
            return low
        if not low < value <= high:
            self.fail(name, f"{value:g} is out of range: use more than {low:g}, at most {high:g}")
        return float(value)

    def whole(self, name: str, value: Any, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, f"must be a whole number, not {_kind(value)}")
            return low
        if not low <= value <= high:
            self.fail(name, f"{value} is out of range: use {low} to {high}")
        return value

    def flag(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            self.fail(name, f"must be true or false, not {_kind(value)}")
            return False
        return value

    def texts(self, name: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            self.fail(name, f"must be a list of texts, not {_kind(value)}")
            return ()
        items = tuple(v.strip() for v in value)
        if any(not v for v in items):
            self.fail(name, "may not hold an empty entry")
        elif any(any(ord(c) < 32 for c in v) for v in items):
            self.fail(name, "may not contain control characters or line breaks")
        return items


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return f"the text {value!r}"
    return repr(value)


def config_from_dict(data: Mapping[str, Any], source: str = "") -> LibraryConfig:
    """A checked configuration from JSON values; missing fields take their defaults."""
    if not isinstance(data, Mapping):
        raise ConfigError([("(file)", f"must be a JSON object, not {_kind(data)}")], source)
    c = _Checker()
    defaults = LibraryConfig()
    known = _FIELDS | {"version"}
    for name in data:
        if name not in known:
            c.fail(name, f"unknown field (known fields: {', '.join(sorted(_FIELDS))})")
    version = data.get("version", CONFIG_VERSION)
    if version != CONFIG_VERSION:
        c.fail("version", f"{version!r} is not a version this drm-gui reads ({CONFIG_VERSION})")

    def get(name: str) -> Any:
        value = data.get(name, getattr(defaults, name))
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, tuple):
            return list(value)
        return value

    backend_text = get("backend")
    backend = Backend.SIMULATED
    names = ", ".join(b.value for b in Backend)
    if not isinstance(backend_text, str):
        c.fail("backend", f"must be one of {names}, not {_kind(backend_text)}")
    else:
        try:
            backend = Backend(backend_text.strip().lower())
        except ValueError:
            c.fail("backend", f"{backend_text!r} is not a backend: use one of {names}")
    changer = c.text("changer_device", get("changer_device"), required=False)
    if backend is Backend.MTX:
        if not changer:
            c.fail(
                "changer_device",
                "the mtx backend needs the changer device (/dev/tape/by-id/... or /dev/sgN)",
            )
        elif not changer.startswith("/"):
            c.fail("changer_device", f"{changer!r} is not a device path (it starts with /)")
    drives = c.texts("drive_devices", get("drive_devices"))
    if len(set(drives)) != len(drives):
        c.fail("drive_devices", "names a device twice")
    io_value = get("io_slots")
    io_slots: tuple[int, ...] = ()
    odd = (
        [v for v in io_value if isinstance(v, bool) or not isinstance(v, int)]
        if isinstance(io_value, list | tuple)
        else [io_value]
    )
    if not isinstance(io_value, list | tuple):
        c.fail("io_slots", f"must be a list of slot numbers, not {_kind(io_value)}")
    elif odd:
        c.fail("io_slots", f"{_kind(odd[0])} is not a slot number")
    else:
        io_slots = tuple(io_value)
        bad = [v for v in io_slots if v < 1]
        if bad:
            c.fail("io_slots", f"{bad[0]} is not a slot number (slots count from 1)")
        elif len(set(io_slots)) != len(io_slots):
            c.fail("io_slots", "names a slot twice")
    timeouts = {
        name: c.number(name, get(name), 0.0, MAX_TIMEOUT)
        for name in ("status_timeout", "move_timeout", "inventory_timeout", "ready_timeout")
    }
    ready_poll = c.number("ready_poll", get("ready_poll"), 0.0, 60.0)
    label_command = c.texts("label_command", get("label_command"))
    if not label_command:
        if not any(name == "label_command" for name, _ in c.problems):
            c.fail("label_command", "may not be empty")
    elif not any("{device}" in part for part in label_command):
        c.fail("label_command", "must contain {device}, where the drive's device goes")
    mtx_path = c.text("mtx_path", get("mtx_path"))
    mt_path = c.text("mt_path", get("mt_path"))
    offline = c.flag("offline_before_unload", get("offline_before_unload"))
    nobarcode = c.flag("nobarcode", get("nobarcode"))
    altres = c.flag("altres", get("altres"))
    simulated = _simulated(c, data.get("simulated", {}))
    if c.problems:
        raise ConfigError(c.problems, source)
    return LibraryConfig(
        backend=backend,
        changer_device=changer,
        mtx_path=mtx_path,
        drive_devices=drives,
        io_slots=tuple(sorted(io_slots)),
        status_timeout=timeouts["status_timeout"],
        move_timeout=timeouts["move_timeout"],
        inventory_timeout=timeouts["inventory_timeout"],
        ready_timeout=timeouts["ready_timeout"],
        ready_poll=ready_poll,
        mt_path=mt_path,
        label_command=label_command,
        offline_before_unload=offline,
        nobarcode=nobarcode,
        altres=altres,
        simulated=simulated,
    )


def _simulated(c: _Checker, data: Any) -> SimulatedGeometry:
    if isinstance(data, SimulatedGeometry):
        data = dataclasses.asdict(data)
    if not isinstance(data, Mapping):
        c.fail("simulated", f"must be an object, not {_kind(data)}")
        return SimulatedGeometry()
    for name in data:
        if name not in _SIM_FIELDS:
            c.fail(f"simulated.{name}", f"unknown field (known: {', '.join(sorted(_SIM_FIELDS))})")
    d = SimulatedGeometry()
    return SimulatedGeometry(
        drives=c.whole("simulated.drives", data.get("drives", d.drives), 1, 64),
        slots=c.whole("simulated.slots", data.get("slots", d.slots), 1, 10000),
        io_slots=c.whole("simulated.io_slots", data.get("io_slots", d.io_slots), 1, 255),
        move_delay=_delay(c, data.get("move_delay", d.move_delay)),
    )


def _delay(c: _Checker, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        c.fail("simulated.move_delay", f"must be a number of seconds, not {_kind(value)}")
        return 0.0
    if not 0 <= value <= 60:
        c.fail("simulated.move_delay", f"{value:g} is out of range: use 0 to 60 seconds")
    return float(value)


def config_to_dict(config: LibraryConfig) -> dict[str, Any]:
    """The configuration as the JSON file holds it."""
    data: dict[str, Any] = {"version": CONFIG_VERSION}
    for f in dataclasses.fields(LibraryConfig):
        value = getattr(config, f.name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, SimulatedGeometry):
            value = dataclasses.asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return data


def config_with(config: LibraryConfig, **changes: Any) -> LibraryConfig:
    """A copy with some fields changed (JSON-like values; ``simulated`` may be a partial
    object), checked as a whole: ConfigError names what is wrong."""
    data = config_to_dict(config)
    for name, value in changes.items():
        if name == "simulated" and isinstance(value, Mapping):
            data["simulated"] = {**data["simulated"], **value}
        else:
            data[name] = list(value) if isinstance(value, tuple) else value
    return config_from_dict(data)


def load_config(path: Path | None = None) -> LibraryConfig:
    """The saved configuration, or the defaults when there is none yet."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LibraryConfig()
    except OSError as exc:
        problem = ("(file)", f"cannot be read ({exc.strerror or exc})")
        raise ConfigError([problem], str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            [("(file)", f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")],
            str(path),
        ) from None
    return config_from_dict(data, str(path))


def save_config(config: LibraryConfig, path: Path | None = None) -> Path:
    """Checks and writes the configuration: a temporary file beside it, then a rename."""
    data = config_to_dict(config)
    config_from_dict(data)  # a value built by hand is checked like a file
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".library-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def open_library(
    config: LibraryConfig,
    *,
    tapes: Mapping[str, int | None] | None = None,
    in_io_station: Sequence[str] = (),
) -> TapeLibrary:
    """The library this configuration describes.

    For the simulated backend, ``tapes`` (barcode → slot or None) and ``in_io_station`` say
    what it holds (the simulated library lives in this process only: the demo fills it from
    the database's MOUNTABLE volumes); the mtx backend reads the real library instead.
    """
    if config.backend is Backend.SIMULATED:
        from drm_gui.library.simulated import SimulatedLibrary

        geometry = config.simulated
        return SimulatedLibrary.with_tapes(
            tapes or {},
            in_io_station=in_io_station,
            drives=geometry.drives,
            slots=geometry.slots,
            io_slots=geometry.io_slots,
            move_delay=geometry.move_delay,
        )
    from drm_gui.library.mtx import MtxLibrary

    return MtxLibrary(
        config.changer_device,
        config.mtx_path,
        config.status_timeout,
        move_timeout=config.move_timeout,
        inventory_timeout=config.inventory_timeout,
        nobarcode=config.nobarcode,
        altres=config.altres,
        io_slots=config.io_slots,
        drive_devices=config.drive_devices,
        mt_path=config.mt_path,
        label_command=config.label_command,
        ready_timeout=config.ready_timeout,
        ready_poll=config.ready_poll,
        offline_before_unload=config.offline_before_unload,
    )
