"""The transition table of DOMAIN.md, every ordered pair, and the location on entry."""

from __future__ import annotations

import itertools

import pytest

from drm_gui.core import settings as settings_mod
from drm_gui.core.states import (
    DrmError,
    DrmState,
    VolumeKind,
    allowed_targets,
    can_move,
    default_target,
    location_on_entry,
    refusal_reason,
    refusal_summary,
    why_no_moves,
)

S = DrmState

# Written out from DOMAIN.md's table, not derived from the code under test.
LEGAL: set[tuple[DrmState, DrmState]] = {
    (S.MOUNTABLE, S.NOTMOUNTABLE),
    (S.MOUNTABLE, S.COURIER),
    (S.MOUNTABLE, S.VAULT),
    (S.NOTMOUNTABLE, S.COURIER),
    (S.NOTMOUNTABLE, S.VAULT),
    (S.COURIER, S.VAULT),
    (S.VAULTRETRIEVE, S.COURIERRETRIEVE),
    (S.VAULTRETRIEVE, S.ONSITERETRIEVE),
    (S.COURIERRETRIEVE, S.ONSITERETRIEVE),
}
DEFAULT_NEXT = {
    S.MOUNTABLE: S.NOTMOUNTABLE,
    S.NOTMOUNTABLE: S.COURIER,
    S.COURIER: S.VAULT,
    S.VAULTRETRIEVE: S.COURIERRETRIEVE,
    S.COURIERRETRIEVE: S.ONSITERETRIEVE,
}
ALL_PAIRS = list(itertools.product(DrmState, repeat=2))


def test_there_are_seven_states() -> None:
    assert len(DrmState) == 7
    assert len(ALL_PAIRS) == 49


@pytest.mark.parametrize(
    ("source", "target"), ALL_PAIRS, ids=[f"{a.value}-{b.value}" for a, b in ALL_PAIRS]
)
def test_every_ordered_pair(source: DrmState, target: DrmState) -> None:
    legal = (source, target) in LEGAL
    assert can_move(source, target) is legal
    assert (target in allowed_targets(source)) is legal
    reason = refusal_reason(source, target)
    if legal:
        assert reason is None
    else:
        assert isinstance(reason, str)
        assert reason.strip()
        assert source.value in reason
        assert target.value in reason


def test_default_next_state() -> None:
    for state in DrmState:
        assert default_target(state) is DEFAULT_NEXT.get(state)
        if state in DEFAULT_NEXT:
            assert can_move(state, DEFAULT_NEXT[state])


def test_vault_is_never_a_source_and_mountable_vaultretrieve_never_targets() -> None:
    assert allowed_targets(S.VAULT) == frozenset()
    assert allowed_targets(S.ONSITERETRIEVE) == frozenset()
    for state in DrmState:
        assert not can_move(state, S.MOUNTABLE)
        assert not can_move(state, S.VAULTRETRIEVE)
    assert "expir" in (refusal_reason(S.COURIER, S.VAULTRETRIEVE) or "")


def test_why_no_moves() -> None:
    assert "expires" in why_no_moves(S.VAULT)
    assert "check it in" in why_no_moves(S.ONSITERETRIEVE)
    assert why_no_moves(S.COURIER).strip()


def test_refusal_summary_for_a_mixed_selection() -> None:
    # One legal source is enough: the drop is allowed, the others are refused per volume.
    assert refusal_summary({S.MOUNTABLE, S.VAULT}, S.COURIER) is None
    summary = refusal_summary({S.VAULT, S.COURIER}, S.NOTMOUNTABLE)
    assert summary is not None
    parts = summary.split("; ")
    assert parts == [
        refusal_reason(S.COURIER, S.NOTMOUNTABLE),
        refusal_reason(S.VAULT, S.NOTMOUNTABLE),
    ]  # in the order a tape travels


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("vault", S.VAULT),
        ("Vault retrieve", S.VAULTRETRIEVE),
        (" courierretrieve ", S.COURIERRETRIEVE),
        ("ONSITERETRIEVE", S.ONSITERETRIEVE),
    ],
)
def test_state_parse(text: str, state: DrmState) -> None:
    assert DrmState.parse(text) is state


def test_state_parse_refuses_unknown() -> None:
    with pytest.raises(DrmError, match="unknown state 'SHELF'"):
        DrmState.parse("SHELF")


def test_kind_parse() -> None:
    assert VolumeKind.parse("dbbackup") is VolumeKind.DB_BACKUP
    assert VolumeKind.parse("copy_pool".replace("_", "-")) is VolumeKind.COPY_POOL
    assert VolumeKind.parse("ActiveDataStgPool") is VolumeKind.ACTIVE_DATA_POOL
    with pytest.raises(DrmError):
        VolumeKind.parse("primary")


# --- Location on entry --------------------------------------------------------------------

CUSTOM = {
    **settings_mod.defaults(),
    "library_name": "TS3500",
    "notmountable_name": "SHELF-2",
    "courier_name": "IRON MOUNTAIN VAN",
    "vault_name": "BUNKER 7",
}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (S.MOUNTABLE, "TS3500"),
        (S.NOTMOUNTABLE, "SHELF-2"),
        (S.COURIER, "IRON MOUNTAIN VAN"),
        (S.VAULT, "BUNKER 7"),
        (S.VAULTRETRIEVE, "WHERE IT WAS"),  # keeps the location it had
        (S.COURIERRETRIEVE, "IRON MOUNTAIN VAN"),
        (S.ONSITERETRIEVE, "ONSITE"),
    ],
)
def test_location_on_entry_follows_the_settings(target: DrmState, expected: str) -> None:
    assert location_on_entry(target, "WHERE IT WAS", CUSTOM) == expected


def test_location_on_entry_defaults() -> None:
    defaults = settings_mod.defaults()
    assert location_on_entry(S.NOTMOUNTABLE, "x", defaults) == "NOTMOUNTABLE"
    assert location_on_entry(S.COURIER, "x", defaults) == "COURIER"
    assert location_on_entry(S.VAULT, "x", defaults) == "VAULT"
