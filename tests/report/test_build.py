"""The builder: analysis results → the report model, with disclosure control across every table."""

from __future__ import annotations

import re

import pytest

from concerns.analytics import analyse_organisation
from concerns.disclosure import audit, get_policy
from concerns.report import render_json
from concerns.report._build import _protection
from concerns.report._build._scope import organisation_facts
from concerns.report._charts import draw_chart, draw_charts
from tests.report.support import (
    AS_OF,
    REQUIRED,
    REQUIRED_ROWS,
    as_json,
    build,
    build_national,
    cell,
    check_quoted_counts,
    codes,
    context_of,
    no_svg,
    peer_claims,
    plant_dentists,
    sentences,
    synthetic,
    tables,
    texts,
    unsafe_cells,
)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return synthetic(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="module")
def context(data):
    return context_of(data)


def _pick(context) -> dict[str, str]:
    """Organisations that exercise each path: the first, the largest, one with a staff group that stands out,
    one with too few cases to break down, one with none."""
    totals = {code: context.profiles[code].total for code in codes(context)}
    flagged = [
        code
        for code in codes(context)
        if any(t.dimension == "specialty_grade" for t in context.clusters[code].flagged)
    ]
    return {
        "first": codes(context)[0],
        "largest": max(totals, key=lambda code: (totals[code], code)),
        "cluster": flagged[0],
        "few": next(code for code, total in totals.items() if 1 <= total <= 4),
        "none": next(code for code, total in totals.items() if total == 0),
    }


@pytest.fixture(scope="module")
def picked(context):
    return _pick(context)


@pytest.fixture(scope="module")
def reports(context, picked):
    with no_svg():
        return {name: build(context, code) for name, code in picked.items()}


@pytest.fixture(scope="module")
def national(context):
    with no_svg():
        return build_national(context)


def _all_json(reports):
    return {name: as_json(report) for name, (_, report) in reports.items()}


# --- the contract --------------------------------------------------------------------------


def test_it_builds_every_table_the_contract_requires(reports, context):
    for name, (analysis, report) in reports.items():
        found = tables(as_json(report))
        for table_id, count_column in REQUIRED.items():
            assert table_id in found, (name, table_id)
            assert count_column in [c["key"] for c in found[table_id]["columns"]], (name, table_id)
        for table_id, rows in REQUIRED_ROWS.items():
            keys = [
                r["key"] for r in found[table_id]["rows"] if r["key"] != "all_cases" and "combines" not in r
            ]
            assert sorted(keys) == sorted(rows) and keys[-1] == rows[-1], (
                name,
                table_id,
            )
        years = [r["key"] for r in found["cases_by_year"]["rows"]]
        assert years == [*analysis.period.fiscal_years, "total"]
        assert [r["key"] for r in found["grade"]["rows"]][-1] == "total"
        assert {r["key"] for r in found["relative_likelihood"]["rows"]} >= {
            "ethnic_minority_vs_white",
            "international_vs_uk",
            "male_vs_female",
        }
        assert {c["key"] for c in found["relative_likelihood"]["columns"]} >= {"ratio", "ci_low", "ci_high"}
        assert report.org.code == analysis.organisation.code
        assert report.peers is not None and len(report.peers.organisations) == len(analysis.peers.peers)
        assert [s.id for s in report.sections] == [
            "at_a_glance",
            "activity",
            "position",
            "concerns",
            "who",
            "equality",
            "clusters",
            "services",
            "questions",
            "data_quality",
            "methods",
            "glossary",
        ]


def test_it_marks_hidden_cells_and_totals_as_the_contract_says(reports, national):
    for data in [*_all_json(reports).values(), as_json(national)]:
        assert data["schema"] == "concerns.report/1"
        for table in data["tables"]:
            for row in table["rows"]:
                assert len(row["cells"]) == len(table["columns"])
                for c in row["cells"]:
                    if c["suppressed"]:
                        assert c["value"] is None and c["display"], (table["id"], row["key"], c)
                assert row["is_total"] == (row["key"] == "total")
            total = next((r for r in table["rows"] if r["is_total"]), None)
            count_key = (
                "organisation"
                if table["id"] == "cases_by_year" and data["kind"] == "organisation"
                else "cases"
            )
            if total is None or count_key not in [c["key"] for c in table["columns"]]:
                continue
            # A combined group's row is counted in its combined row.
            parts = [
                cell(table, r["key"], count_key)
                for r in table["rows"]
                if not r["is_total"] and "combined_into" not in r
            ]
            whole = cell(table, "total", count_key)
            if not whole["suppressed"] and not any(p["suppressed"] for p in parts):
                assert sum(p["value"] for p in parts) == whole["value"], table["id"]


def test_it_gives_the_same_bytes_for_the_same_input(context, picked):
    _protection._protect.cache_clear()
    first = build(context, picked["cluster"])[1]
    _protection._protect.cache_clear()
    second = build(context, picked["cluster"])[1]
    assert render_json(first) == render_json(second)
    first, second = draw_charts(first), draw_charts(second)
    assert [chart.svg for chart in first.charts()] == [chart.svg for chart in second.charts()]
    assert all(chart.svg.startswith("<svg") for chart in first.charts())


def test_it_reports_the_organisation_and_the_national_report_as_the_contract_says(national, reports):
    data = as_json(national)
    assert data["kind"] == "national" and data["org"] is None and "peers" not in data
    found = tables(data)
    for table_id in (
        "cases_by_year",
        "concern_categories",
        "concern_categories_by_year",
        "profession",
        "grade",
        "specialty_group",
        "ethnic_group",
        "sex",
        "age_band",
        "pmq",
        "services",
        "relative_likelihood",
    ):
        assert table_id in found
    by_year = found["concern_categories_by_year"]
    for category in REQUIRED_ROWS["concern_categories"]:
        period = cell(by_year, f"{category}:period", "cases")
        assert period == cell(found["concern_categories"], category, "cases")
        assert (
            cell(by_year, f"{category}:period", "share_low")["value"]
            < cell(by_year, f"{category}:period", "share")["value"]
        )
    organisation = as_json(reports["first"][1])
    assert organisation["kind"] == "organisation" and organisation["org"]["code"]


# --- disclosure ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted(data):
    changed, code = plant_dentists(data)
    context = context_of(changed)
    with no_svg():
        analysis, report = build(context, code)
    return context, analysis, report


def _row_counting(table: dict, code: str) -> str:
    """The row that publishes a group's count: its own, or the combined row it was counted in."""
    row = next(r for r in table["rows"] if r["key"] == code)
    return row.get("combined_into", code)


def test_it_never_shows_a_planted_small_count(planted):
    _context, analysis, report = planted
    assert analysis.profile["profession"].count("dentist") == 3
    data = as_json(report)
    found = tables(data)
    combined = 0
    for table_id, code in (("profession", "dentist"), ("grade", "dentist"), ("specialty_group", "dental")):
        row = _row_counting(found[table_id], code)
        shown = cell(found[table_id], row, "cases")
        if row != code:
            # Counted with other groups: the combined count is shown only when it is not small itself.
            combined += 1
            assert shown["value"] is None or shown["value"] >= 5, (table_id, row, shown)
            continue
        assert shown == {"display": "<5", "value": None, "suppressed": True}, (table_id, shown)
        own = [c["key"] for c in found[table_id]["columns"] if c["key"].startswith(("share", "rate"))]
        assert all(cell(found[table_id], row, key)["value"] is None for key in own), table_id
    assert combined  # small groups are combined before anything is hidden
    # Whatever holds them, the dentists' 3 cannot be worked out from every table together.
    assert unsafe_cells(data, analysis, "standard") == []
    near = re.compile(r"(dentist|dental)[^.;]{0,40}\b3\b|\b3\b[^.;]{0,40}(dentist|dental)", re.IGNORECASE)
    for text in texts(data):
        assert not near.search(text), text
    for chart in report.charts():
        for row in chart.spec["data"]["values"]:
            if str(row.get("category", "")).lower().startswith(("dentist", "dental")):
                assert "value" not in row, (chart.id, row)


def test_its_protection_passes_the_disclosure_audit_as_one_linked_table(planted):
    context, analysis, _ = planted
    facts = organisation_facts(analysis, context, get_policy("standard"))
    table, reasons, zeros_hidden = facts.pub.linked()
    result = audit(table, reasons, "standard", zeros_hidden=zeros_hidden)
    assert result.ok, [p.message for p in result.problems]
    assert result.intervals[("profession", "dentist")].width >= 2


@pytest.mark.parametrize("policy", ["standard", "nhs-digital", "ons-10-5"])
def test_no_hidden_count_can_be_narrowed_by_combining_the_tables(context, picked, planted, policy):
    cases = [(context, code) for name, code in picked.items() if name in ("first", "cluster", "few")]
    cases.append((planted[0], planted[1].organisation.code))
    with no_svg():
        for ctx, code in cases:
            analysis, report = build(ctx, code, policy)
            assert unsafe_cells(as_json(report), analysis, policy) == [], (code, policy)


def test_it_withholds_every_breakdown_of_an_organisation_with_fewer_cases_than_the_threshold(reports):
    _analysis, report = reports["few"]
    data = as_json(report)
    for table_id in ("cases_by_year", "profession", "grade", "concern_categories", "services"):
        key = "organisation" if table_id == "cases_by_year" else "cases"
        table = tables(data)[table_id]
        own_rows = [r for r in table["rows"] if "combined_into" not in r]
        assert all(cell(table, r["key"], key)["display"] == "<5" for r in own_rows), table_id
    # Aggregated as far as it goes: a breakdown's recorded groups are one row, "not stated" beside it.
    for table_id, recorded in (
        ("profession", "Profession recorded"),
        ("ethnic_group", "Ethnic group recorded"),
    ):
        rows = tables(data)[table_id]["rows"]
        own = [r["label"] for r in rows if "combined_into" not in r and not r["is_total"]]
        assert own == [recorded] + (["Not stated"] if table_id == "ethnic_group" else []), table_id
        assert all(r["combined_into"] == rows[0]["key"] for r in rows if "combined_into" in r)
    assert any("no breakdown" in message for message in data["key_messages"])
    assert not report.charts() or all(
        c.id in ("funnel", "relative_likelihood_chart") for c in report.charts()
    )


def test_it_shows_no_cases_as_zeros_without_hiding_anything(reports):
    _, report = reports["none"]
    data = as_json(report)
    assert cell(tables(data)["profession"], "total", "cases") == {
        "display": "0",
        "value": 0,
        "suppressed": False,
    }
    assert any("no cases" in message for message in data["key_messages"])


def test_charts_hold_only_published_values(reports, national):
    for _, report in [*reports.values(), (None, national)]:
        hidden_displays = {"<5", "*", "–", "too few cases"}
        for chart in report.charts():
            for row in chart.spec["data"]["values"]:
                if row.get("label") in hidden_displays:
                    assert "value" not in row, (chart.id, row)
            assert chart.svg == ""  # drawn only when HTML or PDF is written
            assert "<svg" in draw_chart(chart).svg


def test_other_organisations_appear_only_as_names_and_counts_outside_the_limits(reports, context):
    import json

    names = dict(context.organisations.select("org_code", "name").iter_rows())
    for analysis, report in reports.values():
        funnel = next((chart for chart in report.charts() if chart.id == "funnel"), None)
        if funnel is None:
            continue
        spec = json.dumps(funnel.spec)
        others = [code for code in names if code != analysis.organisation.code]
        assert not any(code in spec or names[code] in spec for code in others)
        kinds = [row["kind"] for row in funnel.spec["data"]["values"]]
        assert "other" not in kinds  # a point's public headcount would name it and give its count
        assert kinds.count("highlight") == (0 if report.org is None else int(not _rate_hidden(report)))
        for table in report.tables():
            for row in table.rows:
                assert not any(code in row.label for code in others), (table.id, row.label)
        # Others are counted only where their own reports state a position (checked against every report
        # in test_build_every_organisation): at most those placed with a known headcount.
        units = [u for u in analysis.funnels.rate.units if u.label != analysis.organisation.code and u.limits]
        said = [
            re.search(r"Of the (\d+) other [a-z ]+? placed on the funnel", t) for t in texts(as_json(report))
        ]
        counted = [int(m.group(1)) for m in said if m]
        assert len(counted) == 1 and 0 < counted[0] <= len(units)


def _rate_hidden(report) -> bool:
    return report.table("funnel_position").cell("this_organisation", "rate").value is None


def test_text_quotes_only_counts_the_tables_publish(reports, national):
    for report in [r for _, r in reports.values()] + [national]:
        check_quoted_counts(as_json(report))


# --- writing rules ---------------------------------------------------------------------------


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-").rstrip("%"))


def test_it_says_more_likely_only_when_the_interval_excludes_one(reports, national):
    seen = 0
    for report in [r for _, r in reports.values()] + [national]:
        data = as_json(report)
        table = tables(data)["relative_likelihood"]
        for row in table["rows"]:
            reading = cell(table, row["key"], "reading")["display"]
            if cell(table, row["key"], "ci_low")["value"] is None:
                assert "likely than" not in reading, reading
                continue
            # Judged on the printed interval: "more likely" never sits beside an interval printed as 1.00.
            low, high = (float(cell(table, row["key"], key)["display"]) for key in ("ci_low", "ci_high"))
            if "more likely" in reading:
                assert low > 1, reading
                seen += 1
            if "less likely" in reading:
                assert high < 1, reading
            if "no clear difference" in reading:
                assert low <= 1 <= high, reading
        for text in texts(data):
            for sentence in sentences(text):
                if "were more likely" in sentence or "were less likely" in sentence:
                    match = re.search(r"95% interval ([\d.]+) to ([\d.]+)", sentence)
                    assert match, sentence
                    low, high = map(float, match.groups())
                    assert (low > 1) if "more likely" in sentence else (high < 1), sentence
    assert seen, "the synthetic data plant clear differences: some must be reported"


def test_it_says_higher_or_lower_than_similar_sized_only_as_its_finding_says(context):
    with no_svg():
        said = [v for code in codes(context) for v in peer_claims(as_json(build(context, code)[1]))]
    assert "similar" in said and {"higher", "lower"} & set(said)


def test_it_never_words_a_test_that_did_not_reject_as_no_difference(reports, national):
    for report in [r for _, r in reports.values()] + [national]:
        for text in texts(as_json(report)):
            assert "(no difference)" not in text and "no more than chance explains" not in text, text


def test_report_json_holds_every_verdict_as_a_finding(reports, national):
    for _, report in reports.values():
        findings = as_json(report)["findings"]
        assert findings["trend"]["verdict"] in ("rising", "falling", "no_clear_trend", "not_assessed")
        assert {f["indicator"] for f in findings["funnels"]} == {
            "rate",
            "behaviour",
            "clinical",
            "health",
            "more_than_one",
        }
        positions = {"inside", "above_95", "above_99_8", "below_95", "below_99_8", "not_assessed"}
        assert {f["position"] for f in findings["funnels"]} <= positions
        assert {p["verdict"] for p in findings["peer_comparisons"]} <= {
            "higher",
            "lower",
            "similar",
            "not_assessed",
        }
        for cluster in findings["clusters"]:
            assert cluster["dimension"] in ("specialty", "specialty_group", "grade", "specialty_grade")
        for equality in findings["equality"]:
            assert equality["verdict"] in (
                "more_likely",
                "less_likely",
                "no_clear_difference",
                "too_few_cases",
                "withheld",
                "not_available",
            )
            assert (equality["ratio"] is None) == (
                equality["verdict"] in ("too_few_cases", "withheld", "not_available")
            )
    flags = as_json(national)["findings"]["cluster_flags"]
    assert flags["organisations_tested"] > 0
    assert 0 <= flags["expected_by_chance"] < flags["organisations_tested"]


def test_a_flagged_staff_group_too_small_to_name_is_still_reported(context):
    from concerns.analytics._findings import Findings
    from concerns.report._build import _organisation

    code = next(c for c in codes(context) if context.clusters[c].flagged)
    analysis = analyse_organisation(context, code)
    small = [test.__class__(**{**vars(test), "observed": 3}) for test in analysis.findings.clusters[:1]]
    findings = Findings(**{**vars(analysis.findings), "clusters": tuple(small), "explained_by": {}})
    with no_svg():
        report = _organisation.build(
            analysis.__class__(**{**vars(analysis), "findings": findings}),
            context,
            as_of=AS_OF,
            illustrative=True,
        )
    data = as_json(report)
    assert data["findings"]["clusters"] == [
        {
            "dimension": small[0].dimension,
            "codes": None,
            "observed": None,
            "expected": None,
            "p": None,
            "q": None,
        }
    ]
    said = " ".join(texts(data))
    assert "One staff group stands out: one staff group not named, to protect the practitioners" in said
    assert small[0].label not in said


def test_it_calls_a_trend_rising_only_when_its_interval_excludes_no_change(reports, national):
    for report in [r for _, r in reports.values()] + [national]:
        for text in texts(as_json(report)):
            for match in re.finditer(
                r"(rose|fell) by about [\d.]+% a year \(95% interval ([^ ]+) to ([^ )]+)\)", text
            ):
                low, high = _number(match.group(2)), _number(match.group(3))
                assert low > 0 if match.group(1) == "rose" else high < 0, text


def test_key_messages_are_four_to_six_plain_sentences(reports, national):
    for report in [r for _, r in reports.values()] + [national]:
        assert 4 <= len(report.key_messages) <= 6, report.key_messages
        for message in report.key_messages:
            assert message.endswith(".") and "None" not in message and "  " not in message, message


# --- time ------------------------------------------------------------------------------------


def test_it_reuses_table_protection_when_a_report_is_built_again(context):
    # Speed is measured by `make bench`; here, that a second build solves no suppression problem afresh.
    from concerns.report._build import _national_policy

    sample = codes(context)[12:24]
    _protection._protect.cache_clear()
    _national_policy._PUBLISHED.clear()  # every organisation's protection, shared within a process
    with no_svg():
        analyses = [analyse_organisation(context, code) for code in sample]
        first = [_build_report(analysis, context) for analysis in analyses]
        solved = _protection._protect.cache_info().misses
        again = [_build_report(analysis, context) for analysis in analyses]
    after = _protection._protect.cache_info()
    assert solved > 0
    assert after.misses == solved
    assert again == first


def _build_report(analysis, context):
    from concerns.report._build import build_organisation_report

    return build_organisation_report(analysis, context, as_of=AS_OF, illustrative=True)


def test_equality_findings_carry_both_readings_against_the_band_and_the_words_say_so(reports, national):
    for report in [r for _, r in reports.values()] + [national]:
        data = as_json(report)
        table = tables(data)["relative_likelihood"]
        for finding in data["findings"]["equality"]:
            if finding["ratio"] is None:
                assert finding["wres_band"] is None and finding["band_verdict"] is None
                continue
            expected = "below" if finding["ratio"] < 0.8 else "above" if finding["ratio"] > 1.25 else "within"
            assert finding["wres_band"] == expected
            words = cell(table, finding["comparison"], "band_verdict")["display"]
            assert (
                words
                == {
                    "above": "Above",
                    "below": "Below",
                    "within": "Within",
                    "cannot_tell_yet": "Cannot tell yet",
                }[finding["band_verdict"]]
            )
            if finding["band_verdict"] == "within" and finding["verdict"] == "more_likely":
                said = [t for t in texts(data) if "no adverse difference" in t]
                assert said, finding


def test_a_best_estimate_leans_on_published_counts_only(context, reports):
    """Where the ratio is shown, the best estimate is the model's at the published counts; where a group
    has too few cases it is a range that reads the same whatever that small count is."""
    import dataclasses

    from concerns.report._build import build_organisation_report

    analysis, report = reports["first"]
    findings = {e["comparison"]: e for e in as_json(report)["findings"]["equality"]}
    shown = next(e for e in findings.values() if e["verdict"] in ("more_likely", "no_clear_difference"))
    result = analysis.equality.pooled[shown["comparison"]]
    expected = analysis.equality.best_estimate(shown["comparison"], result.cases_a, result.cases_b)
    assert shown["best_estimate"]["ratio"] == pytest.approx(expected.ratio, rel=1e-5)
    assert (
        shown["best_estimate"]["ci_low"] < shown["ratio"] * 2
        and 0 <= shown["best_estimate"]["own_weight"] <= 1
    )
    few = next(
        e
        for e in findings.values()
        if e["verdict"] == "too_few_cases" and e["best_estimate"] and e["best_estimate"]["ratio"] is None
    )
    small = analysis.equality.pooled[few["comparison"]]
    side = "cases_a" if small.cases_a < 5 else "cases_b"
    for other in {0, 4} - {getattr(small, side)}:
        pooled = {**analysis.equality.pooled, few["comparison"]: dataclasses.replace(small, **{side: other})}
        altered = dataclasses.replace(
            analysis, equality=dataclasses.replace(analysis.equality, pooled=pooled)
        )
        with no_svg():
            rebuilt = build_organisation_report(altered, context, as_of=AS_OF, illustrative=True)
        again = {e["comparison"]: e for e in as_json(rebuilt)["findings"]["equality"]}[few["comparison"]]
        assert again["best_estimate"] == few["best_estimate"], other


def test_each_shown_ratio_comes_with_the_counts_and_practitioner_years_it_rests_on(reports):
    for name, (analysis, report) in reports.items():
        data = as_json(report)
        counts, ratios = tables(data)["relative_likelihood_counts"], tables(data)["relative_likelihood"]
        assert counts["detail"] is True  # in the HTML and the spreadsheet, not the PDF
        for row in ratios["rows"]:
            ratio = cell(ratios, row["key"], "ratio")["value"]
            a, years_a, b, years_b, rate_a, rate_b, gap = (c["value"] for c in cell_row(counts, row["key"]))
            if ratio is None:
                assert a is None and gap is None, (name, row["key"])
                continue
            result = analysis.equality.pooled[row["key"]]
            assert (a, b) == (result.cases_a, result.cases_b), (name, row["key"])
            assert (a / years_a) / (b / years_b) == pytest.approx(ratio, rel=1e-4)
            assert (rate_a, rate_b) == pytest.approx((1000 * a / years_a, 1000 * b / years_b), abs=1e-4)
            assert gap == pytest.approx(rate_a - rate_b, abs=1e-4)


def cell_row(table: dict, key: str) -> list[dict]:
    return next(r["cells"] for r in table["rows"] if r["key"] == key)


def test_it_sets_how_completely_cases_and_practitioners_are_recorded_side_by_side(reports):
    for name, (analysis, report) in reports.items():
        quality = tables(as_json(report))["data_quality"]
        for row in quality["rows"]:
            recorded = analysis.equality.workforce_recorded.get(row["key"])
            workforce = cell(quality, row["key"], "workforce")["value"]
            assert workforce == (None if recorded is None else pytest.approx(1 - recorded, abs=1e-6)), name
            enough = cell(quality, row["key"], "enough")["display"]
            if row["key"] in ("grade", "specialty_group"):
                assert enough == ""
                continue
            cases = cell(quality, row["key"], "share")["value"]
            short = (cases is not None and cases > 0.1) or (workforce is not None and workforce > 0.1)
            assert enough.startswith("Too little recorded") == short, (name, row["key"], cases, workforce)


def test_each_clear_comparison_gets_a_draft_objective_with_its_baseline(reports):
    for name, (_analysis, report) in reports.items():
        data = as_json(report)
        clear = [e for e in data["findings"]["equality"] if e["verdict"] in ("more_likely", "less_likely")]
        if not clear:
            assert "objectives" not in tables(data), name  # no empty table of drafts
            continue
        drafts = tables(data)["objectives"]
        assert [r["key"] for r in drafts["rows"]] == [e["comparison"] for e in clear], name
        years = data["period"]["fiscal_years"]
        assert drafts["columns"][0]["label"] == f"Baseline, {years[0]} to {years[-1]}"
        for row, finding in zip(drafts["rows"], clear, strict=True):
            assert row["cells"][0]["display"].startswith(f"{finding['ratio']:.2f} (")
            start = int(years[-1][:4]) + 1
            assert f"to {start}/{(start + 1) % 100:02d})" in row["cells"][2]["display"]


def test_over_time_shows_spans_only_when_each_has_enough_cases_and_they_add_up_to_the_period(
    reports, national
):
    """One comparison of each characteristic is followed over time: the earlier years' and latest two
    years' ratios are published only when every group has at least the threshold in each span, beside a
    shown ratio, and the verdict is the exact test's at those counts."""
    from concerns.analytics._equality import OVER_TIME
    from concerns.analytics.stats import likelihood_change

    seen = set()
    for analysis, report in [*reports.values(), (None, national)]:
        data = as_json(report)
        measures = analysis.equality if analysis else None
        for finding in data["findings"]["equality"]:
            change = finding["over_time"]
            assert (change is not None) == (finding["comparison"] in OVER_TIME)
            if change is None:
                continue
            seen.add(change["verdict"])
            if finding["verdict"] in ("too_few_cases", "withheld"):
                assert change["verdict"] == finding["verdict"] and change["earlier"] is None
                continue
            if change["earlier"] is None or measures is None:
                continue
            (earlier, later), (years_e, years_l) = measures.spans(finding["comparison"])
            counts = (earlier.cases_a, earlier.cases_b, later.cases_a, later.cases_b)
            assert min(counts) >= 5
            pooled = measures.pooled[finding["comparison"]]
            assert (earlier.cases_a + later.cases_a, earlier.cases_b + later.cases_b) == (
                pooled.cases_a,
                pooled.cases_b,
            )
            expected = likelihood_change(earlier, later)
            assert change["p"] == pytest.approx(expected.p, rel=1e-5)
            assert change["later"]["ratio"] == pytest.approx(expected.later.ratio, rel=1e-5)
            assert change["earlier"]["fiscal_years"] == list(years_e)
            assert change["later"]["fiscal_years"] == list(years_l)
        table = tables(data)["relative_likelihood_over_time"]
        assert [row["key"] for row in table["rows"]] == list(OVER_TIME)
    assert {"no_clear_change", "too_few_cases"} <= seen
    nationally = {e["comparison"]: e["over_time"] for e in as_json(national)["findings"]["equality"]}
    assert nationally["ethnic_minority_vs_white"]["earlier"] is not None


def test_over_time_spans_with_a_small_count_are_not_published(context, reports):
    """A span where a group has fewer than the threshold: nothing over time is published (the other span
    would give the small count away through the period's total), and it reads as too few cases."""
    import dataclasses

    from concerns.analytics._equality import OVER_TIME

    analysis, _ = reports["largest"]
    comparison = next(
        c for c in OVER_TIME if analysis.equality.spans(c) and analysis.equality.pooled[c].cases_a >= 10
    )
    yearly = dict(analysis.equality.by_year[comparison])
    latest = list(yearly)[-2:]
    pooled = analysis.equality.pooled[comparison]
    moved = sum(yearly[y].cases_a for y in latest) - 3  # the latest two years keep 3 cases of group a
    for year in latest:
        yearly[year] = dataclasses.replace(yearly[year], cases_a=0)
    first = next(iter(yearly))
    yearly[latest[0]] = dataclasses.replace(yearly[latest[0]], cases_a=3)
    yearly[first] = dataclasses.replace(yearly[first], cases_a=yearly[first].cases_a + moved)
    by_year = {**analysis.equality.by_year, comparison: yearly}
    altered = dataclasses.replace(analysis, equality=dataclasses.replace(analysis.equality, by_year=by_year))
    assert altered.equality.spans(comparison)[0][1].cases_a == 3
    assert sum(y.cases_a for y in yearly.values()) == pooled.cases_a
    report = _build_report(altered, context)
    data = as_json(report)
    change = {e["comparison"]: e for e in data["findings"]["equality"]}[comparison]["over_time"]
    assert change == {"verdict": "too_few_cases", "earlier": None, "later": None, "p": None}
    row = next(r for r in tables(data)["relative_likelihood_over_time"]["rows"] if r["key"] == comparison)
    assert all(c["value"] is None for c in row["cells"][:-1])
    assert row["cells"][-1]["display"] == "too few cases in a span to tell"


def test_doctors_alone_is_shown_only_when_the_dentists_and_pharmacists_it_leaves_out_are_not_few(
    reports, national
):
    """Beside the comparisons followed over time, the same for doctors alone: its ratio is the doctors'
    cases over the doctors' person-years, and it is shown only when the other professions' cases it
    leaves out of each group are none or at least the threshold (they are a difference a reader can
    form from the group's rows)."""
    from concerns.analytics._equality import DOCTOR_COMPARISONS

    verdicts = set()
    for analysis, report in reports.values():
        data = as_json(report)
        doctors = {e["comparison"]: e for e in data["findings"]["equality_doctors"]}
        if not doctors:
            continue
        assert list(doctors) == [c.id for c in DOCTOR_COMPARISONS]
        table = tables(data)["relative_likelihood_doctors"]
        assert table["detail"] is True
        for comparison in DOCTOR_COMPARISONS:
            finding = doctors[comparison.id]
            verdicts.add(finding["verdict"])
            alone = analysis.equality.pooled[comparison.id]
            every = analysis.equality.pooled[comparison.of_every_profession]
            assert alone.professions == ("doctor",)
            rests = (every.cases_a - alone.cases_a, every.cases_b - alone.cases_b)
            if finding["ratio"] is not None:
                assert all(rest == 0 or rest >= 5 for rest in rests), (comparison.id, rests)
                assert finding["ratio"] == pytest.approx(alone.ratio, rel=1e-5)
                assert cell(table, comparison.id, "ratio")["value"] == pytest.approx(alone.ratio, rel=1e-5)
            elif finding["verdict"] == "too_few_cases":
                assert min(alone.cases_a, alone.cases_b) < 5
    assert "withheld" in verdicts
    nationally = as_json(national)["findings"]["equality_doctors"]
    assert [e["comparison"] for e in nationally] == [c.id for c in DOCTOR_COMPARISONS]
    assert all(e["verdict"] == "more_likely" for e in nationally[:3])


def test_each_followed_comparison_shows_its_organisation_types_ratio_as_the_national_report_does(
    context, reports, national
):
    from concerns.analytics._equality import OVER_TIME
    from concerns.analytics.stats import relative_likelihood

    by_type = {(t["org_type"], t["comparison"]): t for t in as_json(national)["findings"]["equality_by_type"]}
    assert {comparison for _, comparison in by_type} == set(OVER_TIME)
    type_of = dict(context.organisations.select("org_code", "org_type").iter_rows())
    for org_type, comparison in by_type:
        found = by_type[(org_type, comparison)]
        members = [code for code, t in type_of.items() if t == org_type and code in context.equality]
        assert found["organisations"] == len(members)
        if found["ratio"] is None:
            assert found["ci_low"] is None and found["verdict"] in (
                "withheld",
                "too_few_cases",
                "not_available",
            )
            continue
        pooled = [context.equality[code].pooled[comparison] for code in members]
        expected = relative_likelihood(
            sum(r.cases_a for r in pooled),
            sum(r.headcount_a or 0 for r in pooled),
            sum(r.cases_b for r in pooled),
            sum(r.headcount_b or 0 for r in pooled),
        )
        assert found["ratio"] == pytest.approx(expected.ratio, rel=1e-5)
    for analysis, report in reports.values():
        data = as_json(report)
        table = tables(data)["relative_likelihood"]
        for finding in data["findings"]["equality"]:
            if finding["comparison"] not in OVER_TIME:
                assert finding["type_ratio"] is None
                continue
            expected = by_type[(analysis.organisation.org_type, finding["comparison"])]
            assert finding["type_ratio"] == {k: value for k, value in expected.items() if k != "comparison"}
            shown = cell(table, finding["comparison"], "type")
            assert shown["value"] == (
                None if expected["ratio"] is None else pytest.approx(expected["ratio"], rel=1e-5)
            )
