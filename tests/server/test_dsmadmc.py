"""The server link against the fake dsmadmc: rows, answers, every failure class with its
operator message, the timeout, and a password that never leaves the client object."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

from drm_gui.server import (
    AdminClient,
    AuthenticationFailed,
    ClientNotFound,
    ServerCommandFailed,
    ServerLinkError,
    ServerMessage,
    ServerProfile,
    ServerTimeout,
    ServerUnreachable,
    UnknownServer,
)
from drm_gui.server.dsmadmc import classify
from tests.fake_dsmadmc import (
    FakeServer,
    drm_volume,
    drmedia_rows,
    fake_profile,
    read_state,
    received,
    sample_server,
    set_faults,
    write_state,
)

FAKE = Path(__file__).parents[1] / "fake_dsmadmc" / "dsmadmc"
PASSWORD = "Pw-s3cret-XYZ"


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return write_state(tmp_path / "server.json", sample_server(admins={"ADMIN": PASSWORD}))


def profile(state: Path, **changes: Any) -> ServerProfile:
    return fake_profile(state, **changes)


def client(state: Path, password: str | None = PASSWORD, **changes: Any) -> AdminClient:
    return AdminClient(profile(state, **changes), password)


# --- Answers -------------------------------------------------------------------------------


def test_select_returns_split_rows(state: Path) -> None:
    rows = client(state).select(
        "select volume_name,state,location from drmedia where state='VAULT' order by volume_name"
    )
    assert rows == [
        ["A00021L8", "VAULT", "Iron Mountain, Box 7"],
        ["DB0002L8", "VAULT", "Iron Mountain, Box 7"],
    ]


def test_the_client_is_called_as_scripts_call_it(state: Path) -> None:
    link = client(state, server_name="TSM8", options_file="/etc/dsm.opt")
    link.select("select stgpool_name from stgpools")
    (entry,) = read_state(state)["received"]
    assert entry["command"] == "select stgpool_name from stgpools"
    assert entry["options"] == {
        "ID": "admin",
        "SERVERNAME": "TSM8",
        "OPTFILE": "/etc/dsm.opt",
        "DATAONLY": "YES",
        "COMMADELIMITED": "",
        "NOCONFIRM": "",
    }
    assert link.command_line("q drm") == [
        str(FAKE),
        "-id=admin",
        "-password=********",
        "-servername=TSM8",
        "-optfile=/etc/dsm.opt",
        "-dataonly=yes",
        "-comma",
        "-noconfirm",
        "q drm",
    ]


def test_select_without_a_match_is_no_rows(state: Path) -> None:
    assert client(state).select("select * from drmedia where state='vault'") == []


def test_select_keeps_quotes_and_commas_inside_fields(tmp_path: Path) -> None:
    volumes = [
        drm_volume("V1", "VAULT", location='Shelf "B", row 2'),
        drm_volume("V2", "VAULT", location=""),
    ]
    path = write_state(tmp_path / "s.json", FakeServer(admins={"ADMIN": PASSWORD}, drmedia=volumes))
    assert client(path).select("select volume_name,location,state from drmedia") == [
        ["V1", 'Shelf "B", row 2', "VAULT"],
        ["V2", "", "VAULT"],
    ]


def test_run_move_drmedia_answers_with_its_messages(state: Path) -> None:
    answer = client(state).run(
        'MOVE DRMEDIA A00017L8 WHERESTATE=MOUNTABLE TOSTATE=VAULT TOLOCATION="Iron Mountain,'
        ' Box 7" REMOVE=NO WAIT=YES'
    )
    assert (answer.rc, answer.lines) == (0, [])
    assert [m.number for m in answer.messages] == ["ANR0984I", "ANR6683I", "ANR0985I"]
    assert answer.messages[1] == ServerMessage(
        "ANR6683I",
        "I",
        "MOVE DRMEDIA: Volume A00017L8 was moved from MOUNTABLE state to VAULT.",
    )
    row = drmedia_rows(state)["A00017L8"]
    assert (row["state"], row["location"]) == ("VAULT", "Iron Mountain, Box 7")


def test_run_a_background_move_reports_its_process(state: Path) -> None:
    answer = client(state).run("move drmedia A0001* wherestate=mountable tostate=courier")
    assert str(answer.messages[-1]) == "ANS8003I Process number 1 started."


def test_run_with_no_match_is_an_answer(state: Path) -> None:
    answer = client(state).run("move drmedia NOSUCH wherestate=mountable wait=yes")
    assert answer.rc == 11
    assert [m.number for m in answer.messages] == ["ANR2034E", "ANS8001I"]


def test_a_refused_volume_raises_with_the_servers_reason(state: Path) -> None:
    set_faults(state, refuse_move=["A00018L8"])
    command = "move drmedia A0001* wherestate=mountable tostate=vault wait=yes"
    with pytest.raises(ServerCommandFailed) as caught:
        client(state).run(command)
    error = caught.value
    assert error.rc == 12
    assert error.command == command
    assert str(error) == (
        f"The storage server refused the command {command!r} (return code 12): ANR6696E MOVE"
        " DRMEDIA: Volume A00018L8 cannot be moved from MOUNTABLE state to VAULT: the volume"
        " is in use."
    )
    assert "ANS8001I" in [m.number for m in error.messages]
    assert drmedia_rows(state)["A00017L8"]["state"] == "VAULT"  # the others still moved


@pytest.mark.parametrize(
    ("command", "rc", "number"),
    [
        ("move drmedia * wherestate=vault tostate=courier", 3, "ANR6694E"),
        ("select nosuch from drmedia", 3, "ANR2940E"),
        ("frobnicate", 2, "ANR2000E"),
    ],
)
def test_other_refusals(state: Path, command: str, rc: int, number: str) -> None:
    with pytest.raises(ServerCommandFailed) as caught:
        client(state).run(command)
    assert caught.value.rc == rc
    assert f"(return code {rc}): {number} " in str(caught.value)


# --- Session failures ----------------------------------------------------------------------


def test_unreachable_server(state: Path) -> None:
    set_faults(state, unreachable=True)
    with pytest.raises(ServerUnreachable) as caught:
        client(state).select("select * from drmedia")
    assert caught.value.rc == 206
    assert str(caught.value).startswith(
        "The storage server (the default server) could not be reached: ANS1017E Session"
        " rejected: TCP/IP connection failure."
    )
    assert "TCPSERVERADDRESS" in str(caught.value)


@pytest.mark.parametrize("variant", ["ANS1025E", "ANS1051I"])
def test_a_rejected_password(state: Path, variant: str) -> None:
    set_faults(state, reject_password=variant)
    with pytest.raises(AuthenticationFailed) as caught:
        client(state).run("q drm")
    assert caught.value.rc == 137
    assert f"refused administrator 'admin' ({variant} " in str(caught.value)
    assert "password in the server settings" in str(caught.value)
    assert received(state) == []


def test_a_wrong_password(state: Path) -> None:
    with pytest.raises(AuthenticationFailed):
        client(state, password="wrong").run("q drm")


@pytest.mark.parametrize("how", ["fault", "stanza"])
def test_unknown_server(state: Path, how: str) -> None:
    if how == "fault":
        set_faults(state, unknown_server=True)
    with pytest.raises(UnknownServer) as caught:
        client(state, server_name="ELSEWHERE").run("q drm")
    assert caught.value.rc == 255
    assert "server name 'ELSEWHERE' (ANS1217E " in str(caught.value)


def test_timeout_stops_the_client(state: Path) -> None:
    set_faults(state, hang_seconds=1.5)
    started = time.monotonic()
    with pytest.raises(ServerTimeout) as caught:
        client(state, timeout_s=0.3).run("move drm A00017L8 wherestate=mountable wait=yes")
    assert time.monotonic() - started < 1.4
    assert "within 0.3 s" in str(caught.value)
    assert "read the volumes back" in str(caught.value)
    assert caught.value.rc is None
    time.sleep(2.0)  # a surviving fake would have woken up and run the move by now
    assert received(state) == []
    assert drmedia_rows(state)["A00017L8"]["state"] == "MOUNTABLE"


@pytest.mark.parametrize("where", ["missing", "not executable", "not on PATH"])
def test_a_missing_client(state: Path, tmp_path: Path, where: str) -> None:
    command = {
        "missing": str(tmp_path / "nowhere" / "dsmadmc"),
        "not executable": str(state),
        "not on PATH": "no-such-dsmadmc-here",
    }[where]
    with pytest.raises(ClientNotFound) as caught:
        client(state, command=command).select("select * from drmedia")
    assert str(caught.value).startswith(f"The administrative client {command!r} cannot be run (")
    assert "correct the client command in the server settings" in str(caught.value)


# --- Passwords -----------------------------------------------------------------------------


def test_the_password_never_shows(state: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="drm_gui.server")
    link = client(state)
    link.select("select * from drmedia")
    link.select(f"select volume_name from drmedia where location='{PASSWORD}'")
    errors: list[ServerLinkError] = []
    for command, faults in [
        ("move drm * wherestate=vault tostate=courier", {}),
        (f"frobnicate {PASSWORD}", {}),
        ("q drm", {"reject_password": "ANS1025E"}),
        ("q drm", {"reject_password": None, "unreachable": True}),
        ("q drm", {"unreachable": None, "hang_seconds": 5}),
    ]:
        set_faults(state, **faults)
        with pytest.raises(ServerLinkError) as caught:
            client(state, timeout_s=0.3 if "hang_seconds" in faults else 30.0).run(command)
        errors.append(caught.value)
    assert [type(e) for e in errors] == [
        ServerCommandFailed,
        ServerCommandFailed,
        AuthenticationFailed,
        ServerUnreachable,
        ServerTimeout,
    ]
    assert "-password=********" in caplog.text
    assert "exit status 0" in caplog.text
    texts = [caplog.text, repr(link), repr(link.profile), str(vars(link))]
    for error in errors:
        texts += [str(error), repr(error), repr(error.args), repr(error.argv)]
        texts += [repr(error.__context__), repr(error.__cause__)]
    for text in texts:
        assert PASSWORD not in text


def test_a_stored_password_sends_none(tmp_path: Path) -> None:
    server = sample_server(admins={"ADMIN": PASSWORD}, stored_password=True)
    path = write_state(tmp_path / "s.json", server)
    link = client(path, password=None, use_stored_password=True)
    assert not any(arg.startswith("-password") for arg in link.command_line("q drm"))
    assert link.select("select volume_name from drmedia where state='COURIER'") == [["A00020L8"]]


def test_a_stored_password_the_client_does_not_have(state: Path) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        client(state, password=None, use_stored_password=True).run("q drm")
    assert "run dsmadmc once by hand to store it again" in str(caught.value)


def test_no_password_and_none_stored_fails_before_running(state: Path) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        client(state, password=None).run("q drm")
    assert "No password was given for administrator 'admin'" in str(caught.value)
    assert received(state) == []


def test_the_client_runs_in_english_with_no_input(tmp_path: Path) -> None:
    script = tmp_path / "dsmadmc"
    script.write_text(
        '#!/bin/sh\nread line; echo "stdin=$?,LANG=$LANG,LC_ALL=${LC_ALL-unset},X=$X"\n'
    )
    script.chmod(0o755)
    link = AdminClient(
        ServerProfile(command=str(script), admin_id="admin", extra_env={"X": "extra"}), "pw"
    )
    assert link.select("q status") == [["stdin=1", "LANG=en_US", "LC_ALL=unset", "X=extra"]]


# --- Classification ------------------------------------------------------------------------


def message(line: str) -> ServerMessage:
    number, _, text = line.partition(" ")
    return ServerMessage(number, number[-1], text)


@pytest.mark.parametrize(
    ("rc", "lines", "kind"),
    [
        (0, [], None),
        (11, ["ANR2034E SELECT: No match found using this criteria."], None),
        (53, ["ANS1353E Session rejected: Unknown or incorrect ID entered"], AuthenticationFailed),
        (
            137,
            ["ANS1051I Invalid user id or password", "ANS8023E Unable to establish session"],
            AuthenticationFailed,
        ),
        (206, ["ANS8023E Unable to establish session with server."], ServerUnreachable),
        (137, ["ANS8023E Unable to establish session with server."], AuthenticationFailed),
        (1, ["ANS8023E Unable to establish session with server."], ServerUnreachable),
        (205, [], ServerUnreachable),
        (204, [], ServerUnreachable),
        (137, [], AuthenticationFailed),
        (255, [], UnknownServer),
        (4, ["ANR0104E Internal error"], ServerCommandFailed),
        (12, [], ServerCommandFailed),
    ],
)
def test_classify(rc: int, lines: list[str], kind: type[ServerLinkError] | None) -> None:
    setting = ServerProfile(admin_id="admin", server_name="TSM8")
    error = classify(setting, "q drm", rc, [message(x) for x in lines], ["dsmadmc"])
    assert (type(error) if error else None) is kind
    if error is not None:
        assert error.rc == rc
        assert ("TSM8" in str(error)) == (kind is not ServerCommandFailed)


def test_a_failed_command_names_the_first_server_error() -> None:
    messages = [
        message("ANR0984I Process 3 for MOVE DRMEDIA started in the FOREGROUND at 09:00:00."),
        message("ANR6696E MOVE DRMEDIA: Volume V1 cannot be moved."),
        message("ANR9999E later"),
    ]
    error = classify(ServerProfile(admin_id="a"), "move drm V1", 12, messages, ["dsmadmc"])
    assert str(error).endswith(
        "(return code 12): ANR6696E MOVE DRMEDIA: Volume V1 cannot be moved."
    )
    empty = classify(ServerProfile(admin_id="a"), "x", 4, [], ["dsmadmc"])
    assert str(empty).endswith("(return code 4): the server gave no message")
