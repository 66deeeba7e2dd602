"""Planted clusters: an exact Poisson test with Benjamini-Hochberg finds them, and (almost) nothing else."""

import numpy as np
import polars as pl
import pytest
from scipy import stats

from concerns import vocabulary as v
from concerns.synth import SynthConfig, generate
from tests.synth.helpers import AS_OF, with_readings


def _flagged_cells(data, q: float = 0.05) -> pl.DataFrame:
    """Doctor cells (specialty group x grade) of each organisation tested against its doctor cases times
    the cell's share among organisations of the same type; BH over every cell of every organisation."""
    years = v.fiscal_years_before(AS_OF, 5)
    doctors = (
        with_readings(data.cases)
        .filter(pl.col("fiscal_year").is_in(years), pl.col("profession") == "doctor")
        .join(data.organisations.select("org_code", "org_type"), on="org_code")
    )
    shares = (
        doctors.group_by("org_type", "specialty_group", "grade")
        .len("k")
        .with_columns(share=pl.col("k") / pl.col("k").sum().over("org_type"))
    )
    observed = doctors.group_by("org_code", "specialty_group", "grade").len("observed")
    grid = (
        doctors.group_by("org_type", "org_code")
        .len("n")
        .join(shares, on="org_type")
        .join(observed, on=["org_code", "specialty_group", "grade"], how="left")
        .with_columns(pl.col("observed").fill_null(0), expected=pl.col("n") * pl.col("share"))
    )
    obs, expected = grid["observed"].to_numpy(), grid["expected"].to_numpy()
    p = np.where(obs > 0, stats.poisson.sf(obs - 1, expected), 1.0)
    order = np.argsort(p)
    adjusted = np.minimum.accumulate((p[order] * p.size / np.arange(1, p.size + 1))[::-1])[::-1]
    flagged = np.zeros(p.size, dtype=bool)
    flagged[order] = adjusted <= q
    return grid.filter(pl.Series(flagged)).select("org_code", "specialty_group", "grade", "observed")


@pytest.fixture(scope="module")
def national():
    return generate(SynthConfig(as_of=AS_OF))


def test_it_plants_four_clusters_in_doctor_cells_expecting_a_few_cases(national):
    clusters = national.truth["clusters"]
    assert len(clusters) == 4
    assert len({c["org_code"] for c in clusters}) == 4
    for cluster in clusters:
        assert 1.0 <= cluster["expected_without_cluster"] <= 2.0
        assert 13 <= cluster["extra_cases"] <= 17
        assert set(cluster["fiscal_years"]) <= set(v.fiscal_years_before(AS_OF, 5))


def test_it_finds_every_planted_cluster_and_nothing_else_of_substance(national):
    flagged = _flagged_cells(national)
    found = {tuple(row) for row in flagged.select("org_code", "specialty_group", "grade").iter_rows()}
    planted = {(c["org_code"], c["specialty_group"], c["grade"]) for c in national.truth["clusters"]}
    assert planted <= found
    unplanned = flagged.filter(
        ~pl.concat_str("org_code", "specialty_group", "grade", separator="|").is_in(
            ["|".join(p) for p in planted]
        )
    )
    assert unplanned.height <= 1 and (unplanned["observed"] < 7).all(), unplanned


def test_it_records_the_observed_cluster_counts_it_reports(national):
    cases = with_readings(national.cases).filter(pl.col("fiscal_year").is_in(v.fiscal_years_before(AS_OF, 5)))
    for cluster in national.truth["clusters"]:
        observed = cases.filter(
            pl.col("org_code") == cluster["org_code"],
            pl.col("specialty_group") == cluster["specialty_group"],
            pl.col("grade") == cluster["grade"],
        ).height
        assert observed == cluster["observed_over_complete_years"]
        assert observed >= cluster["extra_cases"]


def test_it_plants_no_clusters_when_asked_for_none():
    data = generate(SynthConfig(orgs=30, years=2, as_of=AS_OF, clusters=0))
    assert data.truth["clusters"] == []
