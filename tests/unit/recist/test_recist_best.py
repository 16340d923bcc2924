"""Best overall response (RECIST 1.1 §4.4.3, Table 3, §4.6.1) and its settings.

``cds.recist_best.best_overall_response`` over (date, response) sequences, with the defaults of
rules/recist_1_1.toml and with each setting changed as a protocol may change it.
"""

from __future__ import annotations

from datetime import date, timedelta

import oracle_recist as oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds.facts import Issue, Response
from cds.recist.best import best_overall_response
from cds.recist.conclusions import BestOverallResponse, RecistSettings
from cds.recist.timepoints import IssueLog

FIRST = date(2024, 1, 8)
DEFAULTS = RecistSettings.defaults()


def run(
    points: list[tuple[int, Response]], first: date | None = FIRST, non_target_only: bool = False, **changes: object
) -> tuple[BestOverallResponse, list[Issue]]:
    log = IssueLog("Patient/p1")
    custom = DEFAULTS.model_copy(update=changes)
    best = best_overall_response([(FIRST + timedelta(days=d), r) for d, r in points], first, custom, log,
                                 non_target_only=non_target_only)
    return best, log.issues


def test_the_defaults_come_from_the_table() -> None:
    assert (DEFAULTS.confirmation_days, DEFAULTS.sd_minimum_days, DEFAULTS.max_ne_between_confirmation) == (28, 42, 0)
    assert DEFAULTS.cr_followed_by_pr == "progression"
    assert DEFAULTS.lymph_nodes_one_organ is True


def test_no_time_point_no_best_response() -> None:
    best, issues = run([])
    assert (best.unconfirmed, best.confirmed, best.confirmed_days) == (None, None, ())
    assert issues == []


@pytest.mark.parametrize(("gap", "confirmed"), [(27, "SD"), (28, "PR")])
def test_confirmation_interval_is_inclusive(gap: int, confirmed: str) -> None:
    best, _ = run([(56, "PR"), (56 + gap, "PR")])
    assert (best.unconfirmed, best.confirmed) == ("PR", confirmed)


@pytest.mark.parametrize(("gap", "confirmed"), [(55, "SD"), (56, "PR")])
def test_a_protocol_may_ask_for_a_longer_confirmation_interval(gap: int, confirmed: str) -> None:
    best, _ = run([(56, "PR"), (56 + gap, "PR")], confirmation_days=56)
    assert best.confirmed == confirmed


@pytest.mark.parametrize(("day", "expected"), [(41, "NE"), (42, "SD")])
def test_sd_minimum_is_inclusive(day: int, expected: str) -> None:
    best, _ = run([(day, "SD")])
    assert (best.unconfirmed, best.confirmed) == (expected, expected)
    assert best.confirmed_days == (() if expected == "NE" else (FIRST + timedelta(days=day),))


@pytest.mark.parametrize(("day", "expected"), [(55, "NE"), (56, "SD")])
def test_a_protocol_may_ask_for_eight_weeks_of_sd(day: int, expected: str) -> None:
    best, _ = run([(day, "SD")], sd_minimum_days=56)
    assert best.confirmed == expected


def test_without_an_administration_sd_cannot_count_and_says_so() -> None:
    best, issues = run([(56, "SD"), (112, "SD")], first=None)
    assert (best.unconfirmed, best.confirmed) == ("NE", "NE")
    assert any("minimum duration of SD cannot be checked" in i.message for i in issues)


@pytest.mark.parametrize(("allowed", "confirmed"), [(0, "SD"), (1, "PR")])
def test_ne_between_a_response_and_its_confirmation(allowed: int, confirmed: str) -> None:
    best, _ = run([(56, "PR"), (84, "NE"), (112, "PR")], max_ne_between_confirmation=allowed)
    assert best.confirmed == confirmed


def test_an_sd_between_breaks_a_confirmation() -> None:
    best, _ = run([(56, "PR"), (84, "SD"), (112, "PR")], max_ne_between_confirmation=3)
    assert best.confirmed == "SD"


def test_a_pr_confirmed_by_cr() -> None:
    best, _ = run([(56, "PR"), (84, "CR")])
    assert (best.unconfirmed, best.confirmed, best.confirmed_days) == (
        "CR", "PR", (FIRST + timedelta(days=56), FIRST + timedelta(days=84)))


@pytest.mark.parametrize(("policy", "confirmed"), [("progression", "SD"), ("partial-response", "PR")])
def test_cr_followed_by_pr_follows_the_setting(policy: str, confirmed: str) -> None:
    best, issues = run([(56, "CR"), (112, "PR")], cr_followed_by_pr=policy)
    assert (best.unconfirmed, best.confirmed) == ("CR", confirmed)
    assert any("after CR" in i.message for i in issues)


def test_cr_followed_by_pr_before_the_sd_minimum_is_pd() -> None:
    best, _ = run([(28, "CR"), (84, "PR")])
    assert best.confirmed == "PD"


def test_only_time_points_up_to_the_first_progression_count() -> None:
    best, _ = run([(56, "SD"), (84, "PD"), (112, "CR"), (140, "CR")])
    assert (best.unconfirmed, best.confirmed) == ("SD", "SD")


def test_a_confirmed_cr_stays_cr_whatever_follows() -> None:
    best, _ = run([(56, "CR"), (84, "CR"), (112, "PR"), (140, "PD")])
    assert (best.unconfirmed, best.confirmed) == ("CR", "CR")


RESPONSES: list[Response] = ["CR", "PR", "SD", "non-CR/non-PD", "PD", "NE"]


@settings(max_examples=500, derandomize=True, database=None, deadline=None)
@given(st.lists(st.tuples(st.integers(7, 60), st.sampled_from(RESPONSES)), max_size=8), st.booleans())
def test_defaults_agree_with_the_oracle_reading_of_table_3(steps: list[tuple[int, Response]],
                                                           table_2: bool) -> None:
    day, points = 0, []
    for gap, response in steps:
        day += gap
        points.append((day, response))
    best, _ = run(points, non_target_only=table_2)
    dated = [(FIRST + timedelta(days=d), r) for d, r in points]
    assert (best.unconfirmed, best.confirmed) == oracle.best_response(dated, FIRST, non_target_only=table_2)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(RESPONSES), st.integers(1, 28), st.booleans()), max_size=8),
       st.booleans(), st.booleans())
def test_partial_dates_agree_with_the_oracle(steps: list[tuple[Response, int, bool]], table_2: bool,
                                             first_by_month: bool) -> None:
    """One time point a month from February 2024, on a day or dated by its month only ("2024-05"); the
    first administration on 2024-01-08 or in "2024-01"."""
    first = date(2024, 1, 1) if first_by_month else FIRST
    first_last = date(2024, 1, 31) if first_by_month else None
    points: list[tuple[date, Response]] = []
    latest: dict[date, date] = {}
    for month, (response, day_of_month, by_month) in enumerate(steps, start=2):
        day = date(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 1 if by_month else day_of_month)
        if by_month:
            latest[day] = _month_end(day)
        points.append((day, response))
    log = IssueLog("Patient/p1")
    best = best_overall_response(points, first, DEFAULTS, log, non_target_only=table_2, latest=latest,
                                 first_latest=first_last)
    expected = oracle.best_response(points, first, non_target_only=table_2, last_day=latest,
                                    first_last_day=first_last)
    assert (best.unconfirmed, best.confirmed) == expected


# --- non-target disease only (RECIST 1.1 Table 2) -----------------------------------------------------


@pytest.mark.parametrize(("day", "expected"), [(41, "NE"), (42, "non-CR/non-PD")])
def test_non_cr_non_pd_has_the_sd_minimum_duration(day: int, expected: str) -> None:
    best, _ = run([(day, "non-CR/non-PD")], non_target_only=True)
    assert (best.unconfirmed, best.confirmed) == (expected, expected)
    assert best.non_target_only is True


@pytest.mark.parametrize(("day", "expected"), [(41, "PD"), (42, "non-CR/non-PD")])
def test_an_early_non_cr_non_pd_followed_by_progression_is_pd(day: int, expected: str) -> None:
    best, _ = run([(day, "non-CR/non-PD"), (day + 56, "PD")], non_target_only=True)
    assert (best.unconfirmed, best.confirmed) == (expected, expected)


def test_a_protocol_minimum_applies_to_non_cr_non_pd_alike() -> None:
    assert run([(55, "non-CR/non-PD")], non_target_only=True, sd_minimum_days=56)[0].confirmed == "NE"
    assert run([(56, "non-CR/non-PD")], non_target_only=True, sd_minimum_days=56)[0].confirmed == "non-CR/non-PD"


@pytest.mark.parametrize(("gap", "confirmed"), [(27, "non-CR/non-PD"), (28, "CR")])
def test_an_unconfirmed_cr_of_non_target_disease_is_non_cr_non_pd_never_sd(gap: int, confirmed: str) -> None:
    best, _ = run([(56, "CR"), (56 + gap, "CR")], non_target_only=True)
    assert (best.unconfirmed, best.confirmed) == ("CR", confirmed)


def test_non_cr_non_pd_after_a_cr_is_read_as_progression() -> None:
    best, issues = run([(28, "CR"), (84, "non-CR/non-PD")], non_target_only=True)
    assert (best.unconfirmed, best.confirmed) == ("CR", "PD")
    assert any("non-CR/non-PD on" in i.message and "after CR" in i.message for i in issues)


def test_non_cr_non_pd_ranks_with_sd_below_pr_and_above_pd() -> None:
    assert run([(56, "non-CR/non-PD"), (84, "PR")])[0].unconfirmed == "PR"
    assert run([(56, "non-CR/non-PD"), (84, "PD")])[0].unconfirmed == "SD"  # target disease: named SD
    assert run([(56, "non-CR/non-PD"), (84, "PD")], non_target_only=True)[0].unconfirmed == "non-CR/non-PD"


def test_without_an_administration_non_cr_non_pd_cannot_count_and_says_so() -> None:
    best, issues = run([(56, "non-CR/non-PD")], first=None, non_target_only=True)
    assert (best.unconfirmed, best.confirmed) == ("NE", "NE")
    assert any("minimum duration of non-CR/non-PD cannot be checked" in i.message for i in issues)
