"""Optional data the rules decide from that could not be had (its prefetch missing or an OperationOutcome,
and no FHIR server, or one that fails): the answer says "not fully checked", never the empty answer that
reads as "the order agrees" nor the info card that reads "proceed". Missing kidney risk factors apply the
stricter kidney limits. Every response validates against the CDS Hooks 2.0 schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hooks_support as hs
import pytest
from test_hooks_kidney_dose import DOSE, TOXICITY, call, record

FAILED = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "exception"}]}


def _prefetch(resources: list[dict[str, Any]], **changed: Any) -> dict[str, Any]:
    prefetch = hs.prefetch_for(resources)
    for key, value in changed.items():
        if value is None:
            prefetch.pop(key, None)
        else:
            prefetch[key] = value
    return prefetch


@pytest.mark.parametrize("dosimetry", [FAILED, None], ids=["operation-outcome", "not-prefetched"])
def test_an_order_decided_without_the_dosimetry_is_not_fully_checked(tmp_path: Path, dosimetry: Any) -> None:
    """Before: {"cards": []} for a 7.4 GBq order whose dosimetry holds it to 1.7 GBq."""
    resources, as_of = record("p1")
    body = hs.hook_request("order-sign", "p1", prefetch=_prefetch(resources, dosimetry=dosimetry),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)])
    cards, audit = call(tmp_path, DOSE, body, as_of)
    [card] = cards
    assert card["indicator"] == "warning"
    assert card["summary"] == ("Lutathera cycle 3 (7.4 GBq ordered); not fully checked: post-therapy dosimetry "
                               "not available")
    assert "post-therapy dosimetry: the cumulative kidney dose" in card["detail"]
    assert [s["isRecommended"] for s in card["suggestions"]] == [False]  # removal offered, not recommended
    assert [row["action"] for row in audit] == ["data-unavailable"]


def test_patient_view_decided_without_the_dosimetry_warns(tmp_path: Path) -> None:
    """Before: an info card "Lutathera cycle 3: proceed at 7.4 GBq", the missing data in its footer only."""
    resources, as_of = record("p1")
    body = hs.hook_request("patient-view", "p1", prefetch=_prefetch(resources, dosimetry=FAILED))
    [card], _ = call(tmp_path, TOXICITY, body, as_of)
    assert card["indicator"] == "warning"
    assert card["summary"].endswith("; not fully checked: post-therapy dosimetry not available")


def test_unretrievable_kidney_risk_factors_apply_the_stricter_limits(tmp_path: Path) -> None:
    """Hypertension recorded but not retrievable: before, the limits without risk factors allowed 4.1 GBq
    and a 4.0 GBq order got no card; now the limit with a risk factor (BED 28 Gy) holds it to 1.7 GBq."""
    resources, as_of = record("p1")
    body = hs.hook_request("order-sign", "p1", prefetch=_prefetch(resources, kidneyRiskFactors=FAILED),
                           orders=[hs.medication_request("mr-1", "p1", 4.0)])
    cards, _ = call(tmp_path, DOSE, body, as_of)
    summaries = [c["summary"] for c in cards]
    assert summaries == [
        "Lutathera cycle 3: at most 1.7 GBq within the kidney dose limits (4 GBq ordered)",
        "Lutathera cycle 3 (4 GBq ordered); not fully checked: kidney risk factors (hypertension, diabetes) "
        "not available",
    ]
    assert "kidney risk factors could not be retrieved: the limits with a risk factor apply" in cards[0]["detail"]


def test_data_that_only_informs_asks_for_no_card(tmp_path: Path) -> None:
    """Performance status and tumour assessments do not change the next cycle's answer: an order the
    rules let pass still gets the empty answer, with nothing of the kind said."""
    resources, as_of = hs.scenario("proceed", "p1")
    body = hs.hook_request("order-sign", "p1",
                           prefetch=_prefetch(resources, performanceStatus=FAILED, tumourAssessments=None),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)])
    cards, _ = call(tmp_path, DOSE, body, as_of)
    assert cards == []


REQUIRED = ("patient", "labs", "procedures", "medicationAdministrations")


def _required_only(resources: list[dict[str, Any]], *kept: str) -> dict[str, Any]:
    """The prefetch of a CDS client that honours only the required templates (and ``kept``), with no FHIR
    server: the optional data the rules decide from is not available."""
    return {key: value for key, value in hs.prefetch_for(resources).items() if key in (*REQUIRED, *kept)}


def test_patient_view_without_any_optional_prefetch_says_what_it_could_not_check(tmp_path: Path) -> None:
    """Before: a 500 (the notice naming the six missing data sets was longer than a card's summary)."""
    resources, as_of = hs.scenario("withhold", "p1")
    body = hs.hook_request("patient-view", "p1", prefetch=_required_only(resources))
    [card], _ = call(tmp_path, TOXICITY, body, as_of)
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("Lutathera cycle 3: withhold")  # the recommendation is not crowded out
    assert card["summary"].endswith("; not fully checked: medication statements, active medication orders (+4 more) "
                                     "not available")
    for label in ("medication statements", "active medication orders", "pregnancy status and tests",
                  "body weight", "post-therapy dosimetry", "kidney risk factors (hypertension, diabetes)"):
        assert f"- {label}: " in card["detail"]


def test_an_order_without_any_optional_prefetch_but_the_weight_is_not_fully_checked(tmp_path: Path) -> None:
    """Before: a 500, as above, for an order the laboratory rules let pass."""
    resources, as_of = hs.scenario("proceed", "p1")
    body = hs.hook_request("order-sign", "p1", prefetch=_required_only(resources, "bodyWeight"),
                           orders=[hs.medication_request("mr-1", "p1", 7.4)])
    cards, audit = call(tmp_path, DOSE, body, as_of)
    [card] = [c for c in cards if "not fully checked" in c["summary"]]
    assert card["indicator"] == "warning"
    assert card["summary"] == ("Lutathera cycle 3 (7.4 GBq ordered); not fully checked: medication statements, "
                               "active medication orders (+3 more) not available")
    assert "- kidney risk factors (hypertension, diabetes): " in card["detail"]
    assert "data-unavailable" in [row["action"] for row in audit]


def test_notices_that_do_not_fit_together_leave_the_recommendation_in_the_summary(tmp_path: Path) -> None:
    """Stale labs, the kidney risk factors not prefetched and results dated after the day decided on:
    before, a 500 (the three notices and the recommendation made a summary longer than allowed); with
    labs that are not stale, the summary kept the notices and cut the recommendation to "Lutat…"."""
    for scenario, lead in (("labs-needed", "Lutathera cycle 3: laboratory results needed first"),
                           ("proceed", "Lutathera cycle 3: proceed")):
        resources, as_of = hs.scenario(scenario, "p1")
        resources += hs.panel("p1", "2024-05-02")[:3]  # dated after the day decided on (2024-04-29)
        body = hs.hook_request("patient-view", "p1", prefetch=_required_only(
            resources, "medicationStatements", "medicationRequests", "pregnancy", "bodyWeight", "dosimetry"))
        [card], _ = call(_folder(tmp_path, scenario), TOXICITY, body, as_of)
        assert card["indicator"] == "warning"
        assert card["summary"].startswith(lead), card["summary"]
        # the detail states every notice, whichever the summary has room for
        assert "kidney risk factors (hypertension, diabetes): " in card["detail"]
        assert "**Laboratory results dated after 2024-04-29**" in card["detail"]


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder
