"""Response rates, toxicity counts and performance status: the report's numbers against scipy and by hand."""

from __future__ import annotations

import pytest
from scipy.stats import PermutationMethod, binomtest, wilcoxon

from cds.report.performance import ASYMPTOTIC, EXACT, PERMUTATION, compare, signed_rank
from cds.report.response import clopper_pearson, summarize_responses
from cds.report.toxicity import worst_grade_table


@pytest.mark.parametrize("n", [1, 2, 7, 16, 60])
def test_clopper_pearson_matches_scipy_exact_interval(n: int) -> None:
    for k in range(n + 1):
        ours = clopper_pearson(k, n)
        exact = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
        assert ours.value == pytest.approx(k / n)
        assert ours.ci_low == pytest.approx(exact.low, abs=1e-12)
        assert ours.ci_high == pytest.approx(exact.high, abs=1e-12)


def test_clopper_pearson_edges() -> None:
    none = clopper_pearson(0, 0)
    assert (none.value, none.ci_low, none.ci_high) == (None, None, None)
    assert clopper_pearson(0, 10).ci_low == 0.0
    assert clopper_pearson(10, 10).ci_high == 1.0
    with pytest.raises(ValueError):
        clopper_pearson(11, 10)


def test_response_counts_orr_dcr_with_no_assessment_as_ne() -> None:
    best = ["CR", "CR", *["PR"] * 11, "SD", "PD", None]
    summary = summarize_responses(best)  # type: ignore[arg-type]
    assert summary.counts == {"CR": 2, "PR": 11, "SD": 1, "non-CR/non-PD": 0, "PD": 1, "NE": 1}
    assert (summary.orr.successes, summary.orr.n) == (13, 16)
    assert (summary.dcr.successes, summary.dcr.n) == (14, 16)
    # The published series' figures (16 patients, 13 responders): 81.25 %, 54.35-95.95 %.
    assert (round(summary.orr.ci_low or 0, 4), round(summary.orr.ci_high or 0, 4)) == (0.5435, 0.9595)


def test_wilcoxon_p_matches_scipy() -> None:
    before = [0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3]
    after = [0, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 2, 2]
    statistic, p_value, method = signed_rank(before, after, "asymptotic")
    expected = wilcoxon(before, after, method="asymptotic")
    assert statistic == pytest.approx(float(expected.statistic))
    assert p_value == pytest.approx(float(expected.pvalue))
    assert method == ASYMPTOTIC and p_value is not None and p_value < 0.05
    # the exact permutation distribution of the 8 tied changes, the default: scipy's own for them alone
    statistic, p_value, method = signed_rank(before, after)
    changed = [a - b for b, a in zip(before, after, strict=True) if a != b]
    assert p_value == pytest.approx(float(wilcoxon(changed, method=PermutationMethod()).pvalue))
    assert method == PERMUTATION and p_value == pytest.approx(0.0703125)


def test_wilcoxon_exact_small_sample_by_hand() -> None:
    """Five patients, all improving by distinct amounts: W+ = 0, exact two-sided p = 2 / 2^5 = 0.0625."""
    _, p_value, method = signed_rank([50, 60, 60, 70, 70], [60, 80, 90, 110, 120])
    assert p_value == pytest.approx(0.0625) and method == EXACT


def test_no_change_at_all_has_no_p_value() -> None:
    comparison = compare("ecog", [(1, 1), (2, 2)], higher_is_better=False)
    assert comparison.p_value is None and comparison.before_median == comparison.after_median == 1.5


def test_compare_medians_and_directions() -> None:
    ecog = compare("ecog", [(2, 1), (2, 1), (1, 2), (1, 1)], higher_is_better=False)
    assert (ecog.n, ecog.before_median, ecog.after_median, ecog.improved, ecog.worsened) == (4, 1.5, 1.0, 2, 1)
    kps = compare("karnofsky", [(70, 80), (80, 70)], higher_is_better=True)
    assert (kps.improved, kps.worsened) == (1, 1)
    empty = compare("karnofsky", [], higher_is_better=True)
    assert (empty.n, empty.before_median, empty.p_value) == (0, None, None)


def test_worst_grade_table_counts_each_patient_once_per_term() -> None:
    table = worst_grade_table([
        {"Anemia": 2, "White blood cell decreased": 1},
        {"Anemia": 1, "White blood cell decreased": 0},
        {"Anemia": 0, "Platelet count decreased": 0},
        {"Anemia": 1},
    ])
    rows = {row.term: row for row in table.rows}
    # every term evaluated has a row: a term with no grade >= 1 is shown with its denominator
    assert set(rows) == {"Anemia", "White blood cell decreased", "Platelet count decreased"}
    assert rows["Anemia"].by_grade == {1: 2, 2: 1, 3: 0, 4: 0} and rows["Anemia"].evaluated == 4
    assert rows["White blood cell decreased"].by_grade[1] == 1 and rows["White blood cell decreased"].evaluated == 2
    assert rows["Platelet count decreased"].any_grade == 0 and rows["Platelet count decreased"].evaluated == 1
    assert [r.term for r in table.with_toxicity] == ["Anemia", "White blood cell decreased"]
    assert table.rows[0].term == "Anemia" and table.rows[-1].term == "Platelet count decreased"  # most first


def test_grade_3_plus_counts_grades_3_and_above() -> None:
    table = worst_grade_table([{"Anemia": 3}, {"Anemia": 4}, {"Anemia": 2}, {"Anemia": 0}])
    (row,) = table.rows
    assert (row.grade_3_plus, row.any_grade, row.worst, row.evaluated) == (2, 3, 4, 4)


def test_nadir_is_the_median_over_cycles_in_weeks() -> None:
    table = worst_grade_table([{}, {}, {}], [{"platelets": (21, 28)}, {"platelets": (35,), "neutrophils": (14,)}, {}])
    platelets, neutrophils = table.nadirs
    assert (platelets.analyte, platelets.cycles, platelets.patients) == ("platelets", 3, 2)
    assert (platelets.median_weeks, platelets.min_weeks, platelets.max_weeks) == (4.0, 3.0, 5.0)
    assert (neutrophils.cycles, neutrophils.median_weeks) == (1, 2.0)
    assert worst_grade_table([{}], [{}]).nadirs == ()  # no count after a cycle: no nadir row
