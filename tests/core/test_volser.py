"""The one volume-name rule: normalisation and messages that name the problem."""

from __future__ import annotations

import pytest

from drm_gui.core.volser import MAX_LENGTH, VolserError, check_volser, normalize_volser


@pytest.mark.parametrize(
    ("text", "volser"),
    [
        ("A00017L8", "A00017L8"),
        ("  a00017l8\n", "A00017L8"),
        ("X", "X"),
        ("V" * MAX_LENGTH, "V" * MAX_LENGTH),
        ("DB_BK-1.2+3&4", "DB_BK-1.2+3&4"),
    ],
)
def test_valid_names_are_normalised(text: str, volser: str) -> None:
    assert normalize_volser(text) == volser
    assert check_volser(text).ok


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A00 17L8", "'A00 17L8': contains a blank"),
        ("", "empty: no volume name"),
        ("   ", "empty: no volume name"),
        ("A" * 40, "too long: 40 characters, at most 32"),
        ("A0*17L8", "contains the character '*'"),
        ("ÄBC", "contains the character 'Ä'"),
        ("A\x0017", "control character U+0000"),
        ("A\tB", "contains a tab"),
    ],
)
def test_invalid_names_name_the_problem(text: str, message: str) -> None:
    check = check_volser(text)
    assert not check.ok and check.volser is None
    assert message in (check.problem or "")
    with pytest.raises(VolserError) as err:
        normalize_volser(text)
    assert str(err.value) == check.problem


def test_each_bad_character_named_once() -> None:
    problem = check_volser("A B C*").problem or ""
    assert problem.count("a blank") == 1 and "'*'" in problem
