"""Which time points count, and what one time point says, beyond RECIST 1.1 Tables 1-2.

Records are FHIR resources (tests/factories.py) mapped and placed on a timeline as in production;
``cds.recist.decide.assess_responses`` runs with the process's engine and, where a test says so, with one
setting changed.
"""

from __future__ import annotations

from typing import Any

import factories as fx
import pytest
from recist_support import assess, lesion, messages

from cds.recist.conclusions import RecistAssessment

Resource = dict[str, Any]
BASE = "2024-01-02"


def cr_then(size: float) -> list[Resource]:
    """Target 50 mm at baseline, 0 mm (CR) on 2024-03-02, ``size`` mm on 2024-04-02."""
    return [lesion("b", "T1", 50, BASE), lesion("f1", "T1", 0, "2024-03-02"), lesion("f2", "T1", size, "2024-04-02")]


def by_day(result: RecistAssessment) -> dict[str, Any]:
    return {r.day.isoformat(): r for r in result.responses}


# --- disease after a CR (RECIST 1.1 Table 3 footnote a) ---------------------------------------------


def test_disease_after_a_cr_is_pd_at_that_time_point_with_its_rule_and_a_warning() -> None:
    result = assess(*cr_then(4))
    later = by_day(result)["2024-04-02"]
    assert (later.target, later.overall, later.overall_rule) == ("PR", "PD", "recist11.table3.pd_after_cr")
    assert any("disease is seen on 2024-04-02 after the CR of 2024-03-02" in m for m in messages(result))
    assert (result.best.unconfirmed, result.best.confirmed) == ("CR", "SD")


def test_a_confirmed_cr_stays_the_best_response_when_disease_is_seen_later() -> None:
    result = assess(lesion("b", "T1", 50, BASE), lesion("f1", "T1", 0, "2024-03-02"),
                    lesion("f2", "T1", 0, "2024-04-02"), lesion("f3", "T1", 4, "2024-05-02"))
    assert by_day(result)["2024-05-02"].overall == "PD"
    assert result.best.confirmed == "CR"


def test_a_reviewer_reading_the_cr_as_residual_disease_keeps_the_measured_response() -> None:
    result = assess(*cr_then(4), cr_followed_by_pr="partial-response")
    assert by_day(result)["2024-04-02"].overall == "PR"
    assert not any("disease is seen" in m for m in messages(result))
    assert result.best.confirmed == "PR"  # the CR relabelled PR (best.py)


def test_a_new_lesion_after_a_cr_keeps_its_own_rule() -> None:
    new = fx.new_lesion("n1", True, when="2024-04-02T08:00:00Z")
    result = assess(*cr_then(0), new)
    later = by_day(result)["2024-04-02"]
    assert (later.overall, later.overall_rule) == ("PD", "recist11.table1.pd_new_lesion")
    assert not any("disease is seen" in m for m in messages(result))


# --- a new lesion with an implausible size --------------------------------------------------------


@pytest.mark.parametrize(("size", "warned"), [(1000, False), (1000.5, True), (1500, True)])
def test_a_new_lesion_is_progression_whatever_its_size_says(size: float, warned: bool) -> None:
    result = assess(lesion("b", "T1", 50, BASE), lesion("f1", "T1", 30, "2024-03-02"),
                    lesion("n1", "N1", size, "2024-03-02", role="new"))
    later = by_day(result)["2024-03-02"]
    assert (later.target, later.new_lesions, later.overall) == ("PR", True, "PD")
    assert any("the new lesion is recorded, its size is not used" in m for m in messages(result)) is warned


# --- a target lesion with a non-target status -------------------------------------------------------


@pytest.mark.parametrize("status", ["unequivocal-progression", "present"])
def test_a_target_lesion_with_a_non_target_status_keeps_its_measured_response_and_says_so(status: str) -> None:
    flagged = fx.non_target_status("s1", status, "BodyStructure/T1", when="2024-03-02T08:00:00Z")
    result = assess(lesion("b", "T1", 50, BASE), lesion("f1", "T1", 45, "2024-03-02"), flagged)
    later = by_day(result)["2024-03-02"]
    assert (later.target, later.overall) == ("SD", "SD")
    assert any(f"target lesion BodyStructure/T1 has a non-target status '{status}' on 2024-03-02" in m
               for m in messages(result))


# --- the baseline's lymph-node flag decides for non-target lesions ----------------------------------


@pytest.mark.parametrize("node", [True, False])
def test_a_non_nodal_non_target_re_recorded_as_a_node_is_read_as_at_baseline(node: bool) -> None:
    """8 mm is normal for a node, but this lesion was not a node at baseline: still present."""
    result = assess(lesion("b", "T1", 50, BASE), lesion("b2", "B1", 25, BASE, role="non-target"),
                    lesion("f1", "T1", 0, "2024-03-02"),
                    lesion("f2", "B1", 8, "2024-03-02", role="non-target", node=node))
    later = by_day(result)["2024-03-02"]
    assert (later.non_target, later.overall) == ("non-CR/non-PD", "PR")
    assert any("recorded as a lymph node on 2024-03-02, unlike at baseline" in m for m in messages(result)) is node


@pytest.mark.parametrize(("size", "non_target"), [(9.9, "CR"), (10, "non-CR/non-PD")])
def test_a_baseline_non_target_node_is_normal_below_10_mm(size: float, non_target: str) -> None:
    result = assess(lesion("b", "T1", 50, BASE), lesion("b2", "N1", 13, BASE, role="non-target", node=True),
                    lesion("f1", "T1", 0, "2024-03-02"),
                    lesion("f2", "N1", size, "2024-03-02", role="non-target", node=True))
    assert by_day(result)["2024-03-02"].non_target == non_target
