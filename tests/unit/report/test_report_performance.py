"""The paired performance-status test is only reported where it can mean something: with fewer patients
who changed than the exact two-sided signed-rank test needs to reach p < 0.05, the report gives no p-value
and says why, in report.json, report.md and report.html (whose print styles make the PDF)."""

from __future__ import annotations

import json
from pathlib import Path

import factories as fx
import pytest
from scipy.stats import wilcoxon

from cds.reading import from_objects
from cds.report.cohort import ReportSettings, build_report
from cds.report.collect import CohortData, Settings, summarize_collected
from cds.report.performance import ALPHA, ASYMPTOTIC, MIN_CHANGED, PERMUTATION, compare
from cds.report.render import write_report


def _smallest_exact_p(n: int) -> float:
    """The strongest possible sample of ``n`` changed patients: all move the same way, distinct amounts."""
    return float(wilcoxon([0.0] * n, [float(i + 1) for i in range(n)], method="exact").pvalue)


def test_the_minimum_is_where_scipys_exact_test_can_first_reach_alpha() -> None:
    assert MIN_CHANGED == 6
    assert _smallest_exact_p(MIN_CHANGED - 1) >= ALPHA  # 2 / 2^5 = 0.0625: no sample can be significant
    assert _smallest_exact_p(MIN_CHANGED) < ALPHA  # 2 / 2^6 = 0.03125


def test_one_paired_patient_has_no_p_value_but_a_reason() -> None:
    """Before, one patient whose ECOG fell from 2 to 1 read "Wilcoxon signed-rank p = 1.000, n = 1"."""
    c = compare("ecog", [(2, 1)], higher_is_better=False)
    assert (c.n, c.improved, c.p_value, c.statistic) == (1, 1, None, None)
    assert c.not_computed == "not computed: 1 paired patient; at least 6 with a change needed"


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_too_few_changed_patients_have_no_p_value(n: int) -> None:
    c = compare("karnofsky", [(60, 70 + i) for i in range(n)], higher_is_better=True)
    assert c.p_value is None and c.statistic is None
    assert c.not_computed == f"not computed: {n} paired patients; at least 6 with a change needed"


def test_unchanged_patients_do_not_count_towards_the_minimum() -> None:
    """Zero differences are dropped by the test: ten pairs of which five changed are still too few."""
    pairs = [(1, 1)] * 5 + [(2, 1)] * 5
    c = compare("ecog", pairs, higher_is_better=False)
    assert c.p_value is None
    assert c.not_computed == "not computed: 10 paired patients, 5 with a change; at least 6 with a change needed"


def test_no_change_at_all_says_so() -> None:
    c = compare("ecog", [(1, 1), (2, 2)], higher_is_better=False)
    assert c.p_value is None
    assert c.not_computed == "not computed: 2 paired patients, none with a change; at least 6 with a change needed"


def test_no_paired_patient_says_so() -> None:
    c = compare("ecog", [], higher_is_better=False)
    assert c.p_value is None and c.not_computed == "not computed: no paired patient"


def test_enough_changed_patients_get_the_test() -> None:
    pairs = [(2, 1)] * 6 + [(1, 1)] * 3
    c = compare("ecog", pairs, higher_is_better=False)
    assert c.not_computed is None
    assert c.p_value == pytest.approx(2 / 2**6) and c.p_value < ALPHA  # exact: every change one way


def test_the_p_value_does_not_depend_on_how_many_scores_did_not_change() -> None:
    """Zero differences are dropped, so patients whose score stayed put cannot move the p-value. Before, scipy's
    "auto" choice switched method on them: 7 improved and 1 worsened by one point read p = 0.070 alone and
    p = 0.034 beside 8 unchanged patients. Unchanged patients are dropped before the test, and the method is
    named with the result, in both readings of the setting."""
    changed = [(2, 1)] * 7 + [(1, 2)]
    for test, p_value, method in (("exact", 0.0703125, PERMUTATION), ("asymptotic", 0.0338949, ASYMPTOTIC)):
        alone = compare("ecog", changed, higher_is_better=False, test=test)  # type: ignore[arg-type]
        beside = compare("ecog", changed + [(1, 1)] * 8, higher_is_better=False, test=test)  # type: ignore[arg-type]
        assert alone.p_value == pytest.approx(p_value, rel=1e-5) and beside.p_value == alone.p_value
        assert alone.method == beside.method == method


def test_the_reason_is_in_every_rendering(tmp_path: Path) -> None:
    resources = [
        fx.patient("a"), fx.procedure("a-c1", "2024-01-08", patient="Patient/a"),
        fx.ecog("e1", 2, patient="Patient/a", when="2024-01-01T09:00:00Z"),
        fx.ecog("e2", 1, patient="Patient/a", when="2024-03-01T09:00:00Z"),
    ]
    summaries, issues = summarize_collected(from_objects(resources), Settings())
    report = build_report(CohortData(tuple(summaries), tuple(issues), "test", 1), ReportSettings())
    write_report(report, tmp_path)
    doc = json.loads((tmp_path / "report.json").read_text())["performance"]["ecog"]
    assert (doc["n"], doc["p_value"], doc["statistic"]) == (1, None, None)
    assert doc["p_value_not_computed"] == "not computed: 1 paired patient; at least 6 with a change needed"
    assert doc["min_changed_for_test"] == 6
    reason = "not computed: 1 paired patient; at least 6 with a change needed"
    for name in ("report.md", "report.html"):
        text = (tmp_path / name).read_text()
        assert text.count(reason) >= 2, name  # the results sentence and the table
        assert "p = 1.000" not in text and "Wilcoxon signed-rank p" not in text, name
