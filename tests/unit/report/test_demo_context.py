"""The demo's treatment context (somatostatin analogues, amino acids, potassium, pregnancy tests, kidney
risk factors) and dosimetry: valid FHIR R4, after every other resource, and with the cases a PRRT team
meets: both sides of each protocol check and one patient whose kidneys approach the cumulative limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from cds.demo import SERIES_SIZE, patient_bundle
from cds.demo.context import AMINO_ACIDS, CHILD_BEARING_MAX_AGE, LAR, SHORT
from cds.demo.plan import random_plan

CONTEXT_TYPES = {"MedicationStatement", "MedicationAdministration", "Condition"}
CONTEXT_IDS = ("-ssa-", "-amino-acids-", "-potassium-", "-hcg-", "-condition-", "-dosimetry-")
COHORT = 300
SEED = 11


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"]]


def _is_context(r: dict[str, Any]) -> bool:
    return r["resourceType"] in CONTEXT_TYPES or any(k in r["id"] for k in CONTEXT_IDS)


@pytest.fixture(scope="module")
def cohort() -> Iterator[list[tuple[int, list[dict[str, Any]]]]]:
    yield [(i, _resources(patient_bundle(i, COHORT, SEED)[1])) for i in range(1, COHORT + 1)]


def _cycles(resources: list[dict[str, Any]]) -> list[datetime]:
    return [_when(r["performedDateTime"]) for r in resources if r["resourceType"] == "Procedure"]


def _medication(resources: list[dict[str, Any]], text: str) -> list[datetime]:
    out = []
    for r in resources:
        if r.get("medicationCodeableConcept", {}).get("text") == text:
            out.append(_when(r["effectiveDateTime"] if "effectiveDateTime" in r else r["effectivePeriod"]["end"]))
    return out


def test_the_series_bundles_are_valid_r4_and_the_context_comes_after_every_other_resource() -> None:
    for i in range(1, SERIES_SIZE + 1):
        bundle = patient_bundle(i, SERIES_SIZE, 1)[1]
        Bundle.model_validate(bundle)
        flags = [_is_context(r) for r in _resources(bundle)]
        first = flags.index(True)
        assert all(flags[first:]), "context resources are written last, so no earlier id or value moves"


def test_lar_is_given_after_every_cycle_and_stopped_four_weeks_before_the_first(cohort: Any) -> None:
    for _, resources in cohort:
        cycles, lar = _cycles(resources), _medication(resources, LAR)
        assert min(cycles) - max(t for t in lar if t < min(cycles)) > timedelta(days=34)  # 5-6 weeks
        for given in cycles:
            assert given + timedelta(hours=6) in lar


def test_the_cohort_holds_both_sides_of_every_protocol_check(cohort: Any) -> None:
    lar_too_close = short_too_close = short_ok = amino_missing = potassium_high = 0
    tested = untested = stale = dosimetry = near_limit = 0
    for i, resources in cohort:
        cycles = _cycles(resources)
        lar = _medication(resources, LAR)
        if any(timedelta(days=20) <= c - t <= timedelta(days=27) for c in cycles for t in lar):
            lar_too_close += 1
        short = _medication(resources, SHORT)
        gaps = {c - t for c in cycles for t in short if timedelta(0) < c - t <= timedelta(days=3)}
        short_too_close += timedelta(hours=12) in gaps
        short_ok += bool(gaps) and timedelta(hours=12) not in gaps
        amino_missing += len(_medication(resources, AMINO_ACIDS)) < len(cycles)
        potassium = [r["valueQuantity"]["value"] for r in resources if "-potassium-" in r["id"]]
        assert all(3.8 <= k <= 4.8 or 5.6 <= k <= 5.9 for k in potassium)
        potassium_high += any(k >= 5.6 for k in potassium)
        plan = random_plan(i, SEED)
        tests = [r for r in resources if "-hcg-" in r["id"]]
        if plan.sex == "female" and plan.age <= CHILD_BEARING_MAX_AGE:
            days = [date.fromisoformat(t["effectiveDateTime"][:10]) for t in tests]
            before = [any(1 <= (c.date() - d).days <= 3 for d in days) for c in cycles]
            tested += all(before)
            stale += any(before) and not all(before)
            untested += not days
        else:
            assert not tests
        kidney = [r for r in resources
                  if "-dosimetry-" in r["id"] and r["code"]["coding"][0]["code"] == "kidney-absorbed-dose"]
        if kidney:
            dosimetry += 1
            per_gbq = [c["valueQuantity"]["value"] for r in kidney for c in r["component"]
                       if c["code"]["coding"][0]["code"] == "absorbed-dose-per-activity"]
            near_limit += max(per_gbq) >= 1.0
    assert min(lar_too_close, short_too_close, short_ok, amino_missing, potassium_high) >= 1
    assert min(tested, untested, stale) >= 1 and tested > untested + stale
    assert COHORT / 5 < dosimetry < COHORT / 2 and near_limit >= 1


def _dated(resource: dict[str, Any]) -> str | None:
    for key in ("performedDateTime", "effectiveDateTime", "onsetDateTime"):
        if key in resource:
            return str(resource[key])[:10]
    period = resource.get("effectivePeriod")
    return str(period["end"])[:10] if period else None


def test_the_checks_before_each_cycle_read_the_demo_context(cohort: Any) -> None:
    """Each demo record as it stood the day a later cycle was decided: every context resource is read
    (no issue), and the protocol checks see both sides of the analogue and potassium checks."""
    from cds.document import to_document
    from cds.evaluation import evaluate_collected
    from cds.reading import from_objects

    seen: set[tuple[str, str]] = set()
    for _, resources in cohort[:60]:
        cycles = sorted(r["performedDateTime"][:10] for r in resources if r["resourceType"] == "Procedure")
        for day in cycles[1:]:
            kept = [r for r in resources if (when := _dated(r)) is None or when < day]
            bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in kept]}
            document = to_document(evaluate_collected(from_objects([bundle]), date.fromisoformat(day), "5.0"))
            (patient,) = document["patients"]
            assert patient["issues"] == [] and document["issues"] == []
            for alert in patient["alerts"]:
                seen |= {(c["check"], c["status"]) for c in alert.get("protocol_checks", [])}
    assert {("ssa-long-acting", "ok"), ("ssa-long-acting", "warning"), ("ssa-short-acting", "ok"),
            ("potassium", "ok"), ("potassium", "warning"), ("pregnancy", "ok"), ("kidney-dose", "ok"),
            ("kidney-dose", "warning")} <= seen
