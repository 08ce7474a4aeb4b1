"""`main.py roles` and the refusals an operator meets on the command line; the user is the
OS user (getpass reads LOGNAME / USER first, as every Unix tool)."""

from __future__ import annotations

from pathlib import Path

from tests.core.conftest import sqlite_url
from tests.test_cli_reports import run


def as_user(user: str) -> dict[str, str]:
    return {"LOGNAME": user, "USER": user}


def test_roles_and_an_operators_refusals(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "cli.db")
    listed = run(url, tmp_path, "roles", env=as_user("alice"))
    assert "you (alice) are an administrator (no roles set: everyone is one)" in listed.stdout
    first = run(url, tmp_path, "roles", "set", "bob", "operator", env=as_user("alice"))
    assert first.returncode == 1 and "name an administrator first" in first.stderr
    assert (
        run(url, tmp_path, "roles", "set", "alice", "admin", env=as_user("alice")).returncode == 0
    )
    refused = run(url, tmp_path, "settings", "vault_name", "IRON", env=as_user("bob"))
    assert refused.returncode == 1
    assert "Changing the settings is for administrators, and bob is an operator" in refused.stderr
    assert "Traceback" not in refused.stderr
    promoted = run(url, tmp_path, "roles", "set", "bob", "administrator", env=as_user("bob"))
    assert promoted.returncode == 1 and "Changing the roles" in promoted.stderr
    done = run(url, tmp_path, "settings", "vault_name", "IRON", env=as_user("alice"))
    assert done.returncode == 0, done.stderr
    listed = run(url, tmp_path, "roles", env=as_user("bob"))
    assert "alice: administrator (set by alice)" in listed.stdout
    assert "you (bob) are an operator" in listed.stdout
