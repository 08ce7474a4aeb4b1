"""Reading the vault's inventory list: CSV with a chosen column, plain lists, bad input."""

from __future__ import annotations

import pytest

from drm_gui.core.vault_list import (
    VaultListError,
    csv_columns,
    read_vault_csv,
    read_vault_file,
    read_volser_list,
)

CSV = """\
Customer;Barcode;Slot;Site
ACME;a00001l8;R1-01;IRON MOUNTAIN
ACME;A00002L8;R1-02;IRON MOUNTAIN
"""


def test_csv_with_chosen_columns_and_sniffed_delimiter() -> None:
    vault = read_vault_csv(CSV, "barcode", location_column="Slot")
    assert vault.ok
    assert [(e.line, e.volser, e.location) for e in vault.entries] == [
        (2, "A00001L8", "R1-01"),
        (3, "A00002L8", "R1-02"),
    ]
    assert vault.volsers() == ("A00001L8", "A00002L8")
    assert csv_columns(CSV) == ("Customer", "Barcode", "Slot", "Site")


def test_csv_with_tabs_bom_and_bytes() -> None:
    data = "\ufeffVOLSER\tLOC\nB00001L8\tX\n".encode()
    assert read_vault_csv(data, "volser").volsers() == ("B00001L8",)


def test_a_wrong_column_lists_the_columns_found() -> None:
    with pytest.raises(VaultListError) as err:
        read_vault_csv(CSV, "Volume", source="vault.csv")
    assert str(err.value) == (
        "vault.csv: no column 'Volume'; columns found: 'Customer', 'Barcode', 'Slot', 'Site'"
    )
    with pytest.raises(VaultListError, match="no column 'Where'"):
        read_vault_csv(CSV, "Barcode", location_column="Where")


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
def test_an_empty_file_is_refused(text: str) -> None:
    with pytest.raises(VaultListError, match="empty"):
        read_vault_csv(text, "Barcode")
    with pytest.raises(VaultListError, match="empty"):
        read_volser_list(text)


def test_only_comments_is_empty_and_header_only_csv_is_refused() -> None:
    with pytest.raises(VaultListError, match="empty"):
        read_volser_list("# nothing today\n\n")
    with pytest.raises(VaultListError, match="only a header"):
        read_vault_csv("Barcode,Slot\n", "Barcode")


def test_bad_volsers_name_their_line_and_nothing_is_imported() -> None:
    text = "Barcode,Slot\nA00001L8,1\nA00 02L8,2\n\n" + "X" * 40 + ",3\nA00001L8,4\nshort\n"
    vault = read_vault_csv(text, "Barcode", source="v.csv")
    assert [str(e) for e in vault.errors] == [
        "line 3: 'A00 02L8': contains a blank (allowed: A-Z, 0-9 and _.-+&)",
        "line 5: too long: 40 characters, at most 32",
        "line 6: A00001L8: listed twice (also line 2)",
    ]
    assert [e.volser for e in vault.entries] == ["A00001L8", "SHORT"]
    with pytest.raises(VaultListError, match=r"v.csv: 3 bad line\(s\), nothing imported: line 3"):
        vault.volsers()
    assert vault.volsers(accept_valid=True) == ("A00001L8", "SHORT")


def test_a_short_row_names_its_line() -> None:
    vault = read_vault_csv("Site,Barcode\nX,A1\nY\n", "Barcode")
    assert [str(e) for e in vault.errors] == ["line 3: 1 field(s), the column 'Barcode' is field 2"]


def test_plain_list_with_comments_and_blank_lines() -> None:
    text = "# vault inventory 2024-06-15\nA00001L8\n\n  a00002l8  # shelf 3\nA0*3\n"
    vault = read_volser_list(text)
    assert [(e.line, e.volser) for e in vault.entries] == [(2, "A00001L8"), (4, "A00002L8")]
    assert [str(e) for e in vault.errors] == [
        "line 5: 'A0*3': contains the character '*' (allowed: A-Z, 0-9 and _.-+&)"
    ]


def test_garbage_is_reported_line_by_line() -> None:
    garbage = bytes(range(0, 256)) * 2
    vault = read_volser_list(garbage)
    assert vault.errors and all(str(e).startswith("line ") for e in vault.errors)
    with pytest.raises(VaultListError):
        vault.volsers()


def test_read_vault_file_picks_the_format() -> None:
    assert read_vault_file(CSV, volser_column="Barcode").volsers() == ("A00001L8", "A00002L8")
    assert read_vault_file("C1\nC2\n").volsers() == ("C1", "C2")
