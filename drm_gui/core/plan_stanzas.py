"""The texts of the recovery plan's stanzas, from plain inputs (plan.PlanInputs). Every stanza
goes through plan.make_stanza(), which makes its lines safe for planexpl. No Qt here."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence

from drm_gui import __version__
from drm_gui.core.plan import (
    EXECUTABLE_STANZAS,
    MACHINE_STANZAS,
    STANZA_ORDER,
    STANZA_TYPES,
    PlanInputs,
    file_base,
    make_stanza,
)
from drm_gui.core.plan_model import Machine, RequiredVolume, Stanza
from drm_gui.core.states import DrmState, VolumeKind

_ON_SITE = frozenset({DrmState.MOUNTABLE, DrmState.NOTMOUNTABLE, DrmState.COURIER})


def build_stanzas(inputs: PlanInputs, machines: Sequence[Machine]) -> Iterator[Stanza]:
    builders = {
        "PLANFILE.DESCRIPTION": _description,
        "PLANFILE.TABLE.OF.CONTENTS": lambda i: _contents(i, machines),
        "SERVER.REQUIREMENTS": _requirements,
        "RECOVERY.VOLUMES.REQUIRED": _volumes_required,
        "RECOVERY.DEVICES.REQUIRED": _devices_required,
        "RECOVERY.SCRIPT.DISASTER.RECOVERY.MODE": _dr_script,
        "RECOVERY.SCRIPT.NORMAL.MODE": _normal_script,
        "DB.STORAGEPATHS": lambda i: list(i.identity.db_storage_paths),
        "LICENSE.REGISTRATION": _licenses,
        "COPYSTGPOOL.VOLUMES.AVAILABLE": lambda i: _pool_macro(i, VolumeKind.COPY_POOL, True),
        "COPYSTGPOOL.VOLUMES.DESTROYED": lambda i: _pool_macro(i, VolumeKind.COPY_POOL, False),
        "ACTIVEDATASTGPOOL.VOLUMES.AVAILABLE": lambda i: _pool_macro(
            i, VolumeKind.ACTIVE_DATA_POOL, True
        ),
        "ACTIVEDATASTGPOOL.VOLUMES.DESTROYED": lambda i: _pool_macro(
            i, VolumeKind.ACTIVE_DATA_POOL, False
        ),
        "PRIMARY.VOLUMES.DESTROYED": _primary_destroyed,
        "PRIMARY.VOLUMES.REPLACEMENT": _primary_replacement,
        "STGPOOLS.RESTORE": _stgpools_restore,
    }
    for name in STANZA_ORDER:
        if name in inputs.instructions:
            yield make_stanza(name, inputs.instructions[name])
        elif name in inputs.files:
            yield make_stanza(name, _file_copy(name, inputs.files[name]))
        else:
            yield make_stanza(name, builders[name](inputs))
    for machine in machines:
        yield make_stanza(MACHINE_STANZAS[0], _machine_general(machine))
        yield make_stanza(MACHINE_STANZAS[1], list(machine.recovery_instructions))
        yield make_stanza(MACHINE_STANZAS[2], list(machine.characteristics))
        yield make_stanza(MACHINE_STANZAS[3], _machine_media(machine))


def _stamp(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"


def _description(i: PlanInputs) -> list[str]:
    s = i.settings
    ident = i.identity
    return [
        f"Recovery Plan for Server {ident.name or 'SERVER1'}",
        f"Created by drm-gui {__version__} (DRM PREPARE) on {_stamp(i.now)}",
        f"Server address: {ident.address or '-'}",
        f"Operating system: {ident.operating_system or '-'}",
        f"Source: {i.source}, completed {_stamp(i.series.completed_at)}",
        f"Readiness: {i.readiness.summary}",
        "Parameters:",
        f"  plan prefix: {i.plan_prefix}",
        f"  instructions prefix: {s['instr_prefix'] or '(stored in drm-gui)'}",
        f"  primary pools: {','.join(i.primary_pools) or '(none)'}",
        f"  copy pools: {','.join(s['copy_pools']) or '(all)'}",
        f"  active-data pools: {','.join(s['active_data_pools']) or '(none)'}",
        f"  replacement volume postfix: {s['plan_volume_postfix']}",
    ]


def _contents(i: PlanInputs, machines: Sequence[Machine]) -> list[str]:
    lines = ["The following stanzas are contained in this plan:", ""]
    for name in STANZA_ORDER:
        kind = STANZA_TYPES.get(name, "")
        note = " (executable)" if name in EXECUTABLE_STANZAS else ""
        lines.append(f"  {name} {kind}{note}".rstrip())
    if machines:
        lines.append("")
        lines.append(f"Per machine ({len(machines)}, by priority):")
        lines.extend(f"  {name}" for name in MACHINE_STANZAS)
    return lines


def _requirements(i: PlanInputs) -> list[str]:
    ident = i.identity
    lines = [
        f"Database space required: {ident.db_space or '(not recorded)'}",
        f"Recovery log space required: {ident.log_space or '(not recorded)'}",
        "Database directories (DB.STORAGEPATHS):",
    ]
    lines += [f"  {p}" for p in ident.db_storage_paths] or ["  (not recorded)"]
    if ident.options:
        lines += ["", "Server options and installation notes:", *ident.options]
    return lines


def _volume_line(v: RequiredVolume) -> str:
    extra = ""
    if v.series is not None:
        extra = f"  series {v.series} oper {v.operation or 0} seq {v.sequence or 1}"
    pool = v.pool or "-"
    return (
        f"  {v.volser:<12} {v.state.value:<15} {v.kind.value:<17} {v.device_class:<12} "
        f"{pool:<16} {v.location}{extra}"
    ).rstrip()


def _volumes_required(i: PlanInputs) -> list[str]:
    header = f"  {'Volume':<12} {'State':<15} {'Type':<17} {'Devclass':<12} {'Pool':<16} Location"
    lines = [f"Volumes required for the database restore ({i.source}):", header]
    lines += [_volume_line(v) for v in i.db_volumes] or ["  (none)"]
    lines += ["", "Volumes required for the storage pool restore:", header]
    lines += [_volume_line(v) for v in i.pool_volumes] or ["  (none)"]
    lines += ["", f"Readiness: {i.readiness.summary}"]
    return lines


def _devices_required(i: PlanInputs) -> list[str]:
    counts = Counter(v.device_class for v in (*i.db_volumes, *i.pool_volumes))
    lines = ["Device classes of the required volumes:"]
    lines += [f"  {dc}: {n} volume(s)" for dc, n in sorted(counts.items())] or ["  (none)"]
    devconfig = i.files.get("DEVICE.CONFIGURATION.FILE")
    defines = [
        line.strip()
        for line in (devconfig or "").splitlines()
        if line.strip().upper().startswith(("DEFINE DEVCLASS", "DEFINE LIBRARY", "DEFINE DRIVE"))
    ]
    lines += ["", "Devices defined in the device configuration file:"]
    lines += [f"  {d}" for d in defines] or ["  (no device configuration file stored)"]
    return lines


def _script_head(i: PlanInputs, purpose: str) -> list[str]:
    base = file_base(i.plan_prefix)
    return [
        "#!/bin/sh",
        f"# Purpose: {purpose}",
        f"# Server {i.identity.name or 'SERVER1'}; plan of {_stamp(i.now)}; {i.source}.",
        "# Usage: run from the server's working folder: <this script> <admin id> <password>",
        "# The other stanzas are the files planexpl wrote next to this script.",
        'if [ "$#" -lt 2 ]; then',
        '  echo "usage: $0 adminid password" >&2',
        "  exit 2",
        "fi",
        'ID="$1"',
        'PW="$2"',
        'DIR=$(cd "$(dirname "$0")" && pwd)',
        f'P="$DIR/{base}"',
        'ADMIN="dsmadmc -id=$ID -password=$PW -itemcommit -noconfirm"',
    ]


def _macro(name: str) -> str:
    return f'$ADMIN macro "${{P}}{name}" || exit 1'


def _dr_script(i: PlanInputs) -> list[str]:
    cutoff = i.series.completed_at
    source = "dbs" if i.series.kind.value == "SNAPSHOT" else "dbb"
    on = ' on="${P}DB.STORAGEPATHS"' if i.identity.db_storage_paths else ""
    lines = _script_head(i, "restore the server's database and make client node access possible.")
    lines += [
        "# 1. Put back the server's own files: they cannot be re-created.",
        'cp "${P}DSMSERV.OPT.FILE" dsmserv.opt || exit 1',
        'cp "${P}VOLUME.HISTORY.FILE" volhist.out || exit 1',
        'cp "${P}DEVICE.CONFIGURATION.FILE" devconfig.out || exit 1',
        "# 2. Restore the database (volumes: RECOVERY.VOLUMES.REQUIRED).",
        f"dsmserv restore db todate={cutoff:%m/%d/%Y} totime={cutoff:%H:%M:%S} "
        f"source={source}{on} || exit 1",
        "# 3. Start the server and wait until it answers.",
        "nohup dsmserv -quiet >dsmserv.console 2>&1 &",
        "n=0",
        'until $ADMIN "query status" >/dev/null 2>&1; do',
        "  n=$((n + 1))",
        '  [ "$n" -gt 60 ] && { echo "the server did not start" >&2; exit 1; }',
        "  sleep 10",
        "done",
        "# 4. Licenses; which copy volumes are here, which were lost; primary volumes lost.",
        _macro("LICENSE.REGISTRATION"),
        _macro("COPYSTGPOOL.VOLUMES.AVAILABLE"),
        _macro("COPYSTGPOOL.VOLUMES.DESTROYED"),
        _macro("ACTIVEDATASTGPOOL.VOLUMES.AVAILABLE"),
        _macro("ACTIVEDATASTGPOOL.VOLUMES.DESTROYED"),
        _macro("PRIMARY.VOLUMES.DESTROYED"),
        'echo "Database restored. Next: RECOVERY.SCRIPT.NORMAL.MODE"',
    ]
    return lines


def _normal_script(i: PlanInputs) -> list[str]:
    lines = _script_head(
        i, "create replacement primary volumes and restore the primary storage pools."
    )
    lines += [
        "# 1. Replacement volumes for the destroyed primary volumes.",
        _macro("PRIMARY.VOLUMES.REPLACEMENT"),
        "# 2. Restore the primary storage pools from the copy pools.",
        _macro("STGPOOLS.RESTORE"),
        'echo "Storage pools restored."',
    ]
    return lines


def _licenses(i: PlanInputs) -> list[str]:
    lines = ["/* Register the server's licenses */"]
    lines += [f"REGISTER LICENSE FILE={lic}" for lic in i.identity.licenses]
    if not i.identity.licenses:
        lines.append("/* No license files recorded in drm-gui */")
    return lines


def _pool_macro(i: PlanInputs, kind: VolumeKind, available: bool) -> list[str]:
    what = "copy" if kind is VolumeKind.COPY_POOL else "active-data"
    volumes = [v for v in i.pool_volumes if v.kind is kind]
    if available:
        chosen = [v for v in volumes if v.state is DrmState.VAULT]
        lines = [f"/* Mark the {what} pool volumes brought from the vault available */"]
        lines += [f"UPDATE VOLUME {v.volser} ACCESS=READONLY WHERESTGPOOL={v.pool}" for v in chosen]
    else:
        chosen = [v for v in volumes if v.state in _ON_SITE]
        lines = [f"/* Mark the {what} pool volumes lost on site destroyed */"]
        lines += [
            f"UPDATE VOLUME {v.volser} ACCESS=DESTROYED WHERESTGPOOL={v.pool}" for v in chosen
        ]
    if not chosen:
        lines.append("/* (none) */")
    return lines


def _primary_destroyed(i: PlanInputs) -> list[str]:
    lines = ["/* Mark the primary storage pool volumes lost in the disaster destroyed */"]
    if i.primary_volumes:
        lines += [
            f"UPDATE VOLUME {volser} ACCESS=DESTROYED WHERESTGPOOL={pool}"
            for pool, volser in i.primary_volumes
        ]
    else:
        lines += [f"UPDATE VOLUME * ACCESS=DESTROYED WHERESTGPOOL={p}" for p in i.primary_pools]
    if not i.primary_pools:
        lines.append("/* (no primary pools covered) */")
    return lines


def _primary_replacement(i: PlanInputs) -> list[str]:
    postfix = i.settings["plan_volume_postfix"]
    lines = [
        "/* Define replacement volumes in the primary storage pools; */",
        f"/* each name is the lost volume's name + the postfix '{postfix}'. */",
    ]
    lines += [
        f"DEFINE VOLUME {pool} {volser}{postfix} ACCESS=READWRITE"
        for pool, volser in i.primary_volumes
    ]
    if not i.primary_volumes:
        lines.append("/* No primary pool volumes are recorded: scratch volumes will be used */")
    return lines


def _stgpools_restore(i: PlanInputs) -> list[str]:
    lines = ["/* Restore the primary storage pools from the copy storage pools */"]
    lines += [f"RESTORE STGPOOL {pool} PREVIEW=NO" for pool in i.primary_pools]
    if not i.primary_pools:
        lines.append("/* (no primary pools covered) */")
    return lines


def _file_copy(name: str, text: str | None) -> list[str]:
    if text is None:
        return [f"*** No copy of the {name.lower()} is stored: import it in drm-gui ***"]
    return text.splitlines()


def _machine_general(m: Machine) -> list[str]:
    return [
        f"Purpose: General information for machine {m.name}.",
        f"Machine Name: {m.name}",
        f"Machine Priority: {m.priority}",
        f"Building: {m.building}",
        f"Floor: {m.floor}",
        f"Room: {m.room}",
        f"Server?: {'YES' if m.server else 'NO'}",
        f"Description: {m.description}".rstrip(),
        f"Node Name(s): {', '.join(m.nodes)}".rstrip(),
        f"Recovery Media Name(s): {', '.join(r.name for r in m.media)}".rstrip(),
    ]


def _machine_media(m: Machine) -> list[str]:
    lines = [f"Purpose: Recovery media for machine {m.name}."]
    for media in m.media:
        lines += [
            "",
            f"Recovery Media Name: {media.name}",
            f"Type: {media.media_type.value}",
            f"Location: {media.location}",
            f"Product: {media.product}",
            f"Volume Names: {' '.join(media.volumes)}",
        ]
    if not m.media:
        lines.append("(no recovery media recorded)")
    return lines
