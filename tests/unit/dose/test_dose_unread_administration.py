"""A Lutathera administration recorded as given that cannot be read as a cycle (no usable date, a record
that fails FHIR validation) is not counted, and the next cycle's recommendation and the cards say so.

Before: it was dropped with a warning "no effective date" among the issues, and the patient of four
cycles, one of them undated, read as three cycles given: "cycle 4 (due 2024-08-19)" was recommended (a
fifth administration), the chart's card said "proceed" (info) and an order for it got no card."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import pytest

from cds.evaluation import evaluate_collected
from cds.reading import from_objects

VIEW = "/cds-services/prrt-toxicity"
DOSE = "/cds-services/prrt-dose-check"
UNREAD = "lutathera.course.unread"


def _record(undated: dict[str, Any]) -> list[dict[str, Any]]:
    """Cycles on 2024-01-08 and 2024-03-04, labs a week before cycle 3 (due 2024-04-29): proceed; and one
    more Lutathera administration as ``undated`` gives it."""
    resources, _ = hs.scenario("proceed", "p1")
    return [*resources, undated]


def _undated_procedure(**changes: Any) -> dict[str, Any]:
    procedure = fx.procedure("p1-cycle-x", None)
    procedure.update(changes)
    return procedure


def _next(resources: list[dict[str, Any]]) -> Any:
    (patient,) = evaluate_collected(from_objects(resources), date(2024, 4, 29), "5.0").patients
    return patient, next(a for a in patient.alerts if not a.given)


def test_an_undated_cycle_is_named_on_the_next_cycles_recommendation() -> None:
    patient, alert = _next(_record(_undated_procedure()))
    assert [u.ref for u in patient.timeline.unread_administrations] == ["Procedure/p1-cycle-x"]
    assert alert.cycle == 3
    assert alert.action == "proceed"  # the laboratory rules' verdict stands ...
    assert alert.indicator == "warning"  # ... but never as information
    first = alert.reasons[0]
    assert first.rule == UNREAD
    assert first.observations == ("Procedure/p1-cycle-x",)
    assert "this may not be cycle 3" in first.text
    assert any("not counted as a cycle" in i.message for i in patient.timeline.issues)


def test_a_readable_record_gives_no_such_reason() -> None:
    resources, _ = hs.scenario("proceed", "p1")
    patient, alert = _next(resources)
    assert patient.timeline.unread_administrations == ()
    assert alert.indicator == "info"
    assert all(r.rule != UNREAD for r in alert.reasons)


@pytest.mark.parametrize("status", ["not-done", "entered-in-error", "preparation"])
def test_an_unreadable_administration_not_given_is_no_cycle(status: str) -> None:
    patient, alert = _next(_record(_undated_procedure(status=status)))
    assert patient.timeline.unread_administrations == ()
    assert alert.indicator == "info"


def test_a_given_administration_failing_validation_is_unread() -> None:
    patient, alert = _next(_record(fx.procedure("p1-cycle-x", "2024-02-01", bodySite="liver")))
    assert [u.ref for u in patient.timeline.unread_administrations] == ["Procedure/p1-cycle-x"]
    assert alert.reasons[0].rule == UNREAD


def test_an_administration_at_the_ends_of_the_calendar_is_unread() -> None:
    _, alert = _next(_record(fx.procedure("p1-cycle-x", "0001-01-01")))
    assert alert.reasons[0].rule == UNREAD


def test_an_undated_medication_administration_of_a_cycle_read_is_that_cycle() -> None:
    """``partOf`` the Procedure of cycle 2, which was read: the same infusion, not another cycle."""
    given = fx.medication_administration("p1-ma", None, part_of="Procedure/p1-cycle-2")
    patient, alert = _next(_record(given))
    assert patient.timeline.unread_administrations == ()
    assert alert.indicator == "info"


def test_the_cards_say_the_course_is_not_fully_checked(tmp_path: Path) -> None:
    resources = _record(_undated_procedure())
    view = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources))
    [card] = hs.posted_cards(tmp_path, VIEW, view, "2024-04-29")
    assert card["indicator"] == "warning"
    assert card["summary"].endswith("; course not fully checked: 1 Lutathera administration not read")
    assert "Procedure/p1-cycle-x" in card["detail"]
    order = hs.medication_request("mr-1", "p1", 7.4)
    sign = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=[order])
    cards = hs.posted_cards(tmp_path, DOSE, sign, "2024-04-29")
    unread = [c for c in cards if "could not be read" in c["summary"]]
    assert len(unread) == 1
    assert unread[0]["indicator"] == "warning"
    assert unread[0]["summary"] == ("Lutathera order not fully checked: 1 Lutathera administration recorded as "
                                    "given could not be read")
    assert "checked as cycle 3" in unread[0]["detail"]


def test_an_order_in_a_readable_course_gets_no_such_card(tmp_path: Path) -> None:
    resources, _ = hs.scenario("proceed", "p1")
    order = hs.medication_request("mr-1", "p1", 7.4)
    sign = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=[order])
    assert hs.posted_cards(tmp_path, DOSE, sign, "2024-04-29") == []


def test_a_retracted_version_withdraws_the_unread_one_too() -> None:
    """An undated version of a Procedure beside its entered-in-error version: no version is a cycle."""
    resources = _record(_undated_procedure())
    resources.append(fx.procedure("p1-cycle-x", "2024-02-01", status="entered-in-error"))
    patient, alert = _next(resources)
    assert patient.timeline.unread_administrations == ()
    assert alert.indicator == "info"


def test_a_medication_administration_of_a_procedure_entered_in_error_is_no_cycle_given() -> None:
    """Before: the MedicationAdministration stood alone as a third cycle given (7.4 GBq more in the course),
    and cycle 4 was recommended."""
    resources = _record(fx.procedure("p1-cycle-x", "2024-02-01", status="entered-in-error"))
    resources.append(fx.medication_administration("p1-ma", "2024-02-01T09:30:00Z", part_of="Procedure/p1-cycle-x"))
    patient, alert = _next(resources)
    assert [c.date for c in patient.timeline.cycles] == [date(2024, 1, 8), date(2024, 3, 4)]
    assert [u.ref for u in patient.timeline.unread_administrations] == ["MedicationAdministration/p1-ma"]
    assert alert.cycle == 3
    assert alert.reasons[0].rule == UNREAD
