"""A baseline assessment split over more than one day (RECIST 1.1 §3.2.1, §4.2).

Lesions are often measured on two scans a few days apart (a CT of the chest, an MRI of the liver).
The baseline assessment is every time point with lesions within ``max_days_before_treatment`` (28)
days before the first administration, the latest measurement of each lesion kept, with an info
naming the dates. A lesion recorded only on an earlier assessment, more than 28 days before the first
administration, cannot be in the baseline (RECIST 1.1: never more than 4 weeks before): the baseline
may not hold the whole tumour burden, so every time point is NE unless PD is shown, with a warning.
"""

from __future__ import annotations

from datetime import date

from recist_support import assess, lesion, messages

from cds.facts import Issue


def _issues(result: object, text: str) -> list[Issue]:
    return [i for i in result.issues if text in i.message]  # type: ignore[attr-defined]


def test_a_baseline_over_two_days_keeps_the_lesions_of_both() -> None:
    """Before, only 2024-01-05 was the baseline: L1 was lost from the sum (20 mm instead of 60 mm), and
    L1 at the follow-up was a lesion outside the baseline (NE)."""
    result = assess(lesion("b1", "L1", 40, "2024-01-02"), lesion("b2", "L2", 20, "2024-01-05"),
                    lesion("f1", "L1", 40, "2024-03-04"), lesion("f2", "L2", 10, "2024-03-04"))
    assert result.baseline_sum_mm == 60
    [response] = result.responses
    assert (response.target, response.overall, response.sum_mm) == ("SD", "SD", 50)
    assert response.change_from_baseline_pct is not None and round(response.change_from_baseline_pct, 1) == -16.7
    [info] = _issues(result, "spans")
    assert info.severity == "info" and "2024-01-02" in info.message and "2024-01-05" in info.message
    assert not _issues(result, "not in the baseline")


def test_a_lesion_measured_on_both_days_keeps_its_latest_measurement() -> None:
    result = assess(lesion("b1", "L1", 40, "2024-01-02"), lesion("b2", "L2", 20, "2024-01-02"),
                    lesion("b3", "L2", 24, "2024-01-05"),
                    lesion("f1", "L1", 40, "2024-03-04"), lesion("f2", "L2", 24, "2024-03-04"))
    assert result.baseline_sum_mm == 64
    assert result.responses[0].target == "SD"
    assert not any("conflicting" in m for m in messages(result))


def test_the_baseline_date_is_its_latest_day() -> None:
    result = assess(lesion("b1", "L1", 40, "2024-01-02"), lesion("b2", "L2", 20, "2024-01-05"),
                    lesion("f1", "L1", 20, "2024-03-04"), lesion("f2", "L2", 10, "2024-03-04"))
    assert result.baseline_day == date(2024, 1, 5)
    assert (result.responses[0].target, result.responses[0].overall) == ("PR", "PR")


def test_a_lesion_only_on_an_assessment_more_than_four_weeks_before_treatment_makes_responses_ne() -> None:
    """L1 was measured 2023-12-01 (38 days before 2024-01-08) and never again before treatment. Before, the
    follow-up read PR from L2 alone when L1 was not measured again."""
    result = assess(lesion("b1", "L1", 40, "2023-12-01"), lesion("b2", "L2", 20, "2024-01-05"),
                    lesion("f2", "L2", 10, "2024-03-04"))
    assert result.baseline_sum_mm == 20
    [response] = result.responses
    assert (response.target, response.overall) == ("PR", "NE")
    [warning] = _issues(result, "not in the baseline")
    assert warning.severity == "warning" and "L1" in warning.message and "2023-12-01" in warning.message


def test_an_assessment_more_than_four_weeks_before_treatment_still_shows_progression() -> None:
    result = assess(lesion("b1", "L1", 40, "2023-12-01"), lesion("b2", "L2", 20, "2024-01-05"),
                    lesion("f2", "L2", 30, "2024-03-04"))
    assert result.responses[0].overall == "PD"


def test_an_earlier_assessment_of_the_same_lesions_is_not_used() -> None:
    result = assess(lesion("b1", "L1", 60, "2023-12-01"), lesion("b2", "L1", 40, "2024-01-05"),
                    lesion("f1", "L1", 28, "2024-03-04"))
    assert (result.baseline_sum_mm, result.responses[0].overall) == (40, "PR")
    assert any("precedes the baseline assessment" in m for m in messages(result))
    assert not _issues(result, "not in the baseline")
