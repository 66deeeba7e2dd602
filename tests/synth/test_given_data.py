"""Registries and headcounts given by the user: read, kept exactly, completed, or refused in one line."""

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concerns.synth import SynthConfig, SynthError, generate
from concerns.synth._workforce import split_whole
from tests.synth.helpers import AS_OF

YEAR = "2024/25"


@pytest.fixture
def registry(tmp_path):
    path = tmp_path / "orgs.parquet"
    pl.DataFrame(
        {
            "Org_Code ": ["AAA", "BBB", "CCC"],
            "NAME": ["Alpha Trust", "Beta Trust", "Gamma Board"],
            "org_type": ["Acute trust", "mental_health", "health board"],
            "nation": ["England", "england", "Cymru"],
        }
    ).write_parquet(path)
    return path


def _workforce(tmp_path, rows):
    path = tmp_path / "workforce.csv"
    pl.DataFrame(
        rows,
        schema=["org_code", "fiscal_year", "profession", "dimension", "group", "headcount"],
        orient="row",
    ).write_csv(path)
    return path


def test_it_reads_a_parquet_registry_with_labels_and_loose_column_names(registry):
    data = generate(SynthConfig(organisations=registry, years=1, as_of=AS_OF))
    orgs = data.organisations
    assert orgs["org_type"].to_list() == ["acute", "mental_health", "integrated"]
    assert orgs["nation"].to_list() == ["england", "england", "wales"]
    assert orgs["region"].null_count() == 3


def test_it_keeps_given_groups_and_fills_the_rest_of_the_dimension(tmp_path, registry):
    workforce = _workforce(
        tmp_path,
        [
            ("AAA", YEAR, "doctor", "total", "all", 500),
            ("AAA", YEAR, "doctor", "sex", "Female", 260),
            ("BBB", YEAR, "Doctors", "ethnicity", "Asian or Asian British", 40),
            ("BBB", YEAR, "doctor", "ethnicity", "white", 60),
        ],
    )
    data = generate(SynthConfig(organisations=registry, workforce=workforce, years=1, as_of=AS_OF))
    rows = data.workforce.filter(pl.col("fiscal_year") == YEAR, pl.col("profession") == "doctor")
    value = {(o, d, g): h for o, _, _, d, g, h in rows.iter_rows()}
    assert value[("AAA", "total", "all")] == 500
    assert value[("AAA", "sex", "female")] == 260
    assert value[("AAA", "sex", "male")] + value[("AAA", "sex", "not_stated")] == 240
    assert value[("BBB", "ethnicity", "asian")] == 40 and value[("BBB", "ethnicity", "white")] == 60
    assert value[("BBB", "total", "all")] == 100  # no total given: the given groups' sum
    assert sum(h for (o, d, _), h in value.items() if o == "BBB" and d == "age_band") == 100


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("AAA", "2024-25", "doctor", "total", "all", 5)], "not like 2023/24"),
        ([("AAA", YEAR, "nurse", "total", "all", 5)], "unknown profession 'nurse'"),
        ([("AAA", YEAR, "doctor", "sex", "other", 5)], "unknown sex group 'other'"),
        ([("AAA", YEAR, "doctor", "total", "all", 4.5)], "not a whole number"),
        (
            [("AAA", YEAR, "doctor", "total", "all", 5), ("AAA", YEAR, "doctor", "total", "all", 6)],
            "a second",
        ),
    ],
)
def test_it_refuses_unusable_headcounts_with_the_row_named(tmp_path, registry, rows, message):
    with pytest.raises(SynthError, match=message) as raised:
        generate(
            SynthConfig(organisations=registry, workforce=_workforce(tmp_path, rows), years=1, as_of=AS_OF)
        )
    text = str(raised.value)
    assert "\n" not in text and ("row 2" in text or "row 3" in text)


def test_it_leaves_out_headcounts_of_organisations_not_in_the_registry(tmp_path, registry):
    workforce = _workforce(tmp_path, [("ZZZ", YEAR, "doctor", "total", "all", 5)])
    data = generate(SynthConfig(organisations=registry, workforce=workforce, years=1, as_of=AS_OF))
    assert "ZZZ" not in set(data.workforce["org_code"])
    assert any("1 given workforce rows" in note for note in data.truth["notes"])


def test_it_refuses_a_registry_with_a_repeated_code(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("org_code,name,org_type,nation\nAAA,A,acute,england\nAAA,B,acute,england\n")
    with pytest.raises(SynthError, match="AAA appears more than once"):
        generate(SynthConfig(organisations=path, years=1, as_of=AS_OF))


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.floats(0, 100), min_size=1, max_size=9).filter(lambda w: sum(w) > 0),
    total=st.integers(0, 100_000),
)
def test_it_splits_a_total_into_whole_groups_that_add_up_exactly(weights, total):
    shares = np.array(weights) / sum(weights)
    parts = split_whole(shares[None, :], np.array([total]))[0]
    assert parts.sum() == total and (parts >= 0).all()
    assert np.all(np.abs(parts - shares * total) < 1)
    assert np.all(parts[shares == 0] == 0)
