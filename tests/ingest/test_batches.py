"""Cases are checked a batch at a time: the result must not depend on where the batches are cut."""

import polars as pl
import pytest

from concerns.ingest import UnusableInput, load
from concerns.ingest import _checks as checks
from concerns.ingest import _load as loading
from concerns.ingest import _read as reading


def many_cases(contract, count: int = 30) -> None:
    """`count` good cases made from the ten templates, each with its own id."""
    contract.cases = [contract.cases[index % 10] | {"case_id": f"K{index:03d}"} for index in range(count)]


def spoil(contract) -> None:
    """Problems of every kind, spread so that most batches of three rows hold one."""
    cases = contract.cases
    cases[1]["case_id"] = "K027"  # shares its id with a row many batches later ...
    cases[14]["case_id"] = " K027 "  # ... and with one whose id is the same once trimmed
    cases[4]["grade"] = "consultent"
    cases[9]["grade"] = "registra"
    cases[22]["grade"] = "foundation year one"
    cases[7] = dict.fromkeys(cases[7], "")  # a blank row is not read at all
    cases[8] = dict.fromkeys(cases[8], "")
    cases[12]["closed_on"] = "01/01/2001"
    cases[17]["org_code"] = "RZZ"
    cases[20]["sex"] = " "
    cases[25]["concerns"] = "clinicl;behaviour"


def load_in_batches(contract, monkeypatch, *, rows: int, piece: int = 1_000_000, fmt: str = "csv"):
    monkeypatch.setattr(loading, "_BATCH_ROWS", rows)
    monkeypatch.setattr(loading, "_PIECE_ROWS", piece)
    return contract.load(fmt)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_it_finds_the_same_rows_and_problems_whatever_the_batch_size(contract, monkeypatch, fmt):
    many_cases(contract)
    spoil(contract)
    monkeypatch.setattr(checks, "_MOST_SUGGESTED", 2)  # three wrong grades: too many to suggest for
    whole = load_in_batches(contract, monkeypatch, rows=1_000, fmt=fmt)
    batched = load_in_batches(contract, monkeypatch, rows=3, piece=7, fmt=fmt)

    assert batched.cases.equals(whole.cases)
    assert batched.rejects.equals(whole.rejects)
    assert batched.counts == whole.counts
    assert batched.counts["cases"].read == 28  # 30 rows written, two of them blank
    rejected = sorted(set(batched.rejects.filter(pl.col("file") == "cases")["source_row"]))
    assert rejected == [3, 6, 11, 14, 16, 19, 22, 24, 27, 29]
    grade_reasons = batched.rejects.filter(pl.col("column") == "grade")["reason"].to_list()
    assert len(grade_reasons) == 3
    assert not any("did you mean" in reason for reason in grade_reasons)


def test_it_names_every_row_of_a_case_id_shared_across_batches(contract, monkeypatch):
    many_cases(contract)
    spoil(contract)
    ingested = load_in_batches(contract, monkeypatch, rows=2)
    shared = ingested.rejects.filter(pl.col("kind") == "duplicate case_id")
    reason = 'case_id "K027" is used by rows 3, 16 and 29; every one is rejected because we cannot tell which is right'
    assert shared.select("source_row", "case_id", "value", "reason").rows() == [
        (3, "K027", "K027", reason),
        (16, " K027 ", " K027 ", reason),
        (29, "K027", "K027", reason),
    ]


def test_it_numbers_rows_across_batches_and_skips_a_batch_of_blank_rows(contract, monkeypatch):
    many_cases(contract, count=12)
    for index in (6, 7):
        contract.cases[index] = dict.fromkeys(contract.cases[index], "")
    ingested = load_in_batches(contract, monkeypatch, rows=2)  # rows 8 and 9 are one batch
    assert ingested.counts["cases"].read == 10
    assert ingested.cases["source_row"].to_list() == [2, 3, 4, 5, 6, 7, 10, 11, 12, 13]
    assert ingested.cases["case_id"].to_list() == [
        f"K{index:03d}" for index in (0, 1, 2, 3, 4, 5, 8, 9, 10, 11)
    ]


def test_it_returns_the_cases_in_contiguous_pieces(contract, monkeypatch):
    many_cases(contract)
    ingested = load_in_batches(contract, monkeypatch, rows=3, piece=12)
    assert ingested.cases.height == 30
    assert ingested.cases.n_chunks("all") == [3] * ingested.cases.width  # 12, 12 and the last 6 rows


def test_it_refuses_cases_whose_rows_are_all_blank_whatever_the_batches(contract, monkeypatch):
    contract.cases = [dict.fromkeys(contract.cases[0], "") for _ in range(5)]
    with pytest.raises(UnusableInput, match=r"^cases\.csv has no rows of data$"):
        load_in_batches(contract, monkeypatch, rows=2)


def test_it_refuses_a_csv_whose_first_row_has_an_unclosed_quote(contract):
    directory = contract.write()
    path = directory / "workforce.csv"
    header = path.read_text().splitlines()[0]
    path.write_text(f'{header}\nRJ1,"2023/24,doctor,total,all,850\n')
    with pytest.raises(UnusableInput, match=r"^workforce\.csv is not a readable CSV file: "):
        load(directory, today=contract.today)


def test_it_reads_utf8_characters_cut_between_blocks(contract, monkeypatch):
    monkeypatch.setattr(reading, "_CSV_BLOCK", 7)  # every multi-byte character is cut somewhere
    contract.organisations[0]["name"] = "Hôpital Sainte-Élise – “Nord” ✓"
    ingested = contract.load()
    assert (
        ingested.organisations.filter(pl.col("org_code") == "RJ1")["name"].item()
        == "Hôpital Sainte-Élise – “Nord” ✓"
    )


def test_it_names_the_byte_that_is_neither_utf8_nor_windows_1252(contract, monkeypatch):
    monkeypatch.setattr(reading, "_CSV_BLOCK", 16)
    directory = contract.write()
    path = directory / "cases.csv"
    data = b"\xef\xbb\xbf" + path.read_bytes() + b"C099,RJ1,caf\xe9,\x81\n"
    path.write_bytes(data)
    position = data.index(b"\x81") + 1  # counted from 1, byte-order mark included, as an editor shows it
    line = data.count(b"\n", 0, position) + 1
    with pytest.raises(UnusableInput) as raised:
        load(directory)
    assert raised.value.message == (
        f"cases.csv is neither UTF-8 nor Windows-1252 text: byte 0x81 on line {line} (byte {position} of the "
        "file) is a character in neither; save it from Excel as 'CSV UTF-8'"
    )


def test_it_reads_as_windows_1252_a_utf8_lead_byte_whose_continuation_follows_a_block_later(
    contract, monkeypatch
):
    monkeypatch.setattr(reading, "_CSV_BLOCK", 4)
    directory = contract.write()
    path = directory / "organisations.csv"
    data = path.read_bytes()
    start = data.index(b"Riverside")
    padding = b"x" * ((3 - start) % 4)  # the lead byte ends a block, and a block of ASCII follows it
    path.write_bytes(data[:start] + padding + b"\xc3abcd\xa9" + data[start:])
    ingested = load(directory, today=contract.today)
    name = ingested.organisations.filter(pl.col("org_code") == "RJ1")["name"].item()
    assert name == padding.decode() + "Ãabcd©Riverside Hospitals NHS Foundation Trust"
