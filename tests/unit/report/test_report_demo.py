"""The demo cohort: with the defaults it reproduces the published 16-patient series exactly, whatever
the seed; other sizes are random PRRT cohorts in the shapes of the FHIR input profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cds.demo import DEFAULT_SEED, SERIES_SIZE, patient_bundle, write_cohort
from cds.reading import from_objects
from cds.report.cohort import CohortReport, ReportSettings, build_report
from cds.report.collect import CohortData, Settings, collect, summarize_collected


def series_report(seed: int, ci_method: str = "symmetric") -> CohortReport:
    bundles = [patient_bundle(i, SERIES_SIZE, seed)[1] for i in range(1, SERIES_SIZE + 1)]
    summaries, issues = summarize_collected(from_objects(bundles), Settings())
    return build_report(CohortData(tuple(summaries), tuple(issues), "test", SERIES_SIZE),
                        ReportSettings(ci_method=ci_method))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def series() -> Iterator[CohortReport]:
    yield series_report(DEFAULT_SEED)


def test_demographics_cycles_and_activity(series: CohortReport) -> None:
    assert series.n_patients == 16
    assert series.sex == {"female": 8, "male": 8}
    assert series.age_years is not None and (series.age_years.median, series.age_years.min,
                                             series.age_years.max) == (60.5, 24, 74)
    assert series.cycles is not None and (series.cycles.median, series.cycles.min, series.cycles.max) == (3.5, 1, 7)
    activity = series.cumulative_activity_gbq
    assert activity is not None
    assert (round(activity.median, 6), round(activity.min, 6), round(activity.max, 6)) == (20.35, 7.4, 49.95)


def test_responses(series: CohortReport) -> None:
    assert series.responses.counts == {"CR": 2, "PR": 11, "SD": 1, "non-CR/non-PD": 0, "PD": 2, "NE": 0}


def test_overall_survival_as_published(series: CohortReport) -> None:
    os_ = series.overall_survival
    assert os_ is not None and series.deaths == 3 and (os_.events, os_.censored) == (3, 13)
    assert os_.median is not None and round(os_.median, 2) == 23.0 and round(os_.median * 30.4375) == 700
    interval = os_.intervals["symmetric"]
    assert (round(interval.low or 0, 2), round(interval.high or 0, 2)) == (7.90, 38.09)


def test_toxicity_is_leucopenia_and_anaemia_of_grades_1_and_2(series: CohortReport) -> None:
    rows = {row.term: row for row in series.toxicity.with_toxicity}
    assert set(rows) == {"White blood cell decreased", "Anemia"}
    for row in rows.values():
        assert row.by_grade[1] and row.by_grade[2] and not row.by_grade[3] and not row.by_grade[4]


def test_performance_status_improves(series: CohortReport) -> None:
    """The paper's p < 0.05 is the asymptotic test's (p = 0.034); the exact test, the default, gives 0.070."""
    assert (series.ecog.before_median, series.ecog.after_median) == (1.5, 1.0)
    assert (series.kps.before_median, series.kps.after_median) == (75.0, 80.0)
    assert series.ecog.p_value == series.kps.p_value == pytest.approx(0.0703125)
    bundles = [patient_bundle(i, SERIES_SIZE, DEFAULT_SEED)[1] for i in range(1, SERIES_SIZE + 1)]
    summaries, issues = summarize_collected(from_objects(bundles), Settings())
    asymptotic = build_report(CohortData(tuple(summaries), tuple(issues), "test", SERIES_SIZE),
                              ReportSettings(performance_test="asymptotic"))
    assert asymptotic.ecog.p_value is not None and asymptotic.ecog.p_value < 0.05
    assert asymptotic.kps.p_value is not None and asymptotic.kps.p_value < 0.05


def test_the_input_is_clean(series: CohortReport) -> None:
    assert series.issues == () and series.evaluation_issues == {}


def test_another_seed_moves_dates_not_figures() -> None:
    other = series_report(7)
    assert other.responses.counts == {"CR": 2, "PR": 11, "SD": 1, "non-CR/non-PD": 0, "PD": 2, "NE": 0}
    assert other.overall_survival is not None and other.overall_survival.median is not None
    assert round(other.overall_survival.median * 30.4375) == 700
    first = patient_bundle(1, SERIES_SIZE, 7)[1]["entry"][1]["resource"]["performedDateTime"]
    assert first != patient_bundle(1, SERIES_SIZE, DEFAULT_SEED)[1]["entry"][1]["resource"]["performedDateTime"]


def test_random_cohort_is_reproducible_and_readable(tmp_path: Path) -> None:
    assert patient_bundle(5, 40, 3) == patient_bundle(5, 40, 3)
    write_cohort(tmp_path, 40, 3, jobs=1)
    assert len(list(tmp_path.glob("demo-*.json"))) == 40
    report = build_report(collect([tmp_path], jobs=1))
    assert report.n_patients == 40
    assert report.evaluation_issues.get("error", 0) == 0
    assert report.overall_survival is not None and report.overall_survival.n == 40


def test_writing_again_replaces_an_earlier_demo(tmp_path: Path) -> None:
    write_cohort(tmp_path, 20, 1, jobs=1)
    write_cohort(tmp_path, SERIES_SIZE, 1, jobs=1)
    assert len(list(tmp_path.glob("*.json"))) == SERIES_SIZE
