"""The fake dsmadmc through real subprocesses: the client's options, banner and output forms
against DSMADMC.md, the SQL subset, QUERY/MOVE DRMEDIA, every failure it can inject, and the
round trip through the app's own parsers (drm_gui.core.tsm_formats*)."""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import threading
from datetime import datetime
from pathlib import Path

import pytest

from drm_gui.core.states import DrmState, VolumeKind, can_move
from drm_gui.core.tsm_formats import (
    DrmediaForm,
    DrmediaRecord,
    parse_drmedia,
    split_fields,
)
from drm_gui.core.tsm_formats_files import parse_volhist
from tests.fake_dsmadmc import (
    FakeServer,
    drm_volume,
    drmedia_rows,
    fake_dsmadmc,
    fake_env,
    read_state,
    received,
    run_dsmadmc,
    sample_server,
    set_faults,
    update_state,
    volhist_text,
    write_state,
)

LOGIN = ("-id=admin", "-password=secret")
BANNER_LINES = 4  # product, client level, copyright, blank


@pytest.fixture
def server(tmp_path: Path) -> Path:
    return write_state(tmp_path / "server.json", sample_server())


def dsm(path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_dsmadmc(path, *LOGIN, *args, stdin=stdin)


def data(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The way scripts call it: -dataonly=yes -comma."""
    return dsm(path, "-dataonly=yes", "-comma", *args)


def rows(done: subprocess.CompletedProcess[str]) -> list[list[str]]:
    return [split_fields(line, ",") for line in done.stdout.splitlines()]


# --- Options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        ("-id=admin", "-password=secret", "-dataonly=yes", "-comma"),
        ("-ID=admin", "-PAssword=secret", "-DATAONLY=YES", "-COMMAdelimited"),
        ("-Id=ADMIN", "-pa=secret", "-DataOnly=yes", "-comma", "-NOConfirm", "-ItemCommit"),
        ("-id=admin", "-pass=secret", "-se=tsm8", "-dataonly=yes", "-commadel", "-q"),
        ("-id=admin", "-pa=secret", "-SERVERName=TSM8", "-dataonly=YES", "-comma", "-opt=/x"),
        (
            "-id=admin",
            "-pa=secret",
            "-errorlogn=/dev/null",
            "-ERRORLOGNAME=/x",
            "-DATAONLY=Y",
            "-COMMA",
            "-tcps=host",
            "-tcpp=1500",
            "-commm=tcpip",
            "-out",
        ),
    ],
)
def test_options_in_any_case_and_abbreviation(server: Path, options: tuple[str, ...]) -> None:
    done = run_dsmadmc(server, *options, "select volume_name from drmedia where state='VAULT'")
    assert done.returncode == 0, done.stdout
    assert done.stdout == "A00021L8\nDB0002L8\n"


@pytest.mark.parametrize(
    "bad",
    [
        "-bogus",
        "-p=secret",  # PAssword needs at least -pa
        "-s=TSM8",  # SErvername needs -se
        "-data=yes",  # DATAONLY cannot be abbreviated
        "-com",  # COMMAdelimited / COMMMethod: too short and ambiguous
        "-disp=list",  # DISPLaymode needs -displ
        "-dataonly=maybe",
        "-displaymode=wide",
        "-comma=yes",  # a flag takes no value
        "-id",  # ID needs one
    ],
)
def test_a_bad_option_is_refused_before_any_session(server: Path, bad: str) -> None:
    done = run_dsmadmc(server, *LOGIN, bad, "select * from drmedia")
    assert done.returncode == 400 & 0xFF
    assert done.stdout == f"ANS1107E Invalid option/value: '{bad}'\n"
    assert received(server) == []


def test_the_command_may_be_one_argument_or_several_words(server: Path) -> None:
    one = data(server, "select volume_name from drmedia where state='COURIER'")
    several = data(server, "select", "volume_name", "from", "drmedia", "where", "state='COURIER'")
    assert one.stdout == several.stdout == "A00020L8\n"
    assert received(server) == [
        "select volume_name from drmedia where state='COURIER'",
        "select volume_name from drmedia where state='COURIER'",
    ]


def test_received_records_the_options_but_never_the_password(server: Path) -> None:
    dsm(server, "-se=TSM8", "-dataonly=yes", "select * from stgpools")
    (entry,) = read_state(server)["received"]
    assert entry == {
        "command": "select * from stgpools",
        "admin": "admin",
        "options": {"ID": "admin", "SERVERNAME": "TSM8", "DATAONLY": "YES"},
    }
    assert "secret" not in json.dumps(read_state(server)["received"])


def test_outfile_takes_the_output(server: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    done = data(server, f"-outfile={out}", "select stgpool_name from stgpools")
    assert (done.returncode, done.stdout) == (0, "")
    assert out.read_text() == "BACKUPPOOL\nCOPYPOOL\nADPOOL\n"


# --- Banner and the forms of output ----------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "product", "echo", "q_date"),
    [
        ("5.4", "IBM Tivoli Storage Manager", "'q drm a00017l8'", "04/22/24 09:00:00"),
        ("6.1", "IBM Tivoli Storage Manager", "'q drm a00017l8'", "04/22/2024 09:00:00"),
        ("8.1.8", "IBM Spectrum Protect", "'q drm a00017l8'.", "04/22/2024 09:00:00"),
        ("8.1.21", "IBM Storage Protect", "'q drm a00017l8'.", "04/22/2024 09:00:00"),
    ],
)
def test_banner_variants(
    tmp_path: Path, variant: str, product: str, echo: str, q_date: str
) -> None:
    path = write_state(tmp_path / "s.json", sample_server(variant=variant))
    lines = dsm(path, "q drm a00017l8").stdout.splitlines()
    assert lines[0] == product
    assert lines[1].startswith("Command Line Administrative Interface - Version ")
    assert lines[2].startswith("(c) Copyright by IBM Corporation and other(s) 1990, ")
    assert lines[4].startswith("Session established with server TSM8: ")
    assert lines[5].startswith("  Server Version ")
    assert lines[6].startswith("  Server date/time: ")
    assert "  Last access: " in lines[6]
    assert lines[8] == f"ANS8000I Server command: {echo}"
    assert lines[9] == ""
    assert lines[13].split()[0] == "A00017L8"
    assert q_date in lines[13]
    assert lines[-2:] == ["", "ANS8002I Highest return code was 0."]


def test_the_5_4_banner_has_two_digit_years_and_three_blanks(tmp_path: Path) -> None:
    path = write_state(tmp_path / "s.json", sample_server(variant="5.4"))
    line = dsm(path, "q drm a00017l8").stdout.splitlines()[6]
    assert line == "  Server date/time: 04/22/24   09:38:27  Last access: 04/22/24   09:38:27"


def test_without_dataonly_comma_rows_sit_between_the_echo_and_the_end(server: Path) -> None:
    lines = dsm(server, "-comma", "select volume_name,state from drmedia where state='VAULT'")
    assert lines.stdout.splitlines()[8:] == [
        "ANS8000I Server command: 'select volume_name,state from drmedia where state='VAULT''.",
        "",
        "A00021L8,VAULT",
        "DB0002L8,VAULT",
        "",
        "ANS8002I Highest return code was 0.",
    ]


def test_dataonly_keeps_only_the_rows_and_the_commands_own_messages(server: Path) -> None:
    assert data(server, "select state from drmedia where volume_name='A00020L8'").stdout == (
        "COURIER\n"
    )
    none = data(server, "select state from drmedia where volume_name='NOSUCH'")
    assert none.returncode == 11
    assert none.stdout == (
        "ANR2034E SELECT: No match found using this criteria.\nANS8001I Return code 11.\n"
    )


def test_no_match_without_dataonly(server: Path) -> None:
    done = dsm(server, "select * from drmedia where state='vault'")  # case-sensitive: none
    assert done.returncode == 11
    assert done.stdout.splitlines()[-5:] == [
        "",
        "ANR2034E SELECT: No match found using this criteria.",
        "ANS8001I Return code 11.",
        "",
        "ANS8002I Highest return code was 11.",
    ]


def test_comma_quotes_fields_with_commas_and_doubles_quotes(tmp_path: Path) -> None:
    volumes = [
        drm_volume("V1", "VAULT", location="Iron Mountain, Box 7"),
        drm_volume("V2", "VAULT", location='Shelf "B"'),
        drm_volume("V3", "VAULT", location=""),
    ]
    path = write_state(tmp_path / "s.json", FakeServer(drmedia=volumes))
    done = data(path, "select volume_name,location,state from drmedia")
    assert done.stdout == 'V1,"Iron Mountain, Box 7",VAULT\nV2,"Shelf ""B""",VAULT\nV3,,VAULT\n'
    assert rows(done)[1] == ["V2", 'Shelf "B"', "VAULT"]


def test_tab_separates_without_quoting(server: Path) -> None:
    done = dsm(server, "-dataonly=yes", "-tab", "select * from volumes where status='FULL'")
    assert done.stdout == ("A00021L8\tCOPYPOOL\tLTO8\t100.0\tFULL\tOFFSITE\tIron Mountain, Box 7\n")


def test_table_mode_headers_rules_wrapping_and_alignment(server: Path) -> None:
    done = dsm(
        server,
        "-displaymode=table",
        "select volume_name,upd_date,location from drmedia where volume_name='A00021L8'",
    )
    body = done.stdout.splitlines()[10:-2]
    assert body == [
        "  VOLUME_NAME               UPD_DATE     LOCATION",
        "  -----------     ------------------     ------------------",
        "  A00021L8                2024-03-05     Iron Mountain, Box",
        "                     11:00:00.000000     7",
    ]


def test_table_mode_with_dataonly_drops_the_headers(server: Path) -> None:
    done = dsm(
        server,
        "-dataonly=yes",
        "-displ=table",
        "select volume_name,pct_utilized from volumes order by pct_utilized",
    )
    assert done.stdout.splitlines() == [
        "  A00022L8                 0.0",
        "  A00017L8                40.2",
        "  A00021L8               100.0",
    ]


def test_list_mode_right_aligns_labels_and_separates_records(server: Path) -> None:
    done = dsm(
        server,
        "-displaymode=list",
        "select volume_name,location from drmedia where volume_name in ('A00017L8','A00021L8')",
    )
    assert done.stdout.splitlines()[10:-2] == [
        "VOLUME_NAME: A00017L8",
        "   LOCATION:",
        "",
        "VOLUME_NAME: A00021L8",
        "   LOCATION: Iron Mountain, Box 7",
    ]


def test_a_select_wider_than_the_screen_comes_out_as_a_list(server: Path) -> None:
    wide = dsm(server, "select * from drmedia").stdout
    assert " VOLUME_NAME: A00017L8" in wide.splitlines()
    narrow = dsm(server, "select volume_name from drmedia where volume_name='A00017L8'").stdout
    assert "  -----------" in narrow.splitlines()


# --- SELECT ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select volume_name from drmedia where state='VAULTRETRIEVE'", ["A00022L8"]),
        ("SELECT VOLUME_NAME FROM DRMEDIA WHERE STATE = 'vaultretrieve'", []),
        (
            "select volume_name from drmedia where upper(location) like '%IRON%'",
            ["A00021L8", "DB0002L8", "A00022L8"],
        ),
        (
            "select volume_name from drmedia where location like 'Iron%Box _'",
            ["A00021L8", "DB0002L8", "A00022L8"],
        ),
        (
            "select volume_name from drmedia where state in ('COURIER','NOTMOUNTABLE')",
            ["A00019L8", "A00020L8"],
        ),
        (
            "select volume_name from drmedia where state not in ('MOUNTABLE','VAULT') "
            "and voltype='CopyStgPool' order by volume_name desc",
            ["A00023L8", "A00022L8", "A00020L8", "A00019L8"],
        ),
        (
            "select volume_name from drmedia where (state='VAULT' or state='COURIER') "
            "and not voltype='DBBackup'",
            ["A00020L8", "A00021L8"],
        ),
        ("select volume_name from drmedia where upd_date < '2024-04-01'", ["A00021L8"]),
        ("select volume_name from drmedia where upd_date>='2024-04-22 09:00:00'", ["A00017L8"]),
        ("select volume_name from volumes where pct_utilized > 50", ["A00021L8"]),
        ("select volume_name from volumes where location is null", ["A00017L8", "A00022L8"]),
        (
            "select stgpool_name from stgpools where reusedelay>=1 order by reusedelay",
            ["ADPOOL", "COPYPOOL"],
        ),
        ("select distinct devclass from volhistory", ["LTO8"]),
        (
            "select volume_name from volhistory where type='BACKUPFULL' order by date_time desc",
            ["DB0001L8", "DB0002L8"],
        ),
        ("select volume_name from drmedia where state='VAULT';", ["A00021L8", "DB0002L8"]),
    ],
)
def test_select_where_and_order(server: Path, sql: str, expected: list[str]) -> None:
    done = data(server, sql)
    assert [r[0] for r in rows(done) if not r[0].startswith("AN")] == expected
    assert done.returncode == (0 if expected else 11)


def test_select_star_order_and_values(server: Path) -> None:
    done = data(server, "select * from drmedia where volume_name='A00021L8'")
    assert rows(done) == [
        [
            "A00021L8",
            "VAULT",
            "2024-03-05 11:00:00.000000",
            "Iron Mountain, Box 7",
            "COPYPOOL",
            "",
            "CopyStgPool",
        ]
    ]


def test_select_captions_are_upper_case_aliases_or_unnamed(server: Path) -> None:
    done = dsm(
        server,
        "-displ=list",
        'select volume_name, upper(location), state as "Where now" from drmedia'
        " where volume_name='A00020L8'",
    )
    assert done.stdout.splitlines()[10:13] == [
        "VOLUME_NAME: A00020L8",
        " Unnamed[2]: COURIER",
        "  Where now: COURIER",
    ]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select nosuch from drmedia", "ANR2940E The reference 'nosuch' is an unknown SQL column"),
        ("select * from nosuch", "ANR2939E The reference 'nosuch' is an unknown SQL table"),
        ("select * from drmedia where", "ANR2904E Unexpected SQL token - '<end>'."),
        ("select * from drmedia where state='VAULT", "ANR2904E Unexpected SQL token - ''VAULT'."),
        ("select * drmedia", "ANR2904E Unexpected SQL token - '<end>'."),
    ],
)
def test_sql_errors_answer_rc_3(server: Path, sql: str, message: str) -> None:
    done = data(server, sql)
    assert done.returncode == 3
    assert done.stdout.splitlines()[0].startswith(message)
    assert done.stdout.splitlines()[-1] == "ANS8001I Return code 3."


# --- QUERY DRMEDIA ---------------------------------------------------------------------------


def test_query_drmedia_standard_and_detailed_comma_fields(server: Path) -> None:
    standard = data(server, "query drmedia A00021L8")
    assert standard.stdout == "A00021L8,Vault,03/05/2024 11:00:00,\n"
    detailed = data(server, "q drm a0001* wherestate=mountable f=d")
    assert rows(detailed) == [
        ["A00017L8", "Mountable", "04/22/2024 09:00:00", "", "CopyStgPool", "COPYPOOL", "", "LIB1"],
        [
            "A00018L8",
            "Mountable",
            "04/20/2024 10:15:00",
            "",
            "ActiveDataStgPool",
            "",
            "ADPOOL",
            "LIB1",
        ],
    ]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            ("q drm",),
            [
                "A00017L8",
                "A00018L8",
                "A00019L8",
                "A00020L8",
                "A00021L8",
                "A00022L8",
                "A00023L8",
                "DB0001L8",
                "DB0002L8",
            ],
        ),
        (("q drm * wherestate=vaultr",), ["A00022L8"]),
        (("Q DRMEDIA * WHEREST=MO SOURCE=DBSNAPSHOT",), ["A00017L8", "A00018L8", "SN0001L8"]),
        (("q drm * wherestate=mountable source=dbnone",), ["A00017L8", "A00018L8"]),
        (("q drm DB* wherestate=all",), ["DB0001L8", "DB0002L8"]),
        (("q drm A0002?L8 wherestate=courierretrieve format=standard",), ["A00023L8"]),
    ],
)
def test_query_drmedia_selection(server: Path, words: tuple[str, ...], expected: list[str]) -> None:
    assert [r[0] for r in rows(data(server, *words))] == expected


def test_query_drmedia_state_captions(tmp_path: Path) -> None:
    volumes = [drm_volume(f"V{n}", s.value) for n, s in enumerate(DrmState)]
    path = write_state(tmp_path / "s.json", FakeServer(drmedia=volumes))
    done = data(path, "q drm")
    assert [r.state for r in parse_drmedia(done.stdout).records] == list(DrmState)
    captions = [r[1] for r in rows(done)]
    assert captions == [
        "Mountable",
        "Not mountable",
        "Courier",
        "Vault",
        "Vault retrieve",
        "Courier retrieve",
        "Onsite retrieve",
    ]


@pytest.mark.parametrize(
    ("command", "rc", "message"),
    [
        ("q drm nosuch", 11, "ANR2034E QUERY DRMEDIA: No match found using this criteria."),
        ("q drm * wherestate=nowhere", 3, "ANR2020E QUERY DRMEDIA: Invalid parameter - NOWHERE."),
        ("q drm * colour=red", 3, "ANR2020E QUERY DRMEDIA: Invalid parameter - COLOUR."),
        ("q drm a b", 3, "ANR2023E QUERY DRMEDIA: Extraneous parameter - b."),
        ("q drm * f=cmd", 3, "ANR2020E QUERY DRMEDIA: Invalid parameter - CMD."),
        ("query nodes", 2, "ANR2000E Unknown command - QUERY NODES."),
        ("frobnicate all", 2, "ANR2000E Unknown command - FROBNICATE."),
    ],
)
def test_query_errors(server: Path, command: str, rc: int, message: str) -> None:
    done = data(server, command)
    assert done.returncode == rc
    assert done.stdout.splitlines() == [message, f"ANS8001I Return code {rc}."]


# --- MOVE DRMEDIA ----------------------------------------------------------------------------


def test_move_wait_yes_answers_per_volume_and_updates_the_row(server: Path) -> None:
    done = data(server, "move drmedia A00017L8 wherestate=mountable tostate=vault wait=yes")
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "ANR0984I Process 1 for MOVE DRMEDIA started in the FOREGROUND at 09:38:27.",
        "ANR6683I MOVE DRMEDIA: Volume A00017L8 was moved from MOUNTABLE state to VAULT.",
        "ANR0985I Process 1 for MOVE DRMEDIA running in the FOREGROUND completed with"
        " completion state SUCCESS at 09:38:27.",
    ]
    row = drmedia_rows(server)["A00017L8"]
    assert (row["state"], row["location"], row["lib_name"]) == ("VAULT", "VAULT", "")
    assert row["upd_date"] == "2024-04-22 09:38:27"


@pytest.mark.parametrize(
    ("volume", "source", "target", "location"),
    [
        ("A00017L8", "MOUNTABLE", "NOTMOUNTABLE", "Safe room"),
        ("A00019L8", "NOTMOUNTABLE", "COURIER", "Swift Couriers"),
        ("A00020L8", "COURIER", "VAULT", "Iron Mountain"),
        ("A00022L8", "VAULTRETRIEVE", "COURIERRETRIEVE", "Swift Couriers"),
    ],
)
def test_move_writes_the_drm_location_names(
    tmp_path: Path, volume: str, source: str, target: str, location: str
) -> None:
    drm = {
        "notmountable_name": "Safe room",
        "courier_name": "Swift Couriers",
        "vault_name": "Iron Mountain",
    }
    path = write_state(tmp_path / "s.json", sample_server(drm=drm))
    done = data(path, f"move drm {volume} wherest={source} tost={target} wait=yes")
    assert done.returncode == 0, done.stdout
    assert drmedia_rows(path)[volume]["location"] == location


def test_move_defaults_tolocation_and_onsiteretrieve(server: Path) -> None:
    data(server, "move drm A00019L8 wherestate=notmountable wait=yes")  # default: COURIER
    data(server, 'move drm A00020L8 wherestate=courier tolocation="Vault 2, shelf 9" wait=yes')
    data(server, "move drm A00023L8 wherestate=courierretrieve tostate=onsiteretrieve wait=yes")
    volumes = drmedia_rows(server)
    assert volumes["A00019L8"]["state"] == "COURIER"
    assert volumes["A00020L8"]["location"] == "Vault 2, shelf 9"
    assert "A00023L8" not in volumes  # back on site: DRM no longer tracks it


def test_move_wait_no_starts_a_process_and_logs_to_the_actlog(server: Path) -> None:
    first = data(server, "move drm A0001* wherestate=mountable tostate=courier")
    second = data(server, "MOVE DRMEDIA A00022L8 WHERESTATE=VAULTRETRIEVE TOSTATE=ONSITERETRIEVE")
    assert first.stdout.splitlines() == [
        "ANR0609I MOVE DRMEDIA started as process 1.",
        "ANS8003I Process number 1 started.",
    ]
    assert second.stdout.splitlines()[-1] == "ANS8003I Process number 2 started."
    assert first.stdout.splitlines()[-1].split()[3] == "1"  # as scripts read it: awk '{print $4}'
    assert (first.returncode, second.returncode) == (0, 0)
    log = [(e["process"], e["message"][:8]) for e in read_state(server)["actlog"]]
    assert log == [
        (1, "ANR6683I"),
        (1, "ANR6683I"),
        (1, "ANR0985I"),
        (2, "ANR6683I"),
        (2, "ANR0985I"),
    ]
    volumes = drmedia_rows(server)
    assert volumes["A00017L8"]["state"] == volumes["A00018L8"]["state"] == "COURIER"


def test_move_a_wildcard_moves_every_match_in_the_state(server: Path) -> None:
    done = data(server, "move drm * wherestate=mountable tostate=notmountable wait=yes")
    moved = [line.split()[4] for line in done.stdout.splitlines() if line.startswith("ANR6683I")]
    assert moved == ["A00017L8", "A00018L8", "DB0001L8"]  # no snapshot without SOURCE=
    states = {v: r["state"] for v, r in drmedia_rows(server).items()}
    assert states["SN0001L8"] == "MOUNTABLE"
    data(server, "move drm * wherestate=mountable tostate=vault source=dbsnapshot wait=yes")
    assert drmedia_rows(server)["SN0001L8"]["state"] == "VAULT"


def test_a_refused_volume_fails_alone(server: Path) -> None:
    set_faults(server, refuse_move=["A00018L8"])
    done = data(server, "move drm A0001* wherestate=mountable tostate=vault wait=yes")
    assert done.returncode == 12
    lines = done.stdout.splitlines()
    assert (
        lines[1]
        == "ANR6683I MOVE DRMEDIA: Volume A00017L8 was moved from MOUNTABLE state to VAULT."
    )
    assert lines[2].startswith("ANR6696E MOVE DRMEDIA: Volume A00018L8 cannot be moved")
    assert "completion state FAILURE" in lines[3]
    assert lines[-1] == "ANS8001I Return code 12."
    volumes = drmedia_rows(server)
    assert (volumes["A00017L8"]["state"], volumes["A00018L8"]["state"]) == ("VAULT", "MOUNTABLE")


@pytest.mark.parametrize(
    ("command", "rc", "first"),
    [
        (
            "move drm * wherestate=vault tostate=courier",
            3,
            "ANR6694E MOVE DRMEDIA: TOSTATE=COURIER is not valid for volumes in WHERESTATE=VAULT.",
        ),
        ("move drm * wherestate=courier tostate=mountable", 3, "ANR6694E"),
        ("move drm * wherestate=vault", 3, "ANR6694E"),
        ("move drm * tostate=vault", 3, "ANR2004E MOVE DRMEDIA: Missing parameter - WHERESTATE."),
        (
            "move drm wherestate=mountable",
            3,
            "ANR2004E MOVE DRMEDIA: Missing parameter - volume name.",
        ),
        (
            "move drm * wherestate=mountable remove=maybe",
            3,
            "ANR2020E MOVE DRMEDIA: Invalid parameter - MAYBE.",
        ),
        (
            "move drm NOSUCH wherestate=mountable wait=yes",
            11,
            "ANR2034E MOVE DRMEDIA: No match found using this criteria.",
        ),
        ("move drm NOSUCH wherestate=mountable", 11, "ANR2034E"),
    ],
)
def test_move_refusals(server: Path, command: str, rc: int, first: str) -> None:
    before = read_state(server)["drmedia"]
    done = data(server, command)
    assert done.returncode == rc
    assert done.stdout.splitlines()[0].startswith(first)
    assert read_state(server)["drmedia"] == before


def test_the_fakes_legal_moves_are_the_apps_transition_table(tmp_path: Path) -> None:
    """Every WHERESTATE x TOSTATE pair, in-process for speed: rc 0 exactly when the app's
    transition table allows the move."""
    path = tmp_path / "s.json"
    env = {"FAKE_DSMADMC_STATE": str(path)}
    for source, target in itertools.product(DrmState, DrmState):
        write_state(path, FakeServer(drmedia=[drm_volume("V1", source.value)]))
        command = f"move drm V1 wherestate={source.value} tostate={target.value} wait=yes"
        out = io.StringIO()
        args = ["dsmadmc", *LOGIN, "-dataonly=yes", command]
        rc = fake_dsmadmc.main(args, env, io.StringIO(), out, io.StringIO())
        assert (rc == 0) == can_move(source, target), (source, target, out.getvalue())


# --- Failures --------------------------------------------------------------------------------


def test_unreachable_server(server: Path) -> None:
    set_faults(server, unreachable=True)
    done = dsm(server, "select * from drmedia")
    assert done.returncode == 206
    assert done.stdout.splitlines()[BANNER_LINES - 1 :] == [
        "",
        "ANS1017E Session rejected: TCP/IP connection failure.",
        "ANS8023E Unable to establish session with server.",
        "",
        "ANS8002I Highest return code was -50.",
    ]
    quiet = data(server, "select * from drmedia")
    assert quiet.stdout.splitlines() == [
        "ANS1017E Session rejected: TCP/IP connection failure.",
        "ANS8023E Unable to establish session with server.",
    ]
    assert received(server) == []


def test_wrong_password_ans1051i_retries_three_times(server: Path) -> None:
    done = run_dsmadmc(server, "-id=admin", "-pa=wrong", "q drm", stdin="bad\nworse\n")
    assert done.returncode == 137
    assert done.stdout.splitlines()[BANNER_LINES:] == [
        "ANS1051I Invalid user id or password",
        "Enter your password:",
        "",
        "ANS1051I Invalid user id or password",
        "Enter your password:",
        "",
        "ANS1051I Invalid user id or password",
        "ANS8023E Unable to establish session with server.",
        "",
        "ANS8002I Highest return code was 137.",
    ]
    assert received(server) == []


def test_wrong_password_then_the_right_one_on_stdin(server: Path) -> None:
    done = run_dsmadmc(
        server, "-id=admin", "-pa=wrong", "-dataonly=yes", "q drm a00017l8", stdin="secret\n"
    )
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1].startswith("A00017L8")


def test_wrong_password_ans1025e_ends_at_once(tmp_path: Path) -> None:
    path = write_state(tmp_path / "s.json", sample_server(auth_failure="ANS1025E"))
    done = run_dsmadmc(path, "-id=admin", "-pa=wrong", "-dataonly=yes", "q drm")
    assert done.returncode == 137
    assert done.stdout.splitlines() == [
        "ANS1025E Session rejected: Authentication failure",
        "ANS8023E Unable to establish session with server.",
    ]


@pytest.mark.parametrize("variant", ["ANS1025E", "ANS1051I"])
def test_reject_password_fault_refuses_even_the_right_one(server: Path, variant: str) -> None:
    set_faults(server, reject_password=variant)
    done = data(server, "q drm")
    assert done.returncode == 137
    assert variant in done.stdout
    assert done.stdout.splitlines()[-1] == "ANS8023E Unable to establish session with server."


def test_unknown_admin_id(server: Path) -> None:
    done = run_dsmadmc(server, "-id=nobody", "-pa=secret", "-dataonly=yes", "q drm")
    assert done.returncode == 137


@pytest.mark.parametrize("how", ["fault", "stanza"])
def test_unknown_server(server: Path, how: str) -> None:
    if how == "fault":
        set_faults(server, unknown_server=True)
        done = dsm(server, "q drm")
    else:
        done = dsm(server, "-servername=ELSEWHERE", "q drm")
    assert done.returncode == 255
    assert done.stdout.splitlines()[-1] == "ANS1217E Server name not found in System Options File"
    assert received(server) == []


def test_other_stanzas_may_be_named(tmp_path: Path) -> None:
    path = write_state(tmp_path / "s.json", sample_server(stanzas=["TSM8", "DRSITE"]))
    assert data(path, "-se=drsite", "q drm a00017l8").returncode == 0


def test_hang_makes_the_caller_time_out(server: Path) -> None:
    set_faults(server, hang_seconds=30)
    with pytest.raises(subprocess.TimeoutExpired):
        run_dsmadmc(server, *LOGIN, "q drm", timeout=0.5)


def test_the_fakes_own_misuse_exits_99(server: Path) -> None:
    env = fake_env(server)
    del env["FAKE_DSMADMC_STATE"]
    missing = run_dsmadmc(server, *LOGIN, "q drm", env=env)
    assert missing.returncode == 99
    assert "FAKE_DSMADMC_STATE" in missing.stderr
    no_command = run_dsmadmc(server, *LOGIN)
    assert (no_command.returncode, no_command.stderr[:13]) == (99, "fake dsmadmc:")


# --- Passwords from stdin and the stored password ---------------------------------------------


def test_no_password_option_prompts_on_stdin(server: Path) -> None:
    done = run_dsmadmc(
        server, "-id=admin", "-dataonly=yes", "-comma", "q drm a00017l8", stdin="secret\n"
    )
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Enter your password:", ""]
    assert lines[2].startswith("A00017L8,Mountable,")


def test_no_password_and_no_input_fails_like_a_wrong_password(server: Path) -> None:
    done = run_dsmadmc(server, "-id=admin", "-dataonly=yes", "q drm")
    assert done.returncode == 137
    assert done.stdout.splitlines() == [
        "Enter your password:",
        "",
        "ANS8023E Unable to establish session with server.",
    ]


def test_no_id_prompts_for_it(server: Path) -> None:
    done = run_dsmadmc(server, "-dataonly=yes", "q drm a00017l8", stdin="admin\nsecret\n")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "Enter your user id:  "


def test_a_stored_password_needs_no_option(tmp_path: Path) -> None:
    path = write_state(tmp_path / "s.json", sample_server(stored_password=True))
    done = run_dsmadmc(path, "-id=admin", "-dataonly=yes", "-comma", "q drm a00017l8")
    assert (done.returncode, done.stdout[:9]) == (0, "A00017L8,")


# --- Concurrency ---------------------------------------------------------------------------


def test_parallel_sessions_lose_nothing(tmp_path: Path) -> None:
    names = [f"P{n:05d}L8" for n in range(8)]
    volumes = [drm_volume(v, "MOUNTABLE", lib="LIB1") for v in names]
    path = write_state(tmp_path / "s.json", FakeServer(drmedia=volumes))
    results: dict[str, int] = {}

    def move(volume: str) -> None:
        done = data(path, f"move drm {volume} wherestate=mountable tostate=courier wait=yes")
        results[volume] = done.returncode

    threads = [threading.Thread(target=move, args=(v,)) for v in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == dict.fromkeys(names, 0)
    state = read_state(path)
    assert {r["state"] for r in state["drmedia"]} == {"COURIER"}
    assert sorted(received(path)) == sorted(
        f"move drm {v} wherestate=mountable tostate=courier wait=yes" for v in names
    )
    processes = {e["process"] for e in state["actlog"]}
    assert (processes, state["next_process"]) == (set(range(1, 9)), 9)


# --- The app's parsers read the fake ---------------------------------------------------------


def expected_records(path: Path, detailed: bool, skipped: str) -> set[tuple[object, ...]]:
    """What each form must give back: the standard Q form has no location, type or pool;
    Q DRMEDIA leaves out one kind of database volume (SOURCE=), SELECT none."""
    records = set()
    for row in read_state(path)["drmedia"]:
        if row["voltype"] == skipped:
            continue
        records.add(
            (
                row["volume_name"],
                DrmState(row["state"]),
                datetime.fromisoformat(row["upd_date"]),
                row["location"] if detailed else "",
                VolumeKind.parse(row["voltype"]) if detailed else None,
                row["stgpool_name"] if detailed else "",
                row["lib_name"],
            )
        )
    return records


def as_tuples(records: list[DrmediaRecord]) -> set[tuple[object, ...]]:
    return {(r.volser, r.state, r.updated, r.location, r.kind, r.pool, r.library) for r in records}


@pytest.mark.parametrize(
    ("args", "form", "detailed", "skipped"),
    [
        (("q drm",), DrmediaForm.TABLE, False, "DBSnapshot"),
        (("-dataonly=yes", "q drm", "f=d"), DrmediaForm.DETAILED, True, "DBSnapshot"),
        (("q drm * f=d",), DrmediaForm.DETAILED, True, "DBSnapshot"),
        (("-displaymode=list", "q drm"), DrmediaForm.DETAILED, False, "DBSnapshot"),
        (("-comma", "q drm"), DrmediaForm.COMMA, False, "DBSnapshot"),
        (("-dataonly=yes", "-comma", "q drm f=d"), DrmediaForm.COMMA, True, "DBSnapshot"),
        (("-tab", "q drm"), DrmediaForm.TAB, False, "DBSnapshot"),
        (
            ("-dataonly=yes", "-tab", "q drm f=d source=dbsnapshot"),
            DrmediaForm.TAB,
            True,
            "DBBackup",
        ),
        (("select * from drmedia",), DrmediaForm.DETAILED, True, ""),
        (("-displ=table", "select * from drmedia"), DrmediaForm.TABLE, True, ""),
        (("-dataonly=yes", "-comma", "select * from drmedia"), DrmediaForm.SELECT_COMMA, True, ""),
        (("-comma", "select * from drmedia"), DrmediaForm.SELECT_COMMA, True, ""),
        (("-dataonly=yes", "-tab", "select * from drmedia"), DrmediaForm.SELECT_TAB, True, ""),
    ],
)
def test_parse_drmedia_reads_every_form(
    server: Path, args: tuple[str, ...], form: DrmediaForm, detailed: bool, skipped: str
) -> None:
    for variant in ("5.4", "8.1.21"):
        update_state(server, variant=variant)
        result = parse_drmedia(dsm(server, *args).stdout)
        assert result.problems == []
        assert result.form is form
        assert as_tuples(result.records) == expected_records(server, detailed, skipped)


def test_parse_drmedia_reads_a_select_with_its_column_order(server: Path) -> None:
    columns = ("volser", "location", "state", "updated", "library")
    sql = "select volume_name,location,state,upd_date,lib_name from drmedia"
    result = parse_drmedia(data(server, sql).stdout, columns=columns)
    assert result.problems == []
    assert {(r.volser, r.location, r.state, r.library) for r in result.records} == {
        (v, r["location"], DrmState(r["state"]), r["lib_name"])
        for v, r in drmedia_rows(server).items()
    }


def test_parse_drmedia_reads_the_no_match_answer_as_no_records(server: Path) -> None:
    for args in (("q drm nosuch",), ("-dataonly=yes", "-comma", "select * from drmedia where 1=2")):
        result = parse_drmedia(dsm(server, *args).stdout)
        assert (result.records, result.problems) == ([], [])


def test_volhist_file_and_select_agree(server: Path) -> None:
    history = read_state(server)["volhistory"]
    history[0]["location"] = "Iron Mountain, Box 7"
    update_state(server, volhistory=history)
    from_file = parse_volhist(volhist_text(history))
    assert from_file.problems == []
    selected = []
    for fields in rows(data(server, "select * from volhistory")):
        when, kind, series, operation, sequence, devclass, volume, location = fields
        selected.append(
            (
                datetime.fromisoformat(when),
                kind,
                int(series),
                int(operation),
                int(sequence),
                devclass,
                volume,
                location,
            )
        )
    assert selected == [
        (e.when, e.type, e.series, e.operation, e.sequence, e.device_class, e.volume, e.location)
        for e in from_file.entries
    ]
