"""Which local move becomes which server command; the command file; partial rollbacks."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from drm_gui.core import media, retention, server_moves
from drm_gui.core.media import Actor
from drm_gui.core.models import CommandStatus, ServerCommand
from drm_gui.core.server_moves import (
    fill_template,
    move_command,
    pending_commands,
    write_pending,
)
from drm_gui.core.settings import defaults
from drm_gui.core.states import DrmError, DrmState
from tests.helpers.factories import NOW, make_pool, make_volume, state_of

ACTOR = Actor("carol", "ws3")
TEMPLATE = str(defaults()["cmd_template"])


@pytest.mark.parametrize(
    ("from_state", "to_state", "location", "expected"),
    [
        (
            DrmState.MOUNTABLE,
            DrmState.COURIER,
            "COURIER",
            "MOVE DRMEDIA A00001L8 WHERESTATE=MOUNTABLE TOSTATE=COURIER TOLOCATION=COURIER "
            "REMOVE=NO WAIT=YES",
        ),
        (
            DrmState.COURIER,
            DrmState.VAULT,
            "IRON MOUNTAIN",
            'MOVE DRMEDIA A00001L8 WHERESTATE=COURIER TOSTATE=VAULT TOLOCATION="IRON MOUNTAIN" '
            "WAIT=YES",
        ),
        (
            DrmState.COURIERRETRIEVE,
            DrmState.ONSITERETRIEVE,
            "ONSITE",
            "MOVE DRMEDIA A00001L8 WHERESTATE=COURIERRETRIEVE TOSTATE=ONSITERETRIEVE WAIT=YES",
        ),
    ],
)
def test_move_commands(
    from_state: DrmState, to_state: DrmState, location: str, expected: str
) -> None:
    assert move_command("A00001L8", from_state, to_state, location) == expected


def test_a_location_with_quotes_is_quoted_for_the_server() -> None:
    command = move_command("*", DrmState.COURIER, DrmState.VAULT, 'Bob\'s "safe"')
    assert 'TOLOCATION="Bob\'s ""safe"""' in command


def test_the_template_substitutes_every_variable_in_any_case() -> None:
    line = fill_template(
        "move drmedia &vol wherestate=&from tostate=&to &toloc /* to &Loc */",
        "A00001L8",
        DrmState.MOUNTABLE,
        DrmState.VAULT,
        "VAULT",
    )
    assert line == (
        "move drmedia A00001L8 wherestate=MOUNTABLE tostate=VAULT TOLOCATION=VAULT REMOVE=NO "
        "/* to VAULT */"
    )


def test_a_move_queues_its_commands_in_the_same_transaction(db) -> None:
    vols = [make_volume(f"A0000{i}L8", DrmState.MOUNTABLE) for i in range(3)]
    result = media.move_volumes([v.id for v in vols], DrmState.COURIER, actor=ACTOR, now=NOW)
    pending = pending_commands()
    assert [p.volser for p in pending] == ["A00000L8", "A00001L8", "A00002L8"]
    assert pending[0].command == (
        "MOVE DRMEDIA A00000L8 WHERESTATE=MOUNTABLE TOSTATE=COURIER TOLOCATION=COURIER "
        "REMOVE=NO WAIT=YES"
    )
    assert {p.batch_id for p in pending} == {result.batch_id}


def test_only_operator_moves_are_queued(db) -> None:
    pool = make_pool(reuse_delay_days=0)
    make_volume("C00001L8", DrmState.VAULT, pool=pool, pct_used=0, empty_since=NOW)
    assert retention.evaluate_expiry(actor=ACTOR, now=NOW).changes
    vol = make_volume("A00001L8", DrmState.MOUNTABLE)
    moved = media.move_volumes([vol.id], DrmState.COURIER, actor=ACTOR, now=NOW)
    media.correct_batch(moved.batch_id, now=NOW)  # MOVE DRMEDIA cannot undo a move
    assert [p.volser for p in pending_commands()] == ["A00001L8"]


def test_without_a_link_the_commands_are_appended_to_the_command_file(db, tmp_path: Path) -> None:
    path = tmp_path / "cmds" / "exec.cmds"
    vol = make_volume("A00001L8", DrmState.MOUNTABLE)
    media.move_volumes([vol.id], DrmState.COURIER, actor=ACTOR, now=NOW)
    done = write_pending(path, TEMPLATE, now=NOW)
    assert done.written == 1 and "exec.cmds" in done.summary()
    media.move_volumes([vol.id], DrmState.VAULT, actor=ACTOR, now=NOW)
    write_pending(path, TEMPLATE, now=NOW)
    assert path.read_text().splitlines() == [
        "MOVE DRMEDIA A00001L8 WHERESTATE=MOUNTABLE TOSTATE=COURIER TOLOCATION=COURIER "
        "REMOVE=NO WAIT=YES",
        "MOVE DRMEDIA A00001L8 WHERESTATE=COURIER TOSTATE=VAULT TOLOCATION=VAULT WAIT=YES",
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert pending_commands() == []
    assert {(c.status, c.target) for c in ServerCommand.select()} == {
        (CommandStatus.WRITTEN, str(path))
    }
    assert ServerCommand.select().first().command.startswith("MOVE DRMEDIA A00001L8")
    assert not list(path.parent.glob(".*"))  # no temporary file left
    assert write_pending(path, TEMPLATE).summary() == ""


def test_a_command_file_that_cannot_be_written_keeps_the_commands_waiting(
    db, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    vol = make_volume("A00001L8", DrmState.MOUNTABLE)
    media.move_volumes([vol.id], DrmState.COURIER, actor=ACTOR, now=NOW)
    with pytest.raises(DrmError, match=r"cannot (read|write) the command file"):
        write_pending(blocker / "x.cmds", TEMPLATE)
    assert len(pending_commands()) == 1
    assert state_of(vol.id)[0] is DrmState.COURIER  # the move itself stands


def test_a_refused_volume_is_rolled_back_alone(db) -> None:
    vols = [make_volume(f"A0000{i}L8", DrmState.MOUNTABLE) for i in range(3)]
    moved = media.move_volumes([v.id for v in vols], DrmState.COURIER, actor=ACTOR, now=NOW)
    back = media.correct_batch(moved.batch_id, only=[vols[1].id], reason="server refused", now=NOW)
    assert [m.volser for m in back.moved] == ["A00001L8"]
    assert state_of(vols[1].id) == (DrmState.MOUNTABLE, "LIB1")
    assert state_of(vols[0].id)[0] is DrmState.COURIER
    # The operator may still undo the rest of the batch, once.
    rest = media.correct_batch(moved.batch_id, now=NOW)
    assert sorted(m.volser for m in rest.moved) == ["A00000L8", "A00002L8"]
    with pytest.raises(DrmError, match="already been undone"):
        media.correct_batch(moved.batch_id, now=NOW)


def test_the_counts_of_commands(db) -> None:
    vol = make_volume("A00001L8", DrmState.MOUNTABLE)
    media.move_volumes([vol.id], DrmState.COURIER, actor=ACTOR, now=NOW)
    (pending,) = pending_commands()
    server_moves.finish_commands(
        {pending.id: (CommandStatus.SENT, "ok", pending.command)}, target="SERVER1"
    )
    counts = server_moves.command_counts()
    assert counts[CommandStatus.SENT] == 1 and counts[CommandStatus.PENDING] == 0
