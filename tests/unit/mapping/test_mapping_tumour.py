"""Tumour assessments (RECIST 1.1): lesion measurements, non-target status, new lesions, responses."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import factories as fx
import pytest

from cds.errors import ConfigurationError
from cds.facts import LesionMeasurement, NewLesion, NonTargetStatus, ReportedResponse, UnreadableLesion
from cds.rulebook.files import mappings_dir
from cds.tables import load_codes


def tumour(map_fhir: Any, *resources: dict[str, Any]) -> tuple[list[Any], list[tuple[str | None, str]]]:
    record = map_fhir(fx.patient(), *resources).records["Patient/p1"]
    return record.tumour, [(i.resource, i.message) for i in record.issues]


@pytest.mark.parametrize("shape", ["panel", "direct"])
@pytest.mark.parametrize(
    ("size", "unit", "mm"), [(42, "mm", 42.0), (4.2, "cm", 42.0), (1.6731, "cm", 16.731)]
)
def test_lesion_measurement_shapes_and_units(
    map_fhir: Any, shape: str, size: float, unit: str, mm: float
) -> None:
    facts, issues = tumour(
        map_fhir, fx.lesion("t1", size, unit, shape=shape, focus="BodyStructure/liver-1", when="2024-01-02")
    )
    assert issues == []
    [fact] = facts
    assert isinstance(fact, LesionMeasurement)
    assert (fact.lesion, fact.role, fact.lymph_node, fact.day) == (
        "BodyStructure/liver-1",
        "target",
        False,
        date(2024, 1, 2),
    )
    assert fact.size_mm == pytest.approx(mm, rel=1e-12)


def _sized(oid: str, quantity: dict[str, Any]) -> dict[str, Any]:
    resource = fx.lesion(oid, 1, focus="BodyStructure/b1")
    resource["component"][0]["valueQuantity"] = quantity
    return resource


@pytest.mark.parametrize(("code", "text"), [("mm", "cm"), ("cm", "mm")])
def test_a_unit_code_and_text_that_name_different_units_are_refused(map_fhir: Any, code: str, text: str) -> None:
    resource = _sized("t1", {"value": 4.0, "unit": text, "system": "http://unitsofmeasure.org", "code": code})
    facts, issues = tumour(map_fhir, resource)
    assert [type(f) for f in facts] == [UnreadableLesion]
    assert issues == [("Observation/t1", f"lesion size unit code {code!r} and unit text {text!r} name different "
                                         "units: not used")]


@pytest.mark.parametrize("text", ["mm", "millimetre", "MM"])
def test_a_unit_text_that_names_the_same_unit_or_is_not_listed_is_not_compared(map_fhir: Any, text: str) -> None:
    resource = _sized("t1", {"value": 4.0, "unit": text, "system": "http://unitsofmeasure.org", "code": "mm"})
    [fact], issues = tumour(map_fhir, resource)
    assert issues == []
    assert fact.size_mm == 4.0


@pytest.mark.parametrize("role", ["target", "non-target", "new"])
def test_lesion_roles(map_fhir: Any, role: str) -> None:
    [fact], _ = tumour(map_fhir, fx.lesion("t1", 20, role=role))
    assert fact.role == role


def test_lymph_node_component(map_fhir: Any) -> None:
    facts, _ = tumour(
        map_fhir,
        fx.lesion("n1", 18, lymph_node=True, focus="BodyStructure/node-1"),
        fx.lesion("n2", 18, lymph_node=False, focus="BodyStructure/node-2"),
    )
    assert [(f.lesion, f.lymph_node) for f in facts] == [
        ("BodyStructure/node-1", True),
        ("BodyStructure/node-2", False),
    ]


def test_lesion_identity_by_body_site_text_or_code(map_fhir: Any) -> None:
    by_text = fx.lesion("t1", 20, focus=None, body_site="Liver segment VII")
    by_code = fx.lesion("t2", 20, focus=None, bodySite=fx.concept(fx.SNOMED, "10200004"))
    facts, _ = tumour(map_fhir, by_text, by_code)
    assert [f.lesion for f in facts] == ["bodySite:Liver segment VII", f"bodySite:{fx.SNOMED}|10200004"]


def test_focus_wins_over_body_site(map_fhir: Any) -> None:
    [fact], _ = tumour(map_fhir, fx.lesion("t1", 20, focus="BodyStructure/b1", body_site="Liver"))
    assert fact.lesion == "BodyStructure/b1"


@pytest.mark.parametrize(
    ("observation", "message"),
    [
        (fx.lesion("t1", 20, focus=None), "lesion measurement without a lesion identity (focus or bodySite)"),
        (
            fx.lesion("t1", 20, role=None),
            "lesion measurement without a lesion role (target, non-target or new)",
        ),
        (
            fx.lesion("t1", 20, role="measurable"),
            "lesion measurement without a lesion role (target, non-target or new)",
        ),
        (fx.lesion("t1", 2, "in"), "lesion size unit 'in' is not mm or cm"),
        (fx.lesion("t1", -3), "lesion size is negative"),
        (
            fx.observation("t1", fx.concept(fx.LOINC, "21889-1"), focus=[{"reference": "BodyStructure/b"}]),
            "tumour size without a longest-diameter component (33728-7)",
        ),
    ],
)
def test_unusable_lesion_measurement(map_fhir: Any, observation: dict[str, Any], message: str) -> None:
    """Not used, with an issue; kept as a measurement that cannot be used, so that RECIST knows the
    lesion was recorded (a baseline with one may not hold the whole tumour burden)."""
    facts, issues = tumour(map_fhir, observation, fx.lesion("ok", 10, focus="BodyStructure/b2"))
    assert [f.ref for f in facts if isinstance(f, LesionMeasurement)] == ["Observation/ok"]
    assert [(f.ref, type(f)) for f in facts if not isinstance(f, LesionMeasurement)] == [
        ("Observation/t1", UnreadableLesion)]
    assert issues == [("Observation/t1", message)]


@pytest.mark.parametrize("status", ["present", "absent", "unequivocal-progression"])
def test_non_target_status(map_fhir: Any, status: str) -> None:
    [fact], issues = tumour(map_fhir, fx.non_target_status("nt1", status, focus="BodyStructure/bone-1"))
    assert isinstance(fact, NonTargetStatus)
    assert (fact.lesion, fact.status, issues) == ("BodyStructure/bone-1", status, [])


def test_non_target_status_with_an_unknown_value_is_an_issue(map_fhir: Any) -> None:
    facts, issues = tumour(map_fhir, fx.non_target_status("nt1", "smaller"))
    assert facts == []
    assert issues == [
        ("Observation/nt1", "non-target status is not present, absent or unequivocal-progression")
    ]


def test_new_lesion_by_code(map_fhir: Any) -> None:
    facts, _ = tumour(
        map_fhir,
        fx.new_lesion("n1", focus="BodyStructure/new-1"),
        fx.new_lesion("n2"),
        fx.new_lesion("n3", present=False),
    )
    assert [(type(f), f.lesion) for f in facts] == [(NewLesion, "BodyStructure/new-1"), (NewLesion, None)]


def test_new_lesion_by_role(map_fhir: Any) -> None:
    [fact], _ = tumour(map_fhir, fx.lesion("n1", 12, role="new", focus="BodyStructure/new-1"))
    assert isinstance(fact, LesionMeasurement) and fact.role == "new"


@pytest.mark.parametrize("response", ["CR", "PR", "SD", "non-CR/non-PD", "PD", "NE"])
def test_investigator_time_point_response(map_fhir: Any, response: str) -> None:
    [fact], _ = tumour(map_fhir, fx.timepoint_response("r1", response, when="2024-04-01"))
    assert isinstance(fact, ReportedResponse)
    assert (fact.response, fact.day) == (response, date(2024, 4, 1))


@pytest.mark.parametrize(("code", "response"), [
    ("NON-CR/NON-PD", "non-CR/non-PD"), ("non-cr/non-pd", "non-CR/non-PD"), ("Non-Cr/Non-Pd", "non-CR/non-PD"),
    ("pr", "PR"), ("Sd", "SD"), ("ne", "NE"),
])
def test_investigator_codes_are_compared_without_regard_to_case(map_fhir: Any, code: str, response: str) -> None:
    """FHIR input profile: the codes are compared without regard to case; the fact holds the RECIST spelling."""
    [fact], issues = tumour(map_fhir, fx.timepoint_response("r1", code, when="2024-04-01"))
    assert isinstance(fact, ReportedResponse) and fact.response == response and issues == []


EXPECTED = "time-point response is not one of CR, PR, SD, non-CR/non-PD, PD, NE"


@pytest.mark.parametrize("code", ["MR", "non-CR / non-PD", "non CR/non PD", "nonCR/nonPD", "non-CR-non-PD", "",
                                  " PR", "SD "])
def test_investigator_response_outside_recist_is_an_issue(map_fhir: Any, code: str) -> None:
    facts, issues = tumour(map_fhir, fx.timepoint_response("r1", code))
    assert facts == [] and issues == [("Observation/r1", EXPECTED)]


def test_the_code_table_lists_only_recist_categories(tmp_path: Path) -> None:
    """A time-point response the rules do not know stops the loading of codes.toml."""
    source = (mappings_dir() / "codes.toml").read_text()
    assert 'timepoint_responses = ["CR", "PR", "SD", "non-CR/non-PD", "PD", "NE"]' in source
    for listed in ('["CR", "PR", "SD", "non-CR/non-PD", "PD", "NE", "MR"]', '["CR", "cr", "PR"]'):
        bad = tmp_path / "codes.toml"
        bad.write_text(source.replace('["CR", "PR", "SD", "non-CR/non-PD", "PD", "NE"]', listed))
        with pytest.raises(ConfigurationError, match="time-point response"):
            load_codes(bad)


def test_unknown_recist_code_is_ignored(map_fhir: Any) -> None:
    facts, issues = tumour(
        map_fhir, fx.observation("x", fx.concept(fx.RECIST, "lesion-volume"), valueInteger=3)
    )
    assert facts == [] and issues == []


# --- LOINC 33729-5 "Size additional dimension in Tumor" (mCODE TumorSize tumorOtherDimension, 0..2) ----


def _node_panel(oid: str, longest: float | None, *others: float, node: bool = True) -> dict[str, Any]:
    """A TumorSize panel (21889-1): the longest dimension in 33728-7 (None: none), each other in 33729-5."""
    resource = fx.lesion(oid, longest if longest is not None else 0, focus="BodyStructure/n1", lymph_node=node)
    components = resource["component"] if longest is not None else resource["component"][1:]
    components += [{"code": fx.concept(fx.LOINC, "33729-5"), "valueQuantity": fx.quantity(v, "mm")} for v in others]
    resource["component"] = components
    return resource


def test_a_node_panel_with_its_other_dimension_is_read_by_that_short_axis(map_fhir: Any) -> None:
    """RECIST 1.1 §3.1.1: a lymph node is measured by its short axis. Before, a 22 x 12 mm node sent as
    mCODE writes it was read as 22 mm (its long axis): a measurable target instead of a 12 mm node."""
    facts, issues = tumour(map_fhir, _node_panel("t1", 22, 12))
    assert issues == []
    [fact] = facts
    assert (fact.lymph_node, fact.size_mm) == (True, 12.0)


def test_a_node_panel_with_only_the_other_dimension_is_read_by_it(map_fhir: Any) -> None:
    """Before: "tumour size without a longest-diameter component (33728-7)", the node was dropped."""
    facts, issues = tumour(map_fhir, _node_panel("t1", None, 12))
    assert issues == []
    assert [f.size_mm for f in facts] == [12.0]


def test_a_node_panel_with_two_other_dimensions_is_not_guessed(map_fhir: Any) -> None:
    facts, issues = tumour(map_fhir, _node_panel("t1", 30, 12, 25))
    assert [type(f) for f in facts] == [UnreadableLesion]
    assert issues and "short axis" in issues[0][1] and "33729-5" in issues[0][1]


def test_a_node_short_axis_longer_than_its_longest_dimension_is_refused(map_fhir: Any) -> None:
    facts, issues = tumour(map_fhir, _node_panel("t1", 12, 22))
    assert [type(f) for f in facts] == [UnreadableLesion]
    assert issues and "33729-5" in issues[0][1] and "33728-7" in issues[0][1]


def test_a_non_nodal_lesion_is_read_by_its_longest_diameter_whatever_its_other_dimensions(map_fhir: Any) -> None:
    facts, issues = tumour(map_fhir, _node_panel("t1", 30, 12, 8, node=False))
    assert issues == []
    assert [(f.lymph_node, f.size_mm) for f in facts] == [(False, 30.0)]


def _direct_other(oid: str, size: float, node: bool) -> dict[str, Any]:
    resource = fx.lesion(oid, size, shape="direct", focus="BodyStructure/n1", lymph_node=node)
    resource["code"] = fx.concept(fx.LOINC, "33729-5", "Size additional dimension in Tumor")
    return resource


def test_a_node_sent_as_33729_5_alone_is_read_as_its_short_axis(map_fhir: Any) -> None:
    """Before, an Observation coded 33729-5 was skipped silently: the nodal target lesion was dropped."""
    facts, issues = tumour(map_fhir, _direct_other("t1", 12, node=True))
    assert issues == []
    assert [(f.lymph_node, f.size_mm) for f in facts] == [(True, 12.0)]


def test_33729_5_alone_for_a_lesion_that_is_not_a_node_is_refused(map_fhir: Any) -> None:
    facts, issues = tumour(map_fhir, _direct_other("t1", 12, node=False))
    assert [type(f) for f in facts] == [UnreadableLesion]
    assert issues and "33729-5" in issues[0][1] and "longest diameter" in issues[0][1]
