"""Malformed tumour observations give issues, never a wrong response (issue 4, acceptance).

A generated lesion time series (tests/recist_cohort.py) is spoiled at one follow-up: a target lesion's
measurement is replaced by a malformed one (no lesion identity, no unit, a unit that is not a length,
a negative size, no role, a comparator), or doubled with a different size, or a lesion that the
baseline does not know appears. The evaluation must not raise, must report an issue, and must give
exactly the response RECIST 1.1 gives when that lesion was not assessed (tests/oracle_recist.py).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import factories as fx
import oracle_recist as oracle
import pytest
import recist_cohort as cohort
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds import bootstrap
from cds.facts import LesionMeasurement, NewLesion, NonTargetStatus, Patient, ReportedResponse, Tumour
from cds.recist.conclusions import RecistSettings
from cds.recist.decide import assess_responses
from cds.recist.document import best_document, responses_document
from cds.timeline import Cycle, Timeline

Resource = dict[str, Any]


def reproducible(max_examples: int) -> Any:
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _when(day: date) -> str:
    return f"{day.isoformat()}T08:00:00Z"


def malformed(kind: str, lesion: str, day: date) -> Resource:
    focus = f"BodyStructure/{lesion}"
    when = _when(day)
    if kind == "no identity":
        return fx.lesion("bad", 20, focus=None, when=when)
    if kind == "no unit":
        return fx.lesion("bad", 20, None, focus=focus, when=when)
    if kind == "not a length":
        return fx.lesion("bad", 20, "mL", focus=focus, when=when)
    if kind == "negative":
        return fx.lesion("bad", -20, focus=focus, when=when)
    if kind == "no role":
        return fx.lesion("bad", 20, focus=focus, role=None, when=when)
    if kind == "unknown role":
        return fx.lesion("bad", 20, focus=focus, role="measurable", when=when)
    resource = fx.lesion("bad", 20, focus=focus, when=when)
    resource["component"][0]["valueQuantity"]["comparator"] = "<"
    return resource


KINDS = ["no identity", "no unit", "not a length", "negative", "no role", "unknown role", "comparator"]


@st.composite
def spoilt(draw: st.DrawFn) -> tuple[oracle.Series, int, str]:
    """A series with a target lesion measured at some follow-up: (series, visit index, target)."""
    s = draw(cohort.series().filter(lambda s: bool(s.targets)))
    measured = [(i, name) for i, v in enumerate(s.visits) for name, size in v.sizes.items() if size is not None]
    if not measured:
        s.visits[0].sizes[next(iter(s.targets))] = s.targets[next(iter(s.targets))].baseline
        measured = [(0, next(iter(s.targets)))]
    index, name = draw(st.sampled_from(measured))
    return s, index, name


def _expect(s: oracle.Series, written: cohort.Written, patient: dict[str, Any]) -> None:
    expected = oracle.Series(s.targets, s.non_targets, written.visits).responses()
    got = [(r["target"], r["non_target"], r["overall_recist"]) for r in patient["responses"]]
    assert [r["date"] for r in patient["responses"]] == [v.day.isoformat() for v in written.visits]
    assert got == expected


@reproducible(200)
@given(spoilt(), st.sampled_from(KINDS))
def test_a_malformed_measurement_is_an_issue_and_the_lesion_is_not_assessed(
    case: tuple[oracle.Series, int, str], kind: str
) -> None:
    s, index, name = case
    visit = s.visits[index]
    visit.sizes[name] = None  # what RECIST sees: the lesion was not assessed
    written = cohort.write(s)
    written.resources.append(malformed(kind, name, visit.day))
    # When the malformed record was the only one of its date, there is no time point at all; the oracle
    # sees the same (``written.visits`` holds only dates with a usable record).
    patient = cohort.evaluate(written.resources)
    assert any(issue["resource"] == "Observation/bad" for issue in patient["issues"]), patient["issues"]
    _expect(s, written, patient)


@reproducible(150)
@given(spoilt())
def test_conflicting_measurements_of_a_target_leave_it_not_assessed(case: tuple[oracle.Series, int, str]) -> None:
    s, index, name = case
    visit = s.visits[index]
    size = visit.sizes[name]
    assert size is not None
    written = cohort.write(s)
    written.resources.append(cohort.size_resource(
        "twin", size + 1, "mm", name, s.targets[name].node, "target", visit.day))
    patient = cohort.evaluate(written.resources)
    visit.sizes[name] = None  # what RECIST sees: the lesion was not assessed
    _expect(s, written, patient)
    assert any("conflicting measurements" in issue["message"] for issue in patient["issues"])


@reproducible(150)
@given(spoilt(), st.sampled_from(["target", "non-target"]))
def test_a_lesion_the_baseline_does_not_know_makes_the_time_point_ne_unless_pd(
    case: tuple[oracle.Series, int, str], role: str
) -> None:
    s, index, _ = case
    visit = s.visits[index]
    written = cohort.write(s)
    written.resources.append(fx.lesion("stranger", 12, focus="BodyStructure/X99", role=role, when=_when(visit.day)))
    patient = cohort.evaluate(written.resources)
    # The oracle sees the stranger as the product does: disease seen (so PD after an earlier CR), and the
    # time point NE unless PD; a later time point follows from that, not from the CR the visit had been.
    visit.stranger = True
    expected = oracle.Series(s.targets, s.non_targets, written.visits).responses()
    for response, (target, non_target, overall) in zip(patient["responses"], expected, strict=True):
        assert (response["target"], response["non_target"]) == (target, non_target)
        assert response["overall_recist"] == overall
    assert any("not in the baseline assessment" in issue["message"] for issue in patient["issues"])


@reproducible(100)
@given(cohort.series())
def test_sizes_in_cm_and_mm_mixed_from_one_time_point_to_the_next(s: oracle.Series) -> None:
    written = cohort.write(s, mixed=True)
    patient = cohort.evaluate(written.resources)
    _expect(s, written, patient)


def test_a_target_lesion_that_disappears_from_the_record_is_an_issue() -> None:
    s = oracle.Series(
        targets={"T0": oracle.Target(False, cohort.Decimal(40)), "T1": oracle.Target(False, cohort.Decimal(20))},
        non_targets=[],
    )
    for day, sizes in ((date(2024, 3, 4), (30, 15)), (date(2024, 4, 29), (20, None)), (date(2024, 6, 24), (20, None))):
        s.visits.append(oracle.Visit(day, {"T0": cohort.Decimal(sizes[0]),
                                           "T1": None if sizes[1] is None else cohort.Decimal(sizes[1])}, {}))
    patient = cohort.evaluate(cohort.write(s).resources)
    assert [r["overall"] for r in patient["responses"]] == ["SD", "NE", "NE"]
    messages = [i["message"] for i in patient["issues"]]
    assert any("BodyStructure/T1 not assessed on 2024-04-29" in m for m in messages), messages
    assert any("BodyStructure/T1 not assessed on 2024-06-24" in m for m in messages), messages


@pytest.mark.parametrize("kind", KINDS)
def test_a_malformed_baseline_target_makes_its_later_measurements_unplaceable(kind: str) -> None:
    baseline, later = date(2024, 1, 2), date(2024, 3, 4)
    resources = [
        fx.patient("p1"), fx.procedure("c1", "2024-01-08", patient="Patient/p1"),
        fx.lesion("a0", 40, focus="BodyStructure/T0", when=_when(baseline)),
        malformed(kind, "T1", baseline),
        fx.lesion("a1", 20, focus="BodyStructure/T0", when=_when(later)),
        fx.lesion("b1", 10, focus="BodyStructure/T1", when=_when(later)),
    ]
    patient = cohort.evaluate(resources)
    [response] = patient["responses"]
    # T0 alone went from 40 to 20 mm (PR), but T1, unknown at baseline, is measured: never a PR from that.
    assert (response["target"], response["overall"]) == ("PR", "NE")
    assert any(issue["resource"] == "Observation/bad" for issue in patient["issues"])


LESIONS = st.sampled_from(["BodyStructure/a", "BodyStructure/b", "BodyStructure/c", "bodySite:liver"])
DAYS = st.integers(-40, 200).map(lambda d: date(2024, 1, 8) + timedelta(days=d))


@st.composite
def tumour_fact(draw: st.DrawFn, index: int) -> Tumour:
    day = draw(DAYS)
    common = {"ref": f"Observation/x{index}", "patient": "Patient/p1", "day": day,
              "at": datetime(day.year, day.month, day.day, 8, tzinfo=UTC)}
    kind = draw(st.sampled_from(["size", "size", "size", "status", "new", "reported"]))
    if kind == "size":
        size = draw(st.one_of(st.sampled_from([0.0, 5.0, 9.9, 10.0, 14.9, 15.0, 1000.0, 1000.1, 1e300]),
                              st.floats(0, 400, allow_nan=False)))
        return LesionMeasurement(**common, lesion=draw(LESIONS), role=draw(st.sampled_from(["target", "non-target",
                                 "new"])), lymph_node=draw(st.booleans()), size_mm=size)
    if kind == "status":
        return NonTargetStatus(**common, lesion=draw(LESIONS),
                               status=draw(st.sampled_from(["present", "absent", "unequivocal-progression"])))
    if kind == "new":
        return NewLesion(**common, lesion=draw(st.none() | LESIONS))
    return ReportedResponse(**common, response=draw(st.sampled_from(["CR", "PR", "SD", "non-CR/non-PD", "PD", "NE"])))


@st.composite
def chaotic_timeline(draw: st.DrawFn) -> Timeline:
    facts = [draw(tumour_fact(i)) for i in range(draw(st.integers(0, 40)))]
    first = draw(st.none() | st.just(date(2024, 1, 8)))
    cycles = () if first is None else (Cycle(number=1, date=first, activity_gbq=7.4, sources=("Procedure/c1",)),)
    return Timeline(patient=Patient(ref="Patient/p1"), cycles=cycles, labs=(), ungradable=(), performance=(), body=(),
                    tumour=tuple(sorted(facts, key=lambda f: (f.at, f.ref))), issues=())


@reproducible(400)
@given(chaotic_timeline(), st.sampled_from(["defaults", "keep", "lenient"]))
def test_any_tumour_record_evaluates_without_exception(timeline: Timeline, variant: str) -> None:
    changes: dict[str, object] = {
        "defaults": {},
        "keep": {"target_limits": "keep", "non_measurable_target": "keep", "lymph_nodes_one_organ": False},
        "lenient": {"max_ne_between_confirmation": 2, "cr_followed_by_pr": "partial-response"},
    }[variant]
    result = assess_responses(timeline, bootstrap.build_engine(), RecistSettings.defaults().model_copy(update=changes))
    days = [r.day for r in result.responses]
    assert days == sorted(set(days))
    for response in result.responses:
        if response.source == "measured" and result.baseline_day is not None:
            assert response.overall_rule is not None
            assert response.day > result.baseline_day
        if response.target in ("CR", "PR", "SD"):  # never from an incomplete sum (RECIST 1.1 §4.4.2)
            assert response.sum_complete is True
    if result.responses:
        # RECIST 1.1 Table 2 footnote: the stable best response of non-target disease only is
        # non-CR/non-PD, never SD; of measurable disease SD, never non-CR/non-PD.
        stable = "non-CR/non-PD" if result.best.non_target_only else "SD"
        assert result.best.unconfirmed in ("CR", "PR", stable, "PD", "NE")
        assert result.best.confirmed in ("CR", "PR", stable, "PD", "NE")
    else:
        assert (result.best.unconfirmed, result.best.confirmed) == (None, None)
    document = {"responses": responses_document(result), "best": best_document(result)}
    json.dumps(document, allow_nan=False)
