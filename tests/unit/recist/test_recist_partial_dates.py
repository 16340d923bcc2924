"""Partial FHIR dates (a month "2024-05" or a year "2024") in the RECIST 1.1 best overall response.

RECIST 1.1 §4.6.1: CR and PR are confirmed by an assessment at least 4 weeks (``confirmation_days``)
after the criteria are first met, and SD counts only at least ``sd_minimum_days`` after the start of
treatment. A partial date is any day of its month or year: it meets an interval only when it is met
for every day the date could be (the earliest the later date can be against the latest the earlier
date can be); otherwise the response is not confirmed (SD not counted) and a warning names the date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import pytest
from recist_support import assess, lesion, messages

from cds.mapping import map_collected
from cds.reading import from_objects

Resource = dict[str, Any]


def on(oid: str, size: float, when: str, lesion_id: str = "L1") -> Resource:
    """A target lesion measured on ``when`` exactly as written (a full date, a month or a year)."""
    return fx.lesion(oid, size, focus=f"BodyStructure/{lesion_id}", role="target", when=when)


@pytest.mark.parametrize(("written", "last"), [
    ("2024-05", date(2024, 5, 31)), ("2024-02", date(2024, 2, 29)), ("2023-02", date(2023, 2, 28)),
    ("2024", date(2024, 12, 31)), ("2024-05-17", None), ("2024-05-17T08:00:00Z", None),
])
def test_a_tumour_fact_keeps_the_last_day_its_partial_date_can_be(written: str, last: date | None) -> None:
    record = map_collected(from_objects([fx.patient("p1"), on("o1", 20, written)])).records["Patient/p1"]
    [fact] = record.tumour
    assert fact.latest_day == last


def test_a_pr_on_a_month_is_not_confirmed_by_an_assessment_that_may_be_under_four_weeks_later() -> None:
    """Before, "2024-03" was read as 2024-03-01, so 2024-03-30 (29 days) confirmed the PR; the PR may have
    been on 2024-03-20 (10 days before)."""
    result = assess(lesion("b", "L1", 40, "2024-01-02"), on("f1", 20, "2024-03"), on("f2", 20, "2024-03-30"))
    assert [r.overall for r in result.responses] == ["PR", "PR"]
    assert (result.best.unconfirmed, result.best.confirmed) == ("PR", "SD")
    warned = [m for m in messages(result) if "2024-03" in m and "partial date" in m]
    assert warned and "not confirmed" in warned[0], messages(result)


def test_a_pr_on_a_month_is_confirmed_four_weeks_after_the_last_day_of_that_month() -> None:
    result = assess(lesion("b", "L1", 40, "2024-01-02"), on("f1", 20, "2024-03"), on("f2", 20, "2024-04-28"))
    assert result.best.confirmed == "PR"
    assert result.best.confirmed_days == (date(2024, 3, 1), date(2024, 4, 28))


def test_a_cr_on_a_year_is_not_confirmed_within_that_year() -> None:
    """Before, "2025" was read as 2025-01-01 and a CR on 2025-02-01 (31 days later) confirmed it."""
    result = assess(lesion("b", "L1", 40, "2024-01-02"), on("f1", 0, "2025"), on("f2", 0, "2025-02-01"))
    assert (result.best.unconfirmed, result.best.confirmed) == ("CR", "SD")
    assert any("2025" in m and "partial date" in m for m in messages(result))


def test_a_confirmation_dated_by_a_month_counts_from_its_first_day() -> None:
    """The later date at its earliest: PR on 2024-03-10, PR in "2024-04" (perhaps 2024-04-01, 22 days)."""
    result = assess(lesion("b", "L1", 40, "2024-01-02"), on("f1", 20, "2024-03-10"), on("f2", 20, "2024-04"))
    assert result.best.confirmed == "SD"
    assert any("2024-04" in m and "partial date" in m for m in messages(result))


def test_sd_on_a_month_that_may_meet_the_minimum_is_not_counted_and_says_so() -> None:
    """SD in "2024-02": 2024-02-19 meets the 42 days from 2024-01-08, 2024-02-01 does not."""
    result = assess(lesion("b", "L1", 40, "2024-01-02"), on("f1", 35, "2024-02"))
    assert result.best.confirmed == "NE"
    assert any("2024-02" in m and "partial date" in m for m in messages(result))


def test_sd_after_a_first_administration_dated_by_a_month_counts_from_its_last_day() -> None:
    """Before, a cycle in "2024-01" was read as 2024-01-01 and SD on 2024-02-15 (45 days) counted; the cycle
    may have been on 2024-01-31 (15 days before)."""
    result = assess(lesion("b", "L1", 40, "2023-12-28"), lesion("f1", "L1", 35, "2024-02-15"), first="2024-01")
    assert [r.overall for r in result.responses] == ["SD"]
    assert result.best.confirmed == "NE"
    assert any("2024-01" in m and "partial date" in m for m in messages(result))


def test_sd_long_after_a_first_administration_dated_by_a_month_counts() -> None:
    result = assess(lesion("b", "L1", 40, "2023-12-28"), lesion("f1", "L1", 35, "2024-03-13"), first="2024-01")
    assert result.best.confirmed == "SD"
    assert not any("partial date" in m for m in messages(result))


def test_a_confirmed_pr_dated_by_a_month_gives_no_sd_minimum_warning() -> None:
    """The SD minimum does not matter for a confirmed PR: no warning about it."""
    result = assess(lesion("b", "L1", 40, "2024-01-02"), on("f1", 20, "2024-02"), on("f2", 20, "2024-04-02"))
    assert result.best.confirmed == "PR"
    assert not any("minimum duration" in m for m in messages(result))
