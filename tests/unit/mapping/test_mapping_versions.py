"""One version of each resource (cds/mapping/versions.py): copies of one Type/id are one resource; the
newest of versions that say their order is read; versions that cannot be ordered are each read, with a
warning. Both input paths (whole, and the bulk path by patient) map through the same step."""

from __future__ import annotations

from typing import Any

import factories as fx

from cds.mapping import Mapped


def _platelets(value: float, **meta: str) -> dict[str, Any]:
    lab = fx.lab("plt", "platelets", value, "10*9/L", low=150, high=400, when="2024-02-01T08:00:00Z")
    return {**lab, "meta": meta} if meta else lab


def _values(mapped: Mapped) -> list[float]:
    return [lab.value for lab in mapped.records["Patient/p1"].labs]


def _messages(mapped: Mapped) -> list[tuple[str, str]]:
    return [(i.severity, i.message) for i in mapped.records["Patient/p1"].issues]


def test_an_exact_copy_is_one_result(map_fhir: Any) -> None:
    """The same export as NDJSON and as a Bundle side by side: before, each toxicity was counted twice."""
    mapped = map_fhir(fx.patient(), _platelets(70), _platelets(70))
    assert _values(mapped) == [70]
    assert _messages(mapped) == []


def test_the_newest_version_is_read(map_fhir: Any) -> None:
    """Before: the superseded 70 was graded beside its amended 160, and reduced the next cycle."""
    mapped = map_fhir(fx.patient(), _platelets(160, versionId="2"), _platelets(70, versionId="1"))
    assert _values(mapped) == [160]
    assert _messages(mapped) == [("info", "1 older version(s) of this resource are not used; the newest "
                                          "(versionId 2) is")]


def test_a_patients_newest_version_is_read_whatever_the_order(map_fhir: Any) -> None:
    """Before: an older export read after the newer one lost the patient's death."""
    newer = {**fx.patient(deceased_date="2024-09-01"), "meta": {"lastUpdated": "2024-09-05T00:00:00Z"}}
    older = {**fx.patient(), "meta": {"lastUpdated": "2023-12-01T00:00:00Z"}}
    mapped = map_fhir(newer, older)
    assert mapped.records["Patient/p1"].patient.death_date is not None
    assert mapped.records["Patient/p1"].patient.death_date.isoformat() == "2024-09-01"


def test_versions_that_cannot_be_ordered_are_each_read_with_a_warning(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), _platelets(70), _platelets(160, versionId="2"))
    assert sorted(_values(mapped)) == [70, 160]
    assert _messages(mapped) == [("warning", "2 versions of this resource differ and none says which is newer "
                                             "(meta.versionId or meta.lastUpdated on each): each is read as it "
                                             "comes")]


RETRACTED = "a version of this {} is entered-in-error: none of its versions is used"


def test_an_entered_in_error_dosimetry_withdraws_its_other_versions(map_fhir: Any) -> None:
    """Before: the 6 Gy of the withdrawn version still counted in the cumulative kidney dose."""
    final = fx.dosimetry("dos1", 6, patient="Patient/p1")
    mapped = map_fhir(fx.patient(), fx.procedure("c1", "2024-01-08"), final, {**final, "status": "entered-in-error"})
    assert mapped.records["Patient/p1"].dosimetry == []
    assert ("warning", RETRACTED.format("Observation")) in _messages(mapped)


def test_an_entered_in_error_cycle_withdraws_its_other_versions(map_fhir: Any) -> None:
    """Before: the completed version still counted as a cycle given."""
    given = fx.procedure("c1", "2024-01-08")
    mapped = map_fhir(fx.patient(), given, {**given, "status": "entered-in-error"})
    assert mapped.records["Patient/p1"].administrations == []
    assert ("warning", RETRACTED.format("administration")) in _messages(mapped)
