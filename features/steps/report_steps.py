"""Cohort report steps: a PRRT series built as FHIR R4 resources, the report built from it through the
real path (``cds.report.collect.summarize_collected`` -> ``cds.report.cohort.build_report``), and the
figures a results section states.

Given (the first Given of a scenario creates the series):

- ``Given the demo cohort of 16 patients``: the Bundles ``prrt-cds demo`` writes (the published series);
- ``Given these PRRT patients:`` with ``| patient | sex | born | first cycle | cycles | outcome |``:
  ``cycles`` of 7.4 GBq every 8 weeks; ``outcome`` is ``died YYYY-MM-DD``, ``died, date unknown`` or
  ``last seen YYYY-MM-DD`` (an ECOG score on that day, the patient's latest record);
- ``Given 6 patients first treated on 2024-01-01 who died 100, 200 and 300 days later`` and
  ``... who were last seen 400 and 500 days later``: one cycle each, then death or a last record;
- ``Given p1 had a best overall response of PR``: two target-lesion measurements that give it under
  RECIST 1.1 (baseline 40 mm 7 days before the first cycle; then at 3 and 6 months: CR 0 mm, PR 24 mm,
  SD 36 mm; PD 52 mm at 3 months); ``non-CR/non-PD``: a non-target lesion only, present at baseline and
  at 3 and 6 months (RECIST 1.1 Table 2);
- ``Given p5 had non-target disease only, still present 42 days after the first cycle``: a non-target
  lesion present at baseline and on that one day (the minimum duration of SD is 42 days);
- ``Given p1 had a WBC of 3.5 x10^9/L 28 days after the first cycle`` (range 4.0-10.0), or a
  ``hemoglobin of 9.5 g/dL`` (range 12.0-16.0);
- ``Given ECOG scores before and after treatment:`` / ``Given Karnofsky scores ...`` with
  ``| patient | before | after |``: 7 days before the first cycle and 8 weeks after the last;
- ``Given a data cut-off on 2024-06-30``.

When: ``the cohort report is built`` (with the default log-log interval and the exact signed-rank test),
``... built with the symmetric interval`` or ``... built with the asymptotic performance test``.
Then: the figures below, each step naming what it checks; ``report.json ...``
reads the document of docs/outputs.md, ``the results text says "..."`` the paragraphs of report.md
and report.html, ``the response table ...`` their best overall response table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import factories as fx
import pytest
from pytest_bdd import given, parsers, then, when

from cds.demo import SERIES_SIZE, patient_bundle
from cds.reading import from_objects
from cds.report.cohort import MONTH_DAYS, CohortReport, ReportSettings, build_report
from cds.report.collect import CohortData, Settings, summarize_collected
from cds.report.document import report_document
from cds.report.narrative import paragraphs, tables
from cds.report.performance import PerformanceTest
from cds.report.survival import SurvivalSummary, ci_method
from steps.patterns import DATE, NUMBER_LIST, UNSIGNED

RESPONSE_SIZES = {"CR": (0.0, 0.0), "PR": (24.0, 24.0), "SD": (36.0, 36.0), "PD": (52.0, None)}


@dataclass
class Series:
    """The scenario's cohort: FHIR resources, and each patient's cycle dates."""

    resources: list[dict[str, Any]] = field(default_factory=list)
    cycles: dict[str, list[date]] = field(default_factory=dict)
    cutoff: date | None = None
    counter: int = 0
    courses: dict[str, Course] = field(default_factory=dict)

    def rid(self, kind: str) -> str:
        self.counter += 1
        return f"{kind}-{self.counter}"

    def add_patient(self, pid: str, first: date, n_cycles: int = 1, **patient: Any) -> None:
        self.resources.append(fx.patient(pid, **patient))
        self.cycles[pid] = [first + timedelta(days=56 * k) for k in range(n_cycles)]
        for day in self.cycles[pid]:
            self.resources.append(fx.procedure(self.rid("prrt"), day.isoformat(), patient=f"Patient/{pid}"))

    def first(self, pid: str) -> date:
        assert pid in self.cycles, f"patient {pid} is not in the series"
        return self.cycles[pid][0]

    def ecog(self, pid: str, day: date, score: int) -> None:
        self.resources.append(fx.ecog(self.rid("ecog"), score, patient=f"Patient/{pid}", when=f"{day}T09:00:00Z"))


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


# --- Given ----------------------------------------------------------------------------------------


@given(parsers.parse("the demo cohort of {n:d} patients"), target_fixture="series")
def demo_cohort(n: int) -> Series:
    assert n == SERIES_SIZE, f"the demo cohort with the defaults has {SERIES_SIZE} patients"
    return Series(resources=[patient_bundle(i, n, 1)[1] for i in range(1, n + 1)])


@given("these PRRT patients:", target_fixture="series")
def these_patients(datatable: list[list[str]]) -> Series:
    series = Series()
    header = [h.strip() for h in datatable[0]]
    for raw in datatable[1:]:
        row = dict(zip(header, (cell.strip() for cell in raw), strict=True))
        pid, outcome = row["patient"], row["outcome"]
        extra: dict[str, Any] = {}
        if outcome.startswith("died "):
            extra["deceased_date"] = outcome.removeprefix("died ")
        elif outcome == "died, date unknown":
            extra["deceased"] = True
        first = date.fromisoformat(row["first cycle"])
        series.add_patient(pid, first, int(row["cycles"]), gender=row["sex"], birth_date=row["born"], **extra)
        if outcome.startswith("last seen "):
            series.ecog(pid, date.fromisoformat(outcome.removeprefix("last seen ")), 1)
    return series


@given(parsers.re(rf"(?P<n>\d+) patients first treated on (?P<day>{DATE}) who (?P<what>died|were last seen) "
                  rf"(?P<days>{NUMBER_LIST}) days later"), target_fixture="series")
def patients_with_times(n: str, day: str, what: str, days: str, request: pytest.FixtureRequest) -> Series:
    try:
        series: Series = request.getfixturevalue("series")
    except pytest.FixtureLookupError:  # the first Given of the scenario
        series = Series()
    offsets = _numbers(days)
    assert len(offsets) == int(n), f"{n} patients but {len(offsets)} times"
    first = date.fromisoformat(day)
    for offset in offsets:
        pid = f"p{len(series.cycles) + 1}"
        end = first + timedelta(days=offset)
        if what == "died":
            series.add_patient(pid, first, deceased_date=end.isoformat())
        else:
            series.add_patient(pid, first)
            series.ecog(pid, end, 1)
    return series


def _non_target_present(series: Series, pid: str, days: list[date]) -> None:
    """A non-target lesion (and no target lesion) recorded present on each day: RECIST 1.1 Table 2."""
    focus = f"BodyStructure/{pid}-bone"
    for day in days:
        series.resources.append(fx.non_target_status(series.rid("nontarget"), "present", focus,
                                                     patient=f"Patient/{pid}", when=f"{day}T10:00:00Z"))


@given(parsers.re(r"(?P<pid>\w+) had non-target disease only, still present (?P<days>\d+) days after the first "
                  r"cycle"))
def non_target_disease_only(series: Series, pid: str, days: str) -> None:
    first = series.first(pid)
    _non_target_present(series, pid, [first - timedelta(days=7), first + timedelta(days=int(days))])


@given(parsers.re(r"(?P<pid>\w+) had a best overall response of (?P<response>CR|PR|SD|PD|non-CR/non-PD)"))
def best_response(series: Series, pid: str, response: str) -> None:
    first = series.first(pid)
    if response == "non-CR/non-PD":
        _non_target_present(series, pid, [first - timedelta(days=7), first + timedelta(days=91),
                                          first + timedelta(days=182)])
        return
    focus = f"BodyStructure/{pid}-liver"
    sizes = [(first - timedelta(days=7), 40.0), *zip((first + timedelta(days=91), first + timedelta(days=182)),
                                                       RESPONSE_SIZES[response], strict=True)]
    for day, size in sizes:
        if size is not None:
            series.resources.append(fx.lesion(series.rid("lesion"), size, patient=f"Patient/{pid}",
                                              when=f"{day}T10:00:00Z", focus=focus))


@given(parsers.re(rf"(?P<pid>\w+) had an? (?P<analyte>WBC|hemoglobin) of (?P<value>{UNSIGNED}) (?P<unit>\S+) "
                  r"(?P<days>\d+) days after the first cycle"))
def lab_after_first_cycle(series: Series, pid: str, analyte: str, value: str, unit: str, days: str) -> None:
    day = series.first(pid) + timedelta(days=int(days))
    key, ucum, low, high = {"WBC": ("wbc", "10*9/L", 4.0, 10.0), "hemoglobin": ("hemoglobin", "g/dL", 12.0, 16.0)}[
        analyte]
    assert unit in ("x10^9/L", "g/dL"), f"unit {unit}"
    series.resources.append(fx.lab(series.rid("lab"), key, float(value), ucum, low=low, high=high,
                                   patient=f"Patient/{pid}", when=f"{day}T08:00:00Z"))


@given(parsers.re(r"(?P<scale>ECOG|Karnofsky) scores before and after treatment:"))
def scores_before_after(series: Series, scale: str, datatable: list[list[str]]) -> None:
    build = fx.ecog if scale == "ECOG" else fx.karnofsky
    for raw in datatable[1:]:
        pid, before, after = (cell.strip() for cell in raw)
        cycles = series.cycles[pid]
        for day, score in ((cycles[0] - timedelta(days=7), before), (cycles[-1] + timedelta(days=56), after)):
            series.resources.append(build(series.rid(scale), int(score), patient=f"Patient/{pid}",
                                          when=f"{day}T09:00:00Z"))


@given(parsers.re(rf"a data cut-off on (?P<day>{DATE})"))
def data_cutoff(series: Series, day: str) -> None:
    series.cutoff = date.fromisoformat(day)


# --- When -----------------------------------------------------------------------------------------


def _build(series: Series, method: str, performance_test: PerformanceTest = "exact") -> CohortReport:
    settings = Settings(data_cutoff=series.cutoff)
    summaries, issues = summarize_collected(from_objects(_resources_of(series)), settings)
    data = CohortData(tuple(summaries), tuple(issues), "scenario", 1)
    return build_report(data, ReportSettings(ci_method=ci_method(method), data_cutoff=series.cutoff,
                                             performance_test=performance_test))


@when("the cohort report is built", target_fixture="cohort_report")
def report_is_built(series: Series) -> CohortReport:
    return _build(series, "log-log")


@when(parsers.re(r"the cohort report is built with the (?P<method>log-log|log|plain|symmetric) interval"),
      target_fixture="cohort_report")
def report_is_built_with(series: Series, method: str) -> CohortReport:
    return _build(series, method)


@when("the cohort report is built with the asymptotic performance test", target_fixture="cohort_report")
def report_is_built_asymptotic(series: Series) -> CohortReport:
    return _build(series, "log-log", "asymptotic")


# --- Then -----------------------------------------------------------------------------------------


def _close(actual: float | None, expected: str, digits: int) -> None:
    assert actual is not None, f"expected {expected}, got NA"
    assert round(actual, digits) == round(float(expected), digits), f"expected {expected}, got {actual}"


@then(parsers.parse("the series has {n:d} patients, {women:d} women and {men:d} men"))
def series_size(cohort_report: CohortReport, n: int, women: int, men: int) -> None:
    assert cohort_report.n_patients == n
    assert (cohort_report.sex.get("female", 0), cohort_report.sex.get("male", 0)) == (women, men)


@then(parsers.re(rf"the median (?P<what>age at the first cycle|number of cycles|cumulative activity) is "
                 rf"(?P<median>{UNSIGNED})(?: years| GBq)?, range (?P<low>{UNSIGNED}) to (?P<high>{UNSIGNED})"))
def median_and_range(cohort_report: CohortReport, what: str, median: str, low: str, high: str) -> None:
    figure = {"age at the first cycle": cohort_report.age_years, "number of cycles": cohort_report.cycles,
              "cumulative activity": cohort_report.cumulative_activity_gbq}[what]
    assert figure is not None, f"no {what}"
    for actual, expected in ((figure.median, median), (figure.min, low), (figure.max, high)):
        _close(actual, expected, 6)


@then(parsers.parse("the best overall responses are {cr:d} CR, {pr:d} PR, {sd:d} SD and {pd:d} PD"))
def responses_are(cohort_report: CohortReport, cr: int, pr: int, sd: int, pd: int) -> None:
    counts = cohort_report.responses.counts
    assert (counts["CR"], counts["PR"], counts["SD"], counts["PD"]) == (cr, pr, sd, pd), counts


@then(parsers.parse("the best overall responses are {cr:d} CR, {pr:d} PR, {sd:d} SD, {other:d} non-CR/non-PD, "
                    "{pd:d} PD and {ne:d} NE"))
def all_responses_are(cohort_report: CohortReport, cr: int, pr: int, sd: int, other: int, pd: int, ne: int) -> None:
    counts = cohort_report.responses.counts
    assert counts == {"CR": cr, "PR": pr, "SD": sd, "non-CR/non-PD": other, "PD": pd, "NE": ne}, counts


@then(parsers.re(r'report.json counts (?P<n>\d+) "(?P<key>[^"]+)" in the best overall response, '
                 r"(?P<dcr>\d+) in disease control"))
def report_json_counts(cohort_report: CohortReport, n: str, key: str, dcr: str) -> None:
    bor = report_document(cohort_report)["best_overall_response"]
    assert bor.get(key) == int(n), bor
    assert bor["dcr"]["successes"] == int(dcr), bor["dcr"]


@then(parsers.re(r'the results text says "(?P<text>[^"]+)"'))
def results_text_says(cohort_report: CohortReport, text: str) -> None:
    written = paragraphs(cohort_report)
    assert any(text in paragraph for paragraph in written), "\n\n".join(written)


@then(parsers.re(r'the response table counts (?P<n>\d+) patients? in the row "(?P<row>[^"]+)"'))
def response_table_row(cohort_report: CohortReport, n: str, row: str) -> None:
    table = next(t for t in tables(cohort_report) if t.title.startswith("Best overall response"))
    found = [r for r in table.rows if r[0] == row]
    assert found, f"no row {row!r}: {[r[0] for r in table.rows]}"
    assert found[0][1] == n, found[0]


@then(parsers.re(rf"the (?P<rate>objective response|disease control) rate is (?P<value>{UNSIGNED})% with an exact "
                 rf"95% interval of (?P<low>{UNSIGNED})% to (?P<high>{UNSIGNED})%"))
def rate_is(cohort_report: CohortReport, rate: str, value: str, low: str, high: str) -> None:
    p = cohort_report.responses.orr if rate == "objective response" else cohort_report.responses.dcr
    digits = max(len(x.partition(".")[2]) for x in (value, low, high))
    for actual, expected in ((p.value, value), (p.ci_low, low), (p.ci_high, high)):
        _close(None if actual is None else 100 * actual, expected, digits)


@then(parsers.parse("{n:d} patients died"))
def deaths(cohort_report: CohortReport, n: int) -> None:
    assert cohort_report.deaths == n


def _os(cohort_report: CohortReport) -> SurvivalSummary:
    assert cohort_report.overall_survival is not None, "no overall survival"
    return cohort_report.overall_survival


@then(parsers.re(rf"the median overall survival is (?P<value>{UNSIGNED}) (?P<unit>months|days)"))
def median_os(cohort_report: CohortReport, value: str, unit: str) -> None:
    median = _os(cohort_report).median
    assert median is not None, "the median is not reached"
    digits = len(value.partition(".")[2])
    _close(median if unit == "months" else median * MONTH_DAYS, value, digits)


@then("the median overall survival is not reached")
def median_not_reached(cohort_report: CohortReport) -> None:
    assert _os(cohort_report).median is None


@then(parsers.re(rf"the (?P<method>log-log|log|plain|symmetric) 95% interval of the median overall survival is "
                 rf"(?P<low>{UNSIGNED}|NA) to (?P<high>{UNSIGNED}|NA) (?P<unit>months|days)"))
def os_interval(cohort_report: CohortReport, method: str, low: str, high: str, unit: str) -> None:
    interval = _os(cohort_report).intervals[ci_method(method)]
    scale = 1.0 if unit == "months" else MONTH_DAYS
    for actual, expected in ((interval.low, low), (interval.high, high)):
        if expected == "NA":
            assert actual is None, f"expected NA, got {actual}"
        else:
            _close(None if actual is None else actual * scale, expected, len(expected.partition(".")[2]))


@then(parsers.parse("{events:d} deaths and {censored:d} censored patients enter the overall survival analysis"))
def os_counts(cohort_report: CohortReport, events: int, censored: int) -> None:
    survival = _os(cohort_report)
    assert (survival.events, survival.censored) == (events, censored)


@then(parsers.re(rf"the overall survival at (?P<months>{UNSIGNED}) months is (?P<value>{UNSIGNED})%"))
def os_at(cohort_report: CohortReport, months: str, value: str) -> None:
    survival = _os(cohort_report)
    landmark = next(m for m in survival.landmarks if m.time == float(months))
    _close(None if landmark.survival is None else 100 * landmark.survival, value, len(value.partition(".")[2]))


@then(parsers.re(r'(?P<patient>\w+) is left out of overall survival because "(?P<reason>[^"]+)"'))
def left_out(cohort_report: CohortReport, patient: str, reason: str) -> None:
    assert f"Patient/{patient}" not in cohort_report.os_data.patients
    assert any(i.resource == f"Patient/{patient}" and reason in i.message for i in cohort_report.issues), \
        [i.message for i in cohort_report.issues]


@then(parsers.re(r'"(?P<term>[^"]+)" is grade (?P<grade>[1-4]) in (?P<n>\d+) patients?'))
def toxicity_count(cohort_report: CohortReport, term: str, grade: str, n: str) -> None:
    rows = {row.term: row for row in cohort_report.toxicity.rows}
    assert term in rows, f"{term} was not evaluated; the table has {sorted(rows)}"
    assert rows[term].by_grade[int(grade)] == int(n), rows[term]


@then(parsers.parse("no patient has a laboratory toxicity of grade {grade:d} or higher"))
def no_toxicity_above(cohort_report: CohortReport, grade: int) -> None:
    worst = [(row.term, g) for row in cohort_report.toxicity.rows for g, n in row.by_grade.items() if n and g >= grade]
    assert not worst, worst


@then(parsers.re(rf"the median (?P<scale>ECOG|Karnofsky) score goes from (?P<before>{UNSIGNED}) to "
                 rf"(?P<after>{UNSIGNED}) with a Wilcoxon signed-rank p (?P<side>below|above) (?P<alpha>{UNSIGNED})"))
def performance_change(cohort_report: CohortReport, scale: str, before: str, after: str, side: str,
                       alpha: str) -> None:
    comparison = cohort_report.ecog if scale == "ECOG" else cohort_report.kps
    _close(comparison.before_median, before, 6)
    _close(comparison.after_median, after, 6)
    assert comparison.p_value is not None, "no p-value"
    assert (comparison.p_value < float(alpha)) == (side == "below"), comparison.p_value


@then(parsers.re(rf"the median (?P<scale>ECOG|Karnofsky) score goes from (?P<before>{UNSIGNED}) to "
                 rf'(?P<after>{UNSIGNED}) and the Wilcoxon signed-rank test is "(?P<reason>[^"]+)"'))
def performance_not_tested(cohort_report: CohortReport, scale: str, before: str, after: str, reason: str) -> None:
    comparison = cohort_report.ecog if scale == "ECOG" else cohort_report.kps
    _close(comparison.before_median, before, 6)
    _close(comparison.after_median, after, 6)
    assert (comparison.p_value, comparison.statistic) == (None, None), comparison
    assert comparison.not_computed == reason, comparison.not_computed


# --- Dose modifications and the waterfall (report_dose_modifications.feature, report_waterfall.feature) ---

# Every result the Lutathera table requires before a cycle, each inside its range, as fx.lab arguments:
# (analyte key, value, UCUM unit, lower limit, upper limit); with a body weight for Cockcroft-Gault.
COURSE_PANEL: tuple[tuple[str, float, str, float, float], ...] = (
    ("hemoglobin", 13.0, "g/dL", 12.0, 16.0),
    ("wbc", 6.0, "10*9/L", 4.0, 10.0),
    ("platelets", 250.0, "10*9/L", 150.0, 400.0),
    ("creatinine", 0.8, "mg/dL", 0.5, 1.1),
    ("alt", 20.0, "U/L", 7.0, 40.0),
    ("ast", 20.0, "U/L", 10.0, 35.0),
    ("albumin", 42.0, "g/L", 35.0, 50.0),
    ("bilirubin", 0.6, "mg/dL", 0.3, 1.2),
)
PANEL_DAYS_BEFORE = 7


@dataclass
class Course:
    """A course's cycles and which analyte of which pre-cycle panel a scenario changed or removed."""

    first: date
    cycles: list[tuple[int, float]]
    panel: dict[tuple[int, str], float | None] = field(default_factory=dict)  # (cycle, analyte) -> value
    extra: list[tuple[int, str, float]] = field(default_factory=list)  # (day after first, analyte, value)


def _resources_of(series: Series) -> list[dict[str, Any]]:
    """The scenario's resources, with the courses' procedures and panels written out."""
    out = list(series.resources)
    for pid, course in series.courses.items():
        ref = f"Patient/{pid}"
        out.append(fx.patient(pid, gender="female", birth_date="1962-05-14"))
        for number, (offset, activity) in enumerate(course.cycles, start=1):
            day = course.first + timedelta(days=offset)
            out.append(fx.procedure(f"{pid}-cycle-{number}", day.isoformat(), patient=ref, activity=activity))
            panel_day = day - timedelta(days=PANEL_DAYS_BEFORE)
            if course.panel.get((number, "*"), 0.0) is None:
                continue
            when = f"{panel_day}T08:00:00Z"
            out.append(fx.body_weight(f"{pid}-weight-{number}", 70.0, patient=ref, when=when))
            for analyte, value, unit, low, high in COURSE_PANEL:
                chosen = course.panel.get((number, analyte), value)
                out.append(fx.lab(f"{pid}-{analyte}-{number}", analyte, chosen, unit, low=low, high=high,
                                  patient=ref, when=when))
        for k, (offset, analyte, value) in enumerate(course.extra, start=1):
            unit, low, high = next((u, lo, hi) for a, _, u, lo, hi in COURSE_PANEL if a == analyte)
            day = course.first + timedelta(days=offset)
            out.append(fx.lab(f"{pid}-{analyte}-extra-{k}", analyte, value, unit, low=low, high=high, patient=ref,
                              when=f"{day}T08:00:00Z"))
    return out


def _course(series: Series, pid: str) -> Course:
    assert pid in series.courses, f"{pid} is not one of the courses {sorted(series.courses)}"
    return series.courses[pid]


@given("these PRRT courses:", target_fixture="series")
def these_courses(datatable: list[list[str]], request: pytest.FixtureRequest) -> Series:
    try:
        series: Series = request.getfixturevalue("series")
    except pytest.FixtureLookupError:
        series = Series()
    for raw in datatable[1:]:
        pid, first, cycles = (cell.strip() for cell in raw)
        pairs = [part.split(":") for part in cycles.split(",")]
        series.courses[pid] = Course(date.fromisoformat(first), [(int(d), float(a)) for d, a in pairs])
        series.cycles[pid] = [date.fromisoformat(first) + timedelta(days=int(d)) for d, _ in pairs]
    return series


@given(parsers.re(rf"(?P<pid>\w+) had a platelet count of (?P<value>{UNSIGNED}) x10\^9/L in the panel before "
                  r"cycle (?P<cycle>\d+)"))
def panel_platelets(series: Series, pid: str, value: str, cycle: str) -> None:
    _course(series, pid).panel[(int(cycle), "platelets")] = float(value)


@given(parsers.re(rf"(?P<pid>\w+) had a platelet count of (?P<value>{UNSIGNED}) x10\^9/L (?P<days>\d+) days after "
                  r"the first cycle"))
def platelets_after_first(series: Series, pid: str, value: str, days: str) -> None:
    _course(series, pid).extra.append((int(days), "platelets", float(value)))


@given(parsers.re(r"(?P<pid>\w+) had no panel before cycle (?P<cycle>\d+)"))
def no_panel(series: Series, pid: str, cycle: str) -> None:
    _course(series, pid).panel[(int(cycle), "*")] = None


@given(parsers.re(rf"(?P<pid>\w+)'s target lesion measured (?P<sizes>{UNSIGNED}(?:(?:,| and| then) {UNSIGNED})*)"
                  r" mm at baseline(?:, then (?P<after>[\d., and]+) mm)?"))
def target_lesion_sizes(series: Series, pid: str, sizes: str, after: str | None) -> None:
    """One target liver lesion: baseline a week before the first cycle, then every 91 days."""
    first = series.first(pid)
    values = [float(sizes)] + [float(v) for v in re.findall(r"\d+(?:\.\d+)?", after or "")]
    for k, size in enumerate(values):
        day = first - timedelta(days=7) if k == 0 else first + timedelta(days=91 * k)
        series.resources.append(fx.lesion(series.rid("lesion"), size, patient=f"Patient/{pid}",
                                          when=f"{day}T10:00:00Z", focus=f"BodyStructure/{pid}-liver"))


def _modifications(cohort_report: CohortReport) -> Any:
    return cohort_report.dose_modifications


@then(parsers.re(r"(?P<n>\d+) cycles were given, (?P<full>\d+) at the full activity and (?P<reduced>\d+) at the "
                 r"reduced activity"))
def cycles_given(cohort_report: CohortReport, n: str, full: str, reduced: str) -> None:
    m = _modifications(cohort_report)
    assert (m.cycles_given, m.given_full, m.given_reduced) == (int(n), int(full), int(reduced)), m


@then(parsers.re(r'the recommendation in force was "(?P<action>[a-z-]+)" for (?P<n>\d+) cycles?'))
def decisions_for(cohort_report: CohortReport, action: str, n: str) -> None:
    m = _modifications(cohort_report)
    assert m.decisions.get(action, 0) == int(n), m.decisions


@then(parsers.re(r'(?P<n>\d+) cycles? (?:was|were) given against the recommendation, (?P<k>\d+) of them '
                 r'"(?P<kind>[a-z-]+)"'))
def deviations_counted(cohort_report: CohortReport, n: str, k: str, kind: str) -> None:
    m = _modifications(cohort_report)
    assert m.deviations == int(n) and m.deviation_kinds.get(kind, 0) == int(k), (m.deviations, m.deviation_kinds)


@then(parsers.re(r"(?P<n>\d+) intervals between cycles have a median delay of (?P<median>\d+) days and a maximum "
                 r"of (?P<max>\d+) days"))
def delays_are(cohort_report: CohortReport, n: str, median: str, max: str) -> None:
    d = _modifications(cohort_report).delays
    assert (d.intervals, d.median, d.max) == (int(n), int(median), int(max)), d


@then(parsers.re(r'(?P<n>\d+) patients? (?:was|were) recommended to discontinue(?:, for "(?P<why>[^"]+)")?'))
def discontinued(cohort_report: CohortReport, n: str, why: str | None) -> None:
    m = _modifications(cohort_report)
    assert m.patients_discontinued == int(n), m
    if why is not None:
        assert why in m.discontinued_why, m.discontinued_why


@then(parsers.re(rf"the cycle at (?P<activity>{UNSIGNED}) GBq counts as (?P<counted>full|reduced|other)"))
def counted_as(cohort_report: CohortReport, activity: str, counted: str) -> None:
    m = _modifications(cohort_report)
    found = {"full": m.given_full, "reduced": m.given_reduced, "other": m.given_other}
    assert m.cycles_given == 1 + 8 and found[counted] >= 1, found  # the Background's 8 cycles, and this one
    background = {"full": 7, "reduced": 1, "other": 0}
    assert found[counted] == background[counted] + 1, found


@then("report.json has the dose modifications of the contract")
def report_json_dose_modifications(cohort_report: CohortReport) -> None:
    doc = report_document(cohort_report)["dose_modifications"]
    assert {"cycles_given", "given_full", "given_reduced", "decisions", "patients_discontinued", "deviations",
            "delay_days"} <= set(doc)
    assert set(doc["decisions"]) == {"proceed", "withhold", "reduce", "discontinue", "labs-needed"}
    assert sum(doc["decisions"].values()) == doc["cycles_given"]
    assert set(doc["delay_days"]) >= {"median", "max"}


@then(parsers.re(r"the waterfall has (?P<n>\d+) bars?"))
def waterfall_bars(cohort_report: CohortReport, n: str) -> None:
    assert len(cohort_report.waterfall.bars) == int(n), cohort_report.waterfall


@then(parsers.re(r"the waterfall bars are (?P<bars>.+)"))
def waterfall_order(cohort_report: CohortReport, bars: str) -> None:
    expected = [(pid, float(pct)) for pid, pct in re.findall(r"(\w+) at (-?\d+(?:\.\d+)?)%", bars)]
    actual = [(b.patient.removeprefix("Patient/"), round(b.best_change_pct, 1)) for b in cohort_report.waterfall.bars]
    assert actual == expected, actual
    doc = report_document(cohort_report)["waterfall"]
    assert [(d["patient"].removeprefix("Patient/"), d["best_change_pct"]) for d in doc] == expected


@then(parsers.re(r"the waterfall counts (?P<none>\d+) patients? without a follow-up measurement and (?P<nm>\d+) "
                 r"without measurable disease"))
def waterfall_counts(cohort_report: CohortReport, none: str, nm: str) -> None:
    w = cohort_report.waterfall
    assert (w.no_follow_up, w.not_measurable) == (int(none), int(nm)), w
