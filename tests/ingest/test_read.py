"""Reading the files: encodings, formats, and the inputs that cannot be used at all."""

import polars as pl
import pytest

from concerns.ingest import UnusableInput, load, read_table

NAME = "Hôpital Sainte-Élise £ Trust – “Nord”"  # characters Excel writes differently in each encoding


def organisation_name(ingested) -> str:
    return ingested.organisations.filter(pl.col("org_code") == "RJ1")["name"].item()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_it_reads_utf8_utf8_with_bom_and_windows_1252(contract, encoding):
    contract.organisations[0]["name"] = NAME
    ingested = contract.load(encoding=encoding)
    assert ingested.rejects.is_empty()
    assert organisation_name(ingested) == NAME
    assert ingested.organisations.columns[1] == "org_code"  # the BOM is not part of the first name


def test_it_reads_utf8_that_would_also_decode_as_windows_1252_as_utf8(contract):
    contract.organisations[0]["name"] = "Café"  # UTF-8 bytes C3 A9 are "Ã©" in Windows-1252
    assert organisation_name(contract.load()) == "Café"


def test_it_refuses_bytes_that_are_neither_utf8_nor_windows_1252(contract):
    directory = contract.write()
    (directory / "cases.csv").write_bytes((directory / "cases.csv").read_bytes() + b"C099,RJ1,\x81\x8d\n")
    with pytest.raises(UnusableInput, match=r"^cases\.csv is neither UTF-8 nor Windows-1252 text"):
        load(directory)


def test_it_refuses_utf16_and_other_binary_files(contract):
    directory = contract.write()
    path = directory / "workforce.csv"
    path.write_bytes(path.read_text().encode("utf-16"))
    with pytest.raises(UnusableInput, match=r"^workforce\.csv is not a text CSV file"):
        load(directory)


def test_it_refuses_two_files_for_one_name_naming_both(contract):
    directory = contract.write()
    pl.DataFrame(contract.cases).write_excel(directory / "cases.xlsx")
    with pytest.raises(UnusableInput) as raised:
        load(directory)
    assert "cases.csv and cases.xlsx" in str(raised.value)


@pytest.mark.parametrize("name", ["organisations", "workforce", "cases"])
def test_it_refuses_a_missing_file(contract, name):
    directory = contract.write()
    (directory / f"{name}.csv").unlink()
    with pytest.raises(
        UnusableInput, match=rf"^no {name} file in .*expected {name}\.csv, {name}\.xlsx or {name}\.parquet"
    ):
        load(directory)


def test_it_names_an_unsupported_format(contract):
    directory = contract.write()
    (directory / "cases.csv").rename(directory / "cases.xls")
    with pytest.raises(UnusableInput, match=r"^cases\.xls in .* is not a supported format"):
        load(directory)


def test_it_refuses_a_missing_data_directory(tmp_path):
    with pytest.raises(UnusableInput, match="does not exist"):
        load(tmp_path / "nowhere")


def test_it_names_a_missing_required_column_and_its_file(contract):
    for row in contract.workforce:
        del row["headcount"]
    with pytest.raises(UnusableInput, match=r'^workforce\.csv has no "headcount" column \(required\)'):
        contract.load()


@pytest.mark.parametrize(("name", "content"), [("cases", b""), ("organisations", b"\r\n  \r\n")])
def test_it_refuses_an_empty_file(contract, name, content):
    directory = contract.write()
    (directory / f"{name}.csv").write_bytes(content)
    with pytest.raises(UnusableInput, match=rf"^{name}\.csv is empty$"):
        load(directory)


def test_it_refuses_cases_with_a_header_but_no_rows(contract):
    directory = contract.write()
    path = directory / "cases.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(UnusableInput, match=r"^cases\.csv has no rows of data$"):
        load(directory)


def test_it_accepts_a_workforce_file_with_no_rows_as_unknown_denominators(contract):
    directory = contract.write()
    path = directory / "workforce.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    ingested = load(directory, today=contract.today)
    assert ingested.counts["workforce"].read == 0
    assert ingested.workforce.is_empty()


@pytest.mark.parametrize("suffix", ["xlsx", "parquet"])
def test_it_refuses_a_file_that_is_not_a_spreadsheet(contract, suffix):
    directory = contract.write()
    (directory / "cases.csv").unlink()
    (directory / f"cases.{suffix}").write_bytes(b"this is not a spreadsheet at all\n" * 10)
    with pytest.raises(UnusableInput, match=rf"^cases\.{suffix} is not a readable"):
        load(directory)


def test_it_refuses_a_csv_row_with_more_fields_than_the_header_naming_the_row(contract):
    directory = contract.write()
    path = directory / "organisations.csv"
    path.write_text(path.read_text() + "RZ9,Extra,acute,england,London,surplus\n")
    with pytest.raises(
        UnusableInput,
        match=r"^organisations\.csv is not a readable CSV file: row 5 has 6 fields but the header has 5",
    ):
        load(directory)


@pytest.mark.parametrize(
    "rows_after", [5, 5_000], ids=["a short file", "a file longer than a csv field may be"]
)
def test_it_names_the_row_of_a_quote_that_is_never_closed(contract, rows_after):
    # A regression: past 131,072 characters the standard csv module raised its own error (exit 3).
    contract.workforce[0]["group"] = '"all'
    contract.workforce += [
        contract.workforce[1]
        | {"fiscal_year": f"{1900 + i % 150}/{(1901 + i % 150) % 100:02d}", "headcount": str(i)}
        for i in range(rows_after)
    ]
    directory = contract.write()
    path = directory / "workforce.csv"
    path.write_text(path.read_text().replace('"""all"', '"all'))
    with pytest.raises(UnusableInput) as raised:
        load(directory)
    assert str(raised.value).startswith(
        'workforce.csv is not a readable CSV file: row 2 has a quote (") that is never closed'
    )


def test_it_refuses_two_columns_with_the_same_name_once_trimmed_and_lower_cased(contract):
    contract.cases = [row | {"Grade ": row["grade"]} for row in contract.cases]
    with pytest.raises(UnusableInput, match=r"^cases\.csv has two columns named 'grade'"):
        contract.load()


def test_it_gives_unusable_input_messages_on_one_line(contract):
    directory = contract.write()
    (directory / "cases.csv").unlink()
    (directory / "cases.xlsx").write_bytes(b"PK\x03\x04 broken zip")
    with pytest.raises(UnusableInput) as raised:
        load(directory)
    assert "\n" not in str(raised.value)


def test_it_reads_a_table_as_text_with_names_trimmed_and_lower_cased(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(" Case_ID ,Grade\n007, consultant \n,\n")
    table = read_table(path)
    assert table.columns == ["case_id", "grade"]
    assert table.schema == pl.Schema({"case_id": pl.String, "grade": pl.String})
    assert table.rows() == [("007", " consultant "), (None, None)]


def test_it_refuses_a_sheet_whose_header_is_below_empty_rows(contract):
    from openpyxl import Workbook

    directory = contract.write()
    (directory / "organisations.csv").unlink()
    workbook = Workbook()
    sheet = workbook.active
    for row in [list(contract.organisations[0]), *(list(org.values()) for org in contract.organisations)]:
        sheet.append(row)
    sheet.insert_rows(1, amount=2)
    workbook.save(directory / "organisations.xlsx")
    with pytest.raises(
        UnusableInput, match=r"^organisations\.xlsx: the header must be on row 1 .* rows 1 to 2 are empty"
    ):
        load(directory)


@pytest.mark.parametrize("name", ["organisations", "workforce", "cases"])
def test_it_turns_a_library_panic_into_unusable_input_naming_the_file(contract, panic_on, name):
    directory = contract.write()
    panic_on(name)
    with pytest.raises(UnusableInput) as raised:
        load(directory)
    assert str(raised.value) == (
        f"{name}.csv could not be read: a library concerns uses failed on it, which usually means the file "
        "is damaged (assertion failed: i < self.len()); save it again from its source and retry, and if a "
        "freshly saved file fails too, tell the concerns maintainers"
    )


def test_it_shortens_what_a_library_says_when_it_panics(contract, panic_on):
    directory = contract.write()
    panic_on("cases", "called `Result::unwrap()` on an `Err` value:\n" + "x" * 500)
    with pytest.raises(UnusableInput) as raised:
        load(directory)
    detail = str(raised.value).split("is damaged (", 1)[1].split("); save it again", 1)[0]
    assert detail == "called `Result::unwrap()` on an `Err` value: " + "x" * 54 + "…"
    assert len(detail) == 100
