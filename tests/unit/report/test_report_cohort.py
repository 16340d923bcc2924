"""Cohort figures from FHIR input through the evaluation path: who is in the series, follow-up and
censoring, the data cut-off, progression-free survival, activity and performance status."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import pytest

from cds.reading import from_objects
from cds.report.cohort import MONTH_DAYS, CohortReport, ReportSettings, build_report
from cds.report.collect import CohortData, Settings, summarize_collected


def report_of(*resources: Any, cutoff: date | None = None, confirmed: bool = True) -> CohortReport:
    summaries, issues = summarize_collected(from_objects(resources), Settings(data_cutoff=cutoff, confirmed=confirmed))
    data = CohortData(tuple(summaries), tuple(issues), "test", 1)
    return build_report(data, ReportSettings(data_cutoff=cutoff, confirmed=confirmed))


def treated(pid: str, first: str = "2024-01-08", activity: float | None = 7.4, **patient: Any) -> list[dict[str, Any]]:
    return [fx.patient(pid, **patient), fx.procedure(f"{pid}-c1", first, patient=f"Patient/{pid}", activity=activity)]


def seen(pid: str, day: str, score: int = 1, oid: str | None = None) -> dict[str, Any]:
    """Any dated record of the patient: an ECOG score."""
    return fx.ecog(oid or f"{pid}-ecog-{day}", score, patient=f"Patient/{pid}", when=f"{day}T09:00:00Z")


def test_only_patients_with_a_prrt_cycle_form_the_series() -> None:
    report = report_of(*treated("a"), fx.patient("untreated"), seen("untreated", "2024-02-01"))
    assert report.n_patients == 1
    assert [(i.resource, i.severity) for i in report.issues] == [("Patient/untreated", "info")]


def test_living_patients_are_censored_at_their_latest_record() -> None:
    report = report_of(*treated("a"), seen("a", "2024-07-08"), *treated("b", deceased_date="2024-04-07"))
    data = dict(zip(report.os_data.patients, zip(report.os_data.months, report.os_data.observed, strict=True),
                    strict=True))
    assert data["Patient/a"] == (pytest.approx(182 / MONTH_DAYS), False)
    assert data["Patient/b"] == (pytest.approx(90 / MONTH_DAYS), True)
    assert report.deaths == 1


def test_data_cutoff_censors_the_living_on_it_and_ignores_later_deaths_and_records() -> None:
    report = report_of(
        *treated("a"), seen("a", "2024-03-01"),
        *treated("b", deceased_date="2024-12-01"),
        fx.procedure("a-c2", "2024-06-01", patient="Patient/a"),
        cutoff=date(2024, 5, 1),
    )
    data = dict(zip(report.os_data.patients, report.os_data.months, strict=True))
    assert data["Patient/a"] == pytest.approx((date(2024, 5, 1) - date(2024, 1, 8)).days / MONTH_DAYS)
    assert data["Patient/b"] == data["Patient/a"]
    assert report.deaths == 0 and report.overall_survival is not None and report.overall_survival.events == 0
    assert report.cycles is not None and report.cycles.max == 1  # cycle 2 is after the cut-off


def test_a_patient_first_treated_after_the_data_cutoff_is_left_out_as_such() -> None:
    """Before: "no PRRT administration: not part of the series" for a patient treated after the cut-off."""
    report = report_of(*treated("a", first="2024-06-01"), *treated("b"), cutoff=date(2024, 3, 1))
    assert report.n_patients == 1
    assert [(i.resource, i.message) for i in report.issues] == [
        ("Patient/a", "no PRRT administration on or before the data cut-off 2024-03-01: not part of the series")]


def test_a_cycle_that_cannot_be_read_is_said_to_shorten_the_patients_figures() -> None:
    """Before: a patient with one dated and one undated cycle counted 1 cycle and the report said nothing;
    a patient whose only cycle is undated read "no PRRT administration: not part of the series"."""
    undated = fx.procedure("a-c2", None, patient="Patient/a")
    only = fx.procedure("b-c1", None, patient="Patient/b")
    report = report_of(*treated("a"), undated, fx.patient("b"), only, *treated("c"))
    assert report.n_patients == 2
    messages = {i.resource: (i.severity, i.message) for i in report.issues}
    assert messages["Patient/a"][0] == "warning"
    assert messages["Patient/a"][1].startswith("1 Lutathera administration recorded as given could not be read")
    assert messages["Patient/b"] == ("warning", "no PRRT administration that could be read (1 Lutathera "
                                                "administration recorded as given could not be: see the "
                                                "evaluation's issues): not part of the series")
    assert "Patient/c" not in messages


def test_deceased_without_a_date_is_left_out_of_survival_with_an_issue() -> None:
    report = report_of(*treated("a", deceased=True), *treated("b"))
    assert report.os_data.patients == ("Patient/b",)
    assert report.deaths == 1
    assert any(i.resource == "Patient/a" and "deceased without a date" in i.message for i in report.issues)


def test_death_before_the_first_cycle_is_an_issue_not_a_negative_time() -> None:
    report = report_of(*treated("a", deceased_date="2023-12-01"))
    assert report.os_data.patients == ()
    assert any("before the first PRRT cycle" in i.message for i in report.issues)


def test_death_dated_before_a_later_cycle_is_an_issue_not_a_survival_time() -> None:
    """A cycle given after the recorded death: one of the two dates is wrong, so neither survival time is
    known; the patient is left out of both analyses with an issue, as a death before the first cycle is."""
    report = report_of(
        *treated("a", deceased_date="2024-02-01"), fx.procedure("a-c2", "2024-03-04", patient="Patient/a"),
        *_lesions("a", {"2024-01-01": 40, "2024-04-08": 55}),
        *treated("b", deceased_date="2024-03-04"), fx.procedure("b-c2", "2024-03-04", patient="Patient/b"),
    )
    assert report.os_data.patients == ("Patient/b",)  # a death on the day of the last cycle is not a conflict
    assert "Patient/a" not in report.pfs_data.patients
    assert [i.resource for i in report.issues if "before a later PRRT cycle" in i.message] == ["Patient/a"]
    assert report.deaths == 2


def test_unknown_activity_is_left_out_of_cumulative_activity() -> None:
    report = report_of(*treated("a", activity=None), *treated("b"))
    assert report.cumulative_activity_gbq is not None and report.cumulative_activity_gbq.n == 1
    assert any("activity is unknown" in i.message for i in report.issues)


def test_age_at_first_cycle_in_completed_years() -> None:
    report = report_of(*treated("a", birth_date="1960-01-09"), *treated("b", birth_date="1960-01-08"))
    assert report.age_years is not None and (report.age_years.min, report.age_years.max) == (63, 64)


def _lesions(pid: str, sizes: dict[str, float]) -> list[dict[str, Any]]:
    return [fx.lesion(f"{pid}-l-{day}", size, patient=f"Patient/{pid}", when=f"{day}T10:00:00Z",
                      focus=f"BodyStructure/{pid}-1") for day, size in sizes.items()]


def test_progression_free_survival_ends_at_first_pd_or_death_else_last_assessment() -> None:
    report = report_of(
        *treated("pd"), *_lesions("pd", {"2024-01-01": 40, "2024-04-08": 55}),
        *treated("pr"), *_lesions("pr", {"2024-01-01": 40, "2024-04-08": 24, "2024-07-08": 22}),
        *treated("dead", deceased_date="2024-03-08"),
    )
    pfs = dict(zip(report.pfs_data.patients, zip(report.pfs_data.months, report.pfs_data.observed, strict=True),
                   strict=True))
    assert pfs["Patient/pd"] == (pytest.approx(91 / MONTH_DAYS), True)
    assert pfs["Patient/pr"] == (pytest.approx(182 / MONTH_DAYS), False)
    assert pfs["Patient/dead"] == (pytest.approx(60 / MONTH_DAYS), True)
    counts = report.responses.counts
    assert (counts["PD"], counts["PR"], counts["NE"]) == (1, 1, 1)


def test_unconfirmed_response_can_be_chosen() -> None:
    resources = [*treated("a"), *_lesions("a", {"2024-01-01": 40, "2024-04-08": 24})]
    assert report_of(*resources).responses.counts["PR"] == 0
    assert report_of(*resources, confirmed=False).responses.counts["PR"] == 1


def test_performance_before_first_cycle_and_first_after_last() -> None:
    report = report_of(
        *treated("a"),
        seen("a", "2023-12-20", 3, "e1"), seen("a", "2024-01-08", 2, "e2"),
        seen("a", "2024-03-01", 1, "e3"), seen("a", "2024-06-01", 4, "e4"),
        fx.karnofsky("k1", 70, patient="Patient/a", when="2024-01-01T09:00:00Z"),
    )
    assert (report.ecog.n, report.ecog.before_median, report.ecog.after_median) == (1, 2.0, 1.0)
    assert report.kps.n == 0  # no score after the last cycle


def test_toxicity_counts_only_results_from_the_first_cycle_on() -> None:
    report = report_of(
        *treated("a"),
        fx.lab("w0", "wbc", 2.5, "10*9/L", low=4.0, high=10.0, patient="Patient/a", when="2024-01-01T08:00:00Z"),
        fx.lab("w1", "wbc", 3.5, "10*9/L", low=4.0, high=10.0, patient="Patient/a", when="2024-02-01T08:00:00Z"),
    )
    rows = {row.term: row for row in report.toxicity.rows}
    assert rows["White blood cell decreased"].by_grade == {1: 1, 2: 0, 3: 0, 4: 0}


def test_no_tumour_assessment_in_the_input_means_no_progression_free_survival() -> None:
    report = report_of(*treated("a", deceased_date="2024-06-01"), *treated("b"), seen("b", "2024-09-01"))
    assert report.overall_survival is not None and report.progression_free_survival is None


def test_a_result_of_the_first_cycles_morning_is_the_baseline_not_a_toxicity() -> None:
    """Platelets of 40 drawn two hours before cycle 1 are the baseline (the latest on or before the day of
    the first administration), not a treatment-emergent grade 3; before, the report counted it."""
    report = report_of(
        fx.patient("a"), fx.procedure("a-c1", "2024-01-08T09:00:00Z", patient="Patient/a"),
        fx.lab("p0", "platelets", 40, "10*9/L", low=150, high=400, patient="Patient/a", when="2024-01-08T07:00:00Z"),
        fx.lab("p1", "platelets", 200, "10*9/L", low=150, high=400, patient="Patient/a", when="2024-02-01T08:00:00Z"),
    )
    rows = {row.term: row for row in report.toxicity.rows}
    assert rows["Platelet count decreased"].by_grade == {1: 0, 2: 0, 3: 0, 4: 0}
    assert rows["Platelet count decreased"].evaluated == 1


def test_a_progression_ends_the_progression_free_time_of_a_patient_dead_without_a_date() -> None:
    """The progression date is known, so the missing death date does not matter to PFS; before, the
    patient left PFS and the documented PD with it."""
    report = report_of(*treated("pd", deceased=True), *_lesions("pd", {"2024-01-01": 40, "2024-04-08": 56}),
                       *treated("b"), *_lesions("b", {"2024-01-01": 40, "2024-04-08": 38}))
    pfs = dict(zip(report.pfs_data.patients, zip(report.pfs_data.months, report.pfs_data.observed, strict=True),
                   strict=True))
    assert pfs["Patient/pd"] == (pytest.approx(91 / MONTH_DAYS), True)
    assert report.os_data.patients == ("Patient/b",)


def test_a_patient_dead_without_a_date_and_no_progression_leaves_pfs_with_an_issue() -> None:
    report = report_of(*treated("a", deceased=True), *_lesions("a", {"2024-01-01": 40, "2024-04-08": 38}),
                       *treated("b"), *_lesions("b", {"2024-01-01": 40, "2024-04-08": 38}))
    assert report.pfs_data.patients == ("Patient/b",)
    assert any(i.resource == "Patient/a" and "excluded from progression-free survival" in i.message
               for i in report.issues)


def test_a_death_before_the_first_cycle_excludes_the_patient_from_pfs_too() -> None:
    """The issue says "excluded from survival": before, the patient stayed in PFS, censored at month 0."""
    report = report_of(*treated("a", deceased_date="2023-12-01"),
                       *treated("b"), *_lesions("b", {"2024-01-01": 40, "2024-04-08": 38}))
    assert report.pfs_data.patients == ("Patient/b",)


def test_results_that_could_not_be_graded_are_counted_not_silently_left_out() -> None:
    """A platelet count in a unit that cannot be converted, and an ALT without an upper limit, are in no
    toxicity count; before, nothing in the report said they existed."""
    report = report_of(
        *treated("a"),
        fx.lab("p1", "platelets", 40, "furlongs", patient="Patient/a", when="2024-02-01T08:00:00Z"),
        fx.lab("p2", "platelets", 35, "furlongs", patient="Patient/a", when="2024-02-15T08:00:00Z"),
        fx.lab("p0", "platelets", 20, "furlongs", patient="Patient/a", when="2024-01-08T07:00:00Z"),  # baseline day
        *treated("b"),
        fx.lab("q1", "platelets", 200, "10*9/L", low=150, high=400, patient="Patient/b", when="2024-02-01T08:00:00Z"),
    )
    missed = {n.analyte: (n.results, n.patients) for n in report.toxicity.not_graded}
    assert missed == {"platelets": (2, 1)}
    assert {row.term: row.evaluated for row in report.toxicity.rows}["Platelet count decreased"] == 1


def test_the_survival_text_says_how_many_treated_patients_it_leaves_out() -> None:
    """Before: of 3 treated patients, 2 dead (one without a date), the text read "One death was observed in
    2 patients" beside 3 patients treated and 2 deaths, without a word of the third; and with every patient
    left out the survival paragraph was dropped without saying so."""
    from cds.report.narrative import paragraphs

    report = report_of(*treated("a", deceased=True), *treated("b", deceased_date="2024-04-07"), *treated("c"))
    assert (report.n_patients, report.deaths, report.overall_survival and report.overall_survival.events) == (3, 2, 1)
    text = " ".join(paragraphs(report))
    assert "One death was observed in 2 patients (1 censored; 1 of the 3 treated patients left out, " \
           "see the issues)" in text
    alone = " ".join(paragraphs(report_of(*treated("a", deceased=True))))
    assert "Overall survival could not be estimated: the 1 treated patient was left out (see the issues)." in alone


def test_the_swimmer_caption_does_not_call_patients_left_out_of_survival_sampled() -> None:
    """Before: of 3 treated patients, one dead without a date (no survival time, no bar), the caption read
    "Swimmer plot (2 of 3 patients, evenly sampled)": nothing was sampled."""
    from cds.report.render import figures

    report = report_of(*treated("a", deceased=True), *treated("b", deceased_date="2024-04-07"), *treated("c"))
    caption = next(f.caption for f in figures(report) if f.name == "swimmer.png")
    assert "sampled" not in caption
    assert caption.startswith("Swimmer plot (2 patients; 1 treated patient without a survival time is not drawn, "
                              "see the issues)")
