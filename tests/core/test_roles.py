"""Operators and administrators: the rule without roles, refusals with what to do, and a
site that can never lock itself out."""

from __future__ import annotations

import pytest

from drm_gui.core import media, roles, site
from drm_gui.core.actor import Actor
from drm_gui.core.roles import PermissionDeniedError, Role
from drm_gui.core.states import DrmError, DrmState
from tests.helpers.factories import make_volume


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch):
    """Run as another OS user: the roles' and the moves' idea of who is working."""

    def switch(user: str) -> None:
        actor = Actor(user, "ws1")
        monkeypatch.setattr("drm_gui.core.roles.current_actor", lambda: actor)
        monkeypatch.setattr("drm_gui.core.media.current_actor", lambda: actor)

    return switch


def test_without_roles_everyone_is_an_administrator(db, as_user) -> None:
    as_user("anyone")
    assert roles.current_role() is Role.ADMINISTRATOR
    media.set_setting("vault_name", "IRON")  # allowed


def test_the_first_role_must_name_an_administrator(db, as_user) -> None:
    as_user("alice")
    with pytest.raises(DrmError, match="name an administrator first"):
        roles.set_role("bob", Role.OPERATOR)
    roles.set_role("alice", Role.ADMINISTRATOR)
    roles.set_role("bob", Role.OPERATOR)
    assert roles.role_of("bob") is Role.OPERATOR
    assert roles.role_of("carol") is Role.OPERATOR  # not named: an operator
    assert [(e.os_user, e.role) for e in roles.list_roles()] == [
        ("alice", Role.ADMINISTRATOR),
        ("bob", Role.OPERATOR),
    ]


def test_an_operator_moves_but_is_refused_administrators_work(db, as_user) -> None:
    as_user("alice")
    roles.set_role("alice", Role.ADMINISTRATOR)
    as_user("bob")
    vol = make_volume("A00001L8", DrmState.MOUNTABLE)
    assert media.move_volumes([vol.id], DrmState.COURIER).ok
    with pytest.raises(
        PermissionDeniedError,
        match=r"^Changing the settings is for administrators, and bob is an operator; "
        r".*roles set bob administrator",
    ):
        media.set_setting("vault_name", "IRON")
    with pytest.raises(PermissionDeniedError, match="site and plan contents"):
        site.set_instructions("GENERAL", "call Bob")
    with pytest.raises(PermissionDeniedError, match="Changing the roles"):
        roles.set_role("bob", Role.ADMINISTRATOR)
    assert media.load_settings()["vault_name"] == "VAULT"


def test_an_operator_undoes_own_moves_only(db, as_user) -> None:
    as_user("alice")
    roles.set_role("alice", Role.ADMINISTRATOR)
    vol = make_volume("A00001L8", DrmState.MOUNTABLE)
    alices = media.move_volumes([vol.id], DrmState.COURIER).batch_id
    as_user("bob")
    with pytest.raises(PermissionDeniedError, match="Correcting someone else's move"):
        media.correct_batch(alices)
    other = make_volume("A00002L8", DrmState.MOUNTABLE)
    bobs = media.move_volumes([other.id], DrmState.COURIER).batch_id
    assert media.correct_batch(bobs).ok
    as_user("alice")
    assert media.correct_batch(alices).ok


def test_the_last_administrator_stays_one(db, as_user) -> None:
    as_user("alice")
    roles.set_role("alice", Role.ADMINISTRATOR)
    roles.set_role("bob", Role.OPERATOR)
    with pytest.raises(DrmError, match="last administrator"):
        roles.set_role("alice", Role.OPERATOR)
    with pytest.raises(DrmError, match="last administrator"):
        roles.remove_role("alice")
    roles.remove_role("bob")
    roles.remove_role("alice")  # alone: the site goes back to no roles at all
    assert not roles.roles_defined()


def test_bad_names_and_roles_are_refused(db) -> None:
    with pytest.raises(DrmError, match="not a user name"):
        roles.set_role("two words", Role.ADMINISTRATOR)
    with pytest.raises(DrmError, match="unknown role"):
        Role.parse("boss")
    assert Role.parse("admin") is Role.ADMINISTRATOR and Role.parse("OP") is Role.OPERATOR
