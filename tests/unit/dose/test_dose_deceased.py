"""A patient recorded as deceased gets no next cycle, and the document says why (``deceased``).
Before, the Patient's deceasedDateTime or deceasedBoolean was read only by the report's survival: the
document recommended "proceed at 7.4 GBq" for cycle 3 of a patient who died two days before it was due,
the chart's card read "Lutathera cycle 3: proceed at 7.4 GBq" (info), and an order for that patient was
checked as cycle 3 (no card: the order agreed)."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import hooks_support as hs
import pytest

from cds.document import patient_document, to_text
from cds.evaluation import Evaluation, evaluate_patient
from cds.mapping import map_collected
from cds.reading import from_objects
from cds.timeline import build_timeline

DEATH = "2024-04-27"


def _resources(**deceased: Any) -> list[dict[str, Any]]:
    resources = hs.prrt_record("p1", panels=[("2024-04-22", {})])
    resources[0] = fx.patient("p1", gender="female", birth_date=hs.PATIENT_BORN, **deceased)
    return resources


def _result(as_of: str, **deceased: Any) -> Any:
    mapped = map_collected(from_objects(_resources(**deceased)))
    return evaluate_patient(build_timeline(mapped.records["Patient/p1"]), date.fromisoformat(as_of))


@pytest.mark.parametrize(("deceased", "as_of", "next_cycle"), [
    ({}, "2024-04-29", True),
    ({"deceased": False}, "2024-04-29", True),
    ({"deceased_date": DEATH}, "2024-05-20", False),
    ({"deceased_date": DEATH}, "2024-04-01", False),  # cycle 3 is decided on its due day, 2024-04-29
    ({"deceased_date": "2024-04-29"}, "2024-04-29", False),  # on the day of death
    ({"deceased_date": "2024-04-30"}, "2024-04-29", True),  # decided on a day the patient was alive
    ({"deceased": True}, "2024-04-29", False),  # deceased, no date
])
def test_no_next_cycle_is_decided_for_a_patient_recorded_as_deceased_by_its_decision_day(
        deceased: dict[str, Any], as_of: str, next_cycle: bool) -> None:
    result = _result(as_of, **deceased)
    assert [a.cycle for a in result.alerts] == ([1, 2, 3] if next_cycle else [1, 2])
    document = patient_document(result)
    if deceased.get("deceased_date") or deceased.get("deceased"):
        assert document["deceased"] == {"date": deceased.get("deceased_date")}  # None: deceasedBoolean only
    else:
        assert "deceased" not in document
    assert not any("Lutathera cycle" in i["message"] for i in document["issues"])  # a death is no input problem


def test_the_document_and_the_text_say_why_there_is_no_next_cycle() -> None:
    result = _result("2024-04-29", deceased_date=DEATH)
    document = patient_document(result)
    assert [a["cycle"] for a in document["alerts"]] == [1, 2]
    assert document["deceased"] == {"date": DEATH}
    assert list(document)[:3] == ["patient", "deceased", "cycles"]
    text = to_text(Evaluation(ruleset_version="v", patients=(result,)))
    assert "  recorded as deceased on 2024-04-27: no Lutathera cycle is decided from that day on\n" in text


def test_the_chart_card_says_deceased_not_proceed_nor_course_complete(tmp_path: Any) -> None:
    body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(_resources(deceased_date=DEATH)))
    cards = hs.posted_cards(tmp_path, "/cds-services/prrt-toxicity", body, "2024-04-29")
    assert len(cards) == 1
    assert cards[0]["summary"].startswith("Patient recorded as deceased on 2024-04-27: no further Lutathera cycle "
                                          "(2 of 4 cycles given)")
    assert "proceed" not in cards[0]["summary"] and "complete" not in cards[0]["summary"]


@pytest.mark.parametrize("deceased", [{"deceased_date": DEATH}, {"deceased": True}])
def test_an_order_for_a_patient_recorded_as_deceased_is_critical_with_its_removal_recommended(
        tmp_path: Any, deceased: dict[str, Any]) -> None:
    order = hs.service_request("sr-1", "p1", 7.4)
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(_resources(**deceased)), orders=[order])
    cards = hs.posted_cards(tmp_path, "/cds-services/prrt-dose-check", body, "2024-04-29")
    dose = [c for c in cards if "deceased" in c["summary"]]
    assert len(dose) == 1, [c["summary"] for c in cards]
    assert dose[0]["indicator"] == "critical"
    when = "on 2024-04-27" if deceased.get("deceased_date") else "no date of death"
    assert dose[0]["summary"] == f"Lutathera order for a patient recorded as deceased ({when}): not checked"
    assert "beyond" not in dose[0]["summary"]
    assert dose[0]["selectionBehavior"] == "at-most-one"
    assert [s.get("isRecommended") for s in dose[0]["suggestions"]] == [True]
    assert dose[0]["suggestions"][0]["actions"][0]["type"] == "delete"
