"""A total calcium is graded corrected for the albumin of the same sample (fhir_mappings/analytes.toml
``corrected_for``): CTCAE v5.0 and v6.0 define hyper- and hypocalcaemia on calcium corrected for albumin.
It was: the total was graded as if it were the corrected value, so a hypoalbuminaemic patient's grade 3
hypercalcaemia read grade 2 (and "proceed at 7.4 GBq"), and a normal corrected calcium read as
hypocalcaemia."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import factories as fx
import hooks_support as hs
import pytest

from cds.document import to_text
from cds.errors import ConfigurationError
from cds.evaluation import evaluate_collected
from cds.facts import LabResult
from cds.hooks.cards.toxicity_card import toxicity_card
from cds.mapping import Mapped
from cds.reading import from_objects
from cds.tables import load_analytes, mappings_dir

WHEN = "2024-02-01T08:00:00Z"


def _calcium(mapped: Mapped) -> LabResult:
    (lab,) = [lab for lab in mapped.records["Patient/p1"].labs if lab.analyte == "calcium"]
    return lab


def test_the_total_is_corrected_with_the_albumin_of_the_same_time(map_fhir: Any) -> None:
    lab = _calcium(map_fhir(fx.patient(), fx.lab("ca", "calcium", 2.90, "mmol/L", low=2.2, high=2.6, when=WHEN),
                            fx.lab("alb", "albumin", 29, "g/L", low=35, high=50, when=WHEN)))
    assert (lab.value, lab.reported_value, lab.unit, lab.reported_unit) == (3.12, 3.12, "mmol/L", "mmol/L")
    assert lab.reported_text is None  # the digits of the record are the total's, not the corrected value's
    assert (lab.derivation, lab.derived_from) == ("corrected", ("Observation/ca", "Observation/alb"))
    assert lab.notes == ("corrected for albumin 29 g/L (Observation/alb): 2.9 + 0.22 = 3.12 mmol/L",)
    assert (lab.low, lab.high) == (2.2, 2.6)  # the laboratory's range applies to the corrected value


def test_a_calcium_in_mg_dl_is_corrected_in_mg_dl(map_fhir: Any) -> None:
    """0.8 mg/dL per g/dL of albumin below 4.0 g/dL: the formula's conventional form, so that the value is
    graded on CTCAE's mg/dL criteria as reported (not 0.2 mmol/L converted: 0.8016 mg/dL)."""
    lab = _calcium(map_fhir(fx.patient(), fx.lab("ca", "calcium", 10.7, "mg/dL", when=WHEN),
                            fx.lab("alb", "albumin", 3.0, "g/dL", when=WHEN)))
    assert (lab.reported_value, lab.reported_unit) == (11.5, "mg/dL")
    assert lab.value == pytest.approx(11.5 * 0.2495)


def test_the_albumin_of_the_same_specimen_comes_before_one_of_the_same_time(map_fhir: Any) -> None:
    lab = _calcium(map_fhir(
        fx.patient(), fx.lab("ca", "calcium", 2.5, "mmol/L", when=WHEN, specimen="Specimen/s1"),
        fx.lab("other", "albumin", 45, "g/L", when=WHEN),
        fx.lab("alb", "albumin", 20, "g/L", when="2024-02-01T07:00:00Z", specimen="Specimen/s1")))
    assert (lab.value, lab.derived_from) == (2.9, ("Observation/ca", "Observation/alb"))


@pytest.mark.parametrize(("albumin", "why"), [
    (fx.lab("alb", "albumin", 25, "g/L", when="2024-01-20T08:00:00Z"), "no albumin of the same specimen or time"),
    (fx.lab("alb", "albumin", 25, "g/L", when=WHEN, specimen="Specimen/other"),
     "the albumin of the same time is of another specimen"),
    (fx.lab("alb", "albumin", 25, "g/L", when=WHEN, patient="Patient/p2"), "no albumin of the same specimen or time"),
])
def test_a_total_without_its_albumin_is_graded_as_measured_and_says_why(map_fhir: Any, albumin: dict[str, Any],
                                                                         why: str) -> None:
    calcium = fx.lab("ca", "calcium", 2.5, "mmol/L", when=WHEN, specimen="Specimen/s1")
    lab = _calcium(map_fhir(fx.patient(), fx.patient("p2"), calcium, albumin))
    assert (lab.value, lab.derivation, lab.derived_from) == (2.5, "not corrected", ())
    assert lab.notes == (f"graded as measured, not corrected for albumin ({why}); CTCAE grades it corrected",)


def test_two_albumins_of_different_values_for_the_sample_correct_nothing(map_fhir: Any) -> None:
    lab = _calcium(map_fhir(fx.patient(), fx.lab("ca", "calcium", 2.5, "mmol/L", when=WHEN),
                            fx.lab("a1", "albumin", 25, "g/L", when=WHEN),
                            fx.lab("a2", "albumin", 35, "g/L", when=WHEN)))
    assert (lab.value, lab.derivation) == (2.5, "not corrected")
    assert "albumin results of different values for the same specimen or time" in lab.notes[0]


@pytest.mark.parametrize("albumin", [40, 47])
def test_an_albumin_not_below_40_g_l_leaves_the_total(map_fhir: Any, albumin: float) -> None:
    """The formula adjusts for hypoalbuminaemia; above 40 g/L it would lower the calcium and could hide a
    hypercalcaemia."""
    lab = _calcium(map_fhir(fx.patient(), fx.lab("ca", "calcium", 2.95, "mmol/L", when=WHEN),
                            fx.lab("alb", "albumin", albumin, "g/L", when=WHEN)))
    assert (lab.value, lab.reported_text, lab.derivation) == (2.95, "2.95", "corrected")
    assert lab.notes == (f"albumin {albumin} g/L (Observation/alb) is not below 40 g/L: the corrected value is "
                         "the total",)


def test_an_ionized_calcium_is_never_corrected(map_fhir: Any) -> None:
    mapped = map_fhir(fx.patient(), fx.lab("ica", "calcium_ionized", 1.4, "mmol/L", loinc="1994-3", when=WHEN),
                      fx.lab("alb", "albumin", 20, "g/L", when=WHEN))
    (lab,) = [lab for lab in mapped.records["Patient/p1"].labs if lab.analyte == "calcium_ionized"]
    assert (lab.value, lab.derivation, lab.notes) == (1.4, None, ())


# --- what the correction decides ------------------------------------------------------------------


def _upcoming(*labs: dict[str, Any]) -> Any:
    resources, as_of = hs.scenario("proceed", "p1")  # cycles 2024-01-08 and 2024-03-04; labs of 2024-04-22 normal
    resources += labs
    (patient,) = evaluate_collected(from_objects([fx.bundle(resources)]), as_of=date.fromisoformat(as_of)).patients
    return patient, next(a for a in patient.alerts if not a.given)


def test_a_hypercalcaemia_grade_3_once_corrected_withholds_the_cycle() -> None:
    """Total 2.95 mmol/L is grade 2; with albumin 25 g/L of the same specimen it is 3.25 mmol/L corrected,
    grade 3: "any other grade 3 or 4" (US PI section 2.3). It was: proceed at 7.4 GBq."""
    patient, upcoming = _upcoming(
        fx.lab("ca", "calcium", 2.95, "mmol/L", low=2.2, high=2.6, patient="Patient/p1",
               when="2024-04-22T08:00:00Z", specimen="Specimen/chem"),
        fx.lab("alb", "albumin", 25, "g/L", low=35, high=50, patient="Patient/p1", when="2024-04-22T08:00:00Z",
               specimen="Specimen/chem"))
    (grade,) = [g for g in patient.toxicities if g.observation == "Observation/ca" and g.term == "Hypercalcemia"]
    assert (grade.grade, grade.value, grade.derivation) == (3, 3.25, "corrected")
    assert upcoming.action == "withhold"
    (reason,) = [r for r in upcoming.reasons if "Observation/ca" in r.observations]
    assert reason.detail is not None and "corrected for albumin" in reason.detail


# --- the table ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "message"), [
    ('analyte = "albumin"\nreference = 40', 'analyte = "albumen"\nreference = 40', "unknown analyte 'albumen'"),
    ("reference = 40\n", "reference = 400\n", "lies outside albumin's plausible values"),
    ('per_gram = { "mmol/L" = 0.02, "mg/dL" = 0.08 }', 'per_gram = { "mg/dL" = 0.08 }',
     "needs the canonical unit 'mmol/L'"),
    ('per_gram = { "mmol/L" = 0.02, "mg/dL" = 0.08 }', 'per_gram = { "mmol/L" = 0.02, "mg/L" = 0.8 }',
     "not a listed unit"),
    ('per_gram = { "mmol/L" = 0.02, "mg/dL" = 0.08 }', 'per_gram = { "mmol/L" = -0.02 }', "must be a positive number"),
])
def test_a_correction_that_does_not_fit_the_table_is_refused_when_it_loads(tmp_path: Path, old: str, new: str,
                                                                          message: str) -> None:
    text = (mappings_dir() / "analytes.toml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "analytes.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_analytes(path)


# --- how it is shown ------------------------------------------------------------------------------


def _shown(albumin_when: str) -> tuple[list[str], str]:
    collected = from_objects([
        fx.patient("p1"), fx.procedure("c1", "2024-01-08", patient="Patient/p1"),
        fx.lab("ca", "calcium", 2.9, "mmol/L", low=2.2, high=2.6, when=WHEN),
        fx.lab("alb", "albumin", 29, "g/L", low=35, high=50, when=albumin_when),
    ])
    evaluation = evaluate_collected(collected)
    [result] = evaluation.patients
    issued = toxicity_card(result, "test", date(2024, 2, 6), [], 4)
    assert issued is not None
    rows = [line for line in (issued.card.detail or "").splitlines() if line.startswith("| Hypercalcemia |")]
    [line] = [line for line in to_text(evaluation).splitlines() if "Hypercalcemia: grade" in line]
    return rows, line


def test_the_card_and_the_text_show_the_corrected_value_and_say_so() -> None:
    rows, line = _shown(WHEN)
    assert rows and all("| 3 |" in row and "3.12 mmol/L, corrected for albumin" in row for row in rows)
    assert "2.2 to 2.6 mmol/L" in rows[0]  # the calcium's own range, in its unit
    assert "Hypercalcemia: grade 3  (3.12 mmol/L, corrected for albumin; " in line


def test_the_card_and_the_text_say_when_a_total_was_not_corrected() -> None:
    rows, line = _shown("2024-01-20T08:00:00Z")
    assert rows and all("| 1 |" in row and "2.9 mmol/L, not corrected for albumin" in row for row in rows)
    assert "Hypercalcemia: grade 1  (2.9 mmol/L, not corrected for albumin; " in line
