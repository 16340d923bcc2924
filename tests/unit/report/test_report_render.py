"""The report files: report.json in the contract's shape, a Markdown results section, and an HTML page
that opens with no network access (everything inline, no external reference)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import factories as fx
import pytest

from cds.demo import SERIES_SIZE, patient_bundle
from cds.reading import from_objects
from cds.report.cohort import CohortReport, ReportSettings, build_report
from cds.report.collect import CohortData, Settings, summarize_collected
from cds.report.plots import RESPONSE_COLOURS
from cds.report.render import parse_formats, write_report
from cds.report.response import CATEGORIES


@pytest.fixture(scope="module")
def report() -> CohortReport:
    bundles = [patient_bundle(i, SERIES_SIZE, 1)[1] for i in range(1, SERIES_SIZE + 1)]
    summaries, issues = summarize_collected(from_objects(bundles), Settings())
    return build_report(CohortData(tuple(summaries), tuple(issues), "test", SERIES_SIZE), ReportSettings())


@pytest.fixture(scope="module")
def written(report: CohortReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    write_report(report, out)
    return out


def test_report_json_has_the_contract_fields(written: Path) -> None:
    doc = json.loads((written / "report.json").read_text())
    assert doc["n_patients"] == 16 and doc["sex"] == {"female": 8, "male": 8}
    assert doc["age_years"] == {"median": 60.5, "min": 24, "max": 74, "n": 16}
    assert doc["cycles"] == {"median": 3.5, "min": 1, "max": 7, "n": 16}
    assert doc["cumulative_activity_gbq"] == {"median": 20.35, "min": 7.4, "max": 49.95, "n": 16}
    bor = doc["best_overall_response"]
    assert {k: bor[k] for k in ("CR", "PR", "SD", "non-CR/non-PD", "PD", "NE")} == {
        "CR": 2, "PR": 11, "SD": 1, "non-CR/non-PD": 0, "PD": 2, "NE": 0}
    assert bor["orr"]["method"] == "clopper-pearson" and bor["orr"]["value"] == 0.8125
    assert doc["deaths"] == 3
    os_ = doc["overall_survival"]
    assert {k: os_[k] for k in ("unit", "median", "ci_method", "events", "censored")} == {
        "unit": "months", "median": 23.0, "ci_method": "log-log", "events": 3, "censored": 13}
    assert os_["ci_high"] is None  # not reached: NA, never a made-up number
    assert os_["intervals"]["symmetric"] == {"ci_low": 7.9, "ci_high": 38.09}
    assert set(doc["toxicity_worst_grade"]) == {"Anemia", "White blood cell decreased"}
    assert set(doc["toxicity_worst_grade"]["Anemia"]) == {"1", "2", "3", "4"}
    ecog = doc["performance"]["ecog"]
    assert (ecog["before_median"], ecog["after_median"], ecog["test"]) == (1.5, 1, "wilcoxon signed-rank")
    assert doc["performance"]["kps"]["before_median"] == 75 and doc["performance"]["kps"]["after_median"] == 80
    assert doc["issues"] == []


def test_markdown_reads_like_a_results_paragraph(written: Path) -> None:
    text = (written / "report.md").read_text()
    assert "Sixteen patients (8 women, 8 men)" in text
    assert "median overall survival was 23.0 months" in text
    assert "95% CI of the median, symmetric | 7.90-38.09" in text  # computed from this cohort
    assert "Caution: the median overall survival rests on few patients: 2 patients were at risk" in text
    for name in ("overall_survival.png", "swimmer.png"):
        assert f"]({name})" in text and (written / name).stat().st_size > 1000


def test_no_text_is_carried_over_from_the_published_series(tmp_path: Path) -> None:
    """The words come from the cohort at hand: a random cohort's report never quotes the 16-patient
    series (its median, interval or an "e.g." example), nor promises a table that is not there."""
    bundles = [patient_bundle(i, 60, 3)[1] for i in range(1, 61)]
    summaries, issues = summarize_collected(from_objects(bundles), Settings())
    other = build_report(CohortData(tuple(summaries), tuple(issues), "test", 60), ReportSettings())
    write_report(other, tmp_path, ("md",))
    text = (tmp_path / "report.md").read_text()
    assert text.count("60 patients") >= 1
    for stale in ("7.90", "38.09", "e.g.", "23 months", "tabulated below"):
        assert stale not in text, stale


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action", "poster") and value is not None:
                self.references.append((tag, name, value))


def test_html_is_self_contained(written: Path) -> None:
    html = (written / "report.html").read_text()
    parser = _References()
    parser.feed(html)
    assert not {"script", "link", "iframe", "object", "embed"} & parser.tags
    images = [value for tag, name, value in parser.references if tag == "img"]
    assert len(images) == 5 and all(v.startswith("data:image/png;base64,") for v in images)
    assert all(value.startswith("data:") for _, _, value in parser.references)
    assert not re.search(r"url\(|@import", html)  # nothing fetched from CSS
    assert "7.90-38.09" in html and "<table>" in html and "White blood cell decreased" in html


def test_formats_are_parsed_and_checked() -> None:
    assert parse_formats("json, md") == ("json", "md")
    with pytest.raises(ValueError):
        parse_formats("pdf")
    with pytest.raises(ValueError):
        parse_formats("")


def test_only_the_chosen_formats_are_written(report: CohortReport, tmp_path: Path) -> None:
    write_report(report, tmp_path, ("json",))
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_empty_cohort_still_renders(tmp_path: Path) -> None:
    empty = build_report(CohortData((), (), "test", 0))
    write_report(empty, tmp_path)
    assert "No patient with a PRRT administration" in (tmp_path / "report.md").read_text()
    assert json.loads((tmp_path / "report.json").read_text())["overall_survival"] is None
    # no denominator: every share is NA, never "0.0%" (before, each response row read 0 | 0.0%)
    assert "| CR (complete response) | 0 | NA |" in (tmp_path / "report.md").read_text()
    assert "0.0%" not in (tmp_path / "report.md").read_text()


def test_every_patient_is_in_the_opening_sentence(tmp_path: Path) -> None:
    """Patients of other or unknown sex, and those without a usable birth date, are named, not dropped:
    before, four patients read "(0 women, 1 men)" and the age of one as the cohort's."""
    resources: list[dict[str, object]] = []
    for pid, sex, born in (("a", "male", "1950-01-01"), ("b", "other", None), ("c", "unknown", None),
                           ("d", None, None)):
        resources += [fx.patient(pid, gender=sex, birth_date=born),
                      fx.procedure(f"{pid}-c1", "2024-01-08", patient=f"Patient/{pid}")]
    summaries, issues = summarize_collected(from_objects(resources), Settings())
    write_report(build_report(CohortData(tuple(summaries), tuple(issues), "test", 4), ReportSettings()),
                 tmp_path, ("md",))
    text = (tmp_path / "report.md").read_text()
    assert "Four patients (0 women, 1 man, 3 of other or unknown sex) were treated" in text
    assert "median age at the first cycle (of the 1 with a usable birth date) was 74 years" in text


def test_cumulative_activity_names_the_patients_it_is_over(tmp_path: Path) -> None:
    """A patient with a cycle of unknown activity has no cumulative activity: the sentence says over how many
    the median is. Before: "a median cumulative activity of 14.8 GBq (range 14.8-14.8)" read as the two
    patients' when it was one patient's; and with none known, "of NA"."""
    resources: list[dict[str, object]] = []
    for pid, activity in (("a", 7.4), ("b", None)):
        resources += [fx.patient(pid), fx.procedure(f"{pid}-c1", "2024-01-08", patient=f"Patient/{pid}"),
                      fx.procedure(f"{pid}-c2", "2024-03-04", patient=f"Patient/{pid}", activity=activity)]
    summaries, issues = summarize_collected(from_objects(resources), Settings())
    write_report(build_report(CohortData(tuple(summaries), tuple(issues), "test", 2), ReportSettings()),
                 tmp_path, ("md", "html"))
    expected = ("a median cumulative activity (of the 1 with the activity of every cycle recorded) of 14.8 GBq "
                "(range 14.8-14.8)")
    assert expected in (tmp_path / "report.md").read_text()
    assert expected in (tmp_path / "report.html").read_text()
    summaries, issues = summarize_collected(from_objects(resources[3:]), Settings())
    write_report(build_report(CohortData(tuple(summaries), tuple(issues), "test", 1), ReportSettings()),
                 tmp_path, ("md",))
    assert ("the cumulative activity is not known (no patient has the activity of every cycle recorded)"
            in (tmp_path / "report.md").read_text())


def _one_patient_markdown(tmp_path: Path) -> str:
    """report.md of one patient given one cycle (and nothing else recorded)."""
    resources = [fx.patient("a"), fx.procedure("a-c1", "2024-01-08", patient="Patient/a")]
    summaries, issues = summarize_collected(from_objects(resources), Settings())
    write_report(build_report(CohortData(tuple(summaries), tuple(issues), "test", 1), ReportSettings()),
                 tmp_path, ("md",))
    return (tmp_path / "report.md").read_text()


def test_one_patient_is_one_patient_in_the_opening_sentence(tmp_path: Path) -> None:
    """Before: "One patients (1 women, 0 men) were treated"."""
    assert "One patient (1 woman, 0 men) was treated with 177Lu-DOTATATE" in _one_patient_markdown(tmp_path)


def _non_target_only_cohort() -> CohortReport:
    """Two patients: p1 with a confirmed PR of a target lesion, p2 with non-target disease only that
    persists at 3 and 6 months (RECIST 1.1 Table 2: best overall response non-CR/non-PD)."""
    resources = []
    for pid in ("p1", "p2"):
        resources += [fx.patient(pid), fx.procedure(f"{pid}-c1", "2024-01-08", patient=f"Patient/{pid}")]
    for oid, day, size in (("l0", "2024-01-02", 40.0), ("l1", "2024-04-08", 24.0), ("l2", "2024-07-08", 24.0)):
        resources.append(fx.lesion(oid, size, patient="Patient/p1", when=f"{day}T08:00:00Z",
                                   focus="BodyStructure/p1-liver"))
    for oid, day in (("n0", "2024-01-02"), ("n1", "2024-04-08"), ("n2", "2024-07-08")):
        resources.append(fx.non_target_status(oid, "present", "BodyStructure/p2-bone", patient="Patient/p2",
                                              when=f"{day}T08:00:00Z"))
    summaries, issues = summarize_collected(from_objects(resources), Settings())
    return build_report(CohortData(tuple(summaries), tuple(issues), "test", 2), ReportSettings())


def test_non_cr_non_pd_is_shown_in_every_format_apart_from_sd(tmp_path: Path) -> None:
    """docs/outputs.md: its own key in report.json, its own row in the tables, its own colour in the
    swimmer plot, and DCR = (CR + PR + SD + non-CR/non-PD) / n stated in the text."""
    report = _non_target_only_cohort()
    write_report(report, tmp_path)
    bor = json.loads((tmp_path / "report.json").read_text())["best_overall_response"]
    assert {k: bor[k] for k in ("CR", "PR", "SD", "non-CR/non-PD", "PD", "NE")} == {
        "CR": 0, "PR": 1, "SD": 0, "non-CR/non-PD": 1, "PD": 0, "NE": 0}
    assert (bor["orr"]["successes"], bor["dcr"]["successes"], bor["dcr"]["value"]) == (1, 2, 1.0)
    markdown = (tmp_path / "report.md").read_text()
    row = "| non-CR/non-PD (neither complete response nor progression, non-target disease only) | 1 | 50.0% |"
    assert row in markdown
    assert "non-CR/non-PD (non-target disease only) in 1 (50.0%)" in markdown
    assert "disease control rate (CR + PR + SD + non-CR/non-PD) of 100.0%" in markdown
    assert "stable disease in 0" in markdown  # SD is counted apart, never merged with non-CR/non-PD
    html = (tmp_path / "report.html").read_text()
    assert "non-CR/non-PD (neither complete response nor progression" in html
    assert "disease control rate (CR + PR + SD + non-CR/non-PD)" in html
    assert (tmp_path / "swimmer.png").stat().st_size > 1000


def test_every_best_response_category_has_its_own_swimmer_colour() -> None:
    assert tuple(RESPONSE_COLOURS) == CATEGORIES
    assert len(set(RESPONSE_COLOURS.values())) == len(CATEGORIES)


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3"):
            self._open = tag
            self.headings.append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


def test_html_reads_methods_then_results_and_prints_each_figure_on_a_page(written: Path) -> None:
    """Methods come before Results; Results hold the paragraphs, then the figures, then the tables. The
    page fits a phone (tables scroll in their own box) and prints (tests/browser checks both in chromium)."""
    html = (written / "report.html").read_text()
    parser = _Headings()
    parser.feed(html)
    assert parser.headings == [("h1", "177Lu-DOTATATE PRRT cohort report"), ("h2", "Methods"), ("h2", "Results"),
                               ("h3", "Figures"), ("h3", "Tables")]
    methods = html.index("Patients: every patient with at least one")
    assert methods < html.index("Sixteen patients") < html.index("<figure>")
    assert html.count('<div class="table-scroll">\n<table>') == html.count("<table>") == 7
    assert "@media print" in html and "break-after: page" in html


def test_the_results_section_says_how_many_results_could_not_be_graded(tmp_path: Path) -> None:
    resources = [fx.patient("a"), fx.procedure("a-c1", "2024-01-08", patient="Patient/a"),
                 fx.lab("p1", "platelets", 40, "furlongs", patient="Patient/a", when="2024-02-01T08:00:00Z")]
    summaries, issues = summarize_collected(from_objects(resources), Settings())
    report = build_report(CohortData(tuple(summaries), tuple(issues), "test", 1), ReportSettings())
    write_report(report, tmp_path, ("md", "json"))
    assert ("One laboratory result from the first cycle on could not be graded and is not counted above: "
            "platelets 1 (1 patient).") in (tmp_path / "report.md").read_text()
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["toxicity_not_graded"] == {"platelets": {"results": 1, "patients": 1}}


def test_one_cycle_and_an_ecog_score_read_as_written(tmp_path: Path) -> None:
    """Before: "a median of 1 cycles (range 1-1)" and "No patient had a ECOG score"."""
    text = _one_patient_markdown(tmp_path)
    assert "They received a median of 1 cycle (range 1-1)" in text
    assert "No patient had an ECOG score both before" in text
    assert "No patient had a Karnofsky score both before" in text
    assert "1 cycles" not in text
