"""A CTCAE grade is computed in one unit: the reported one where CTCAE gives criteria in it, else the
term's SI unit after conversion, and the result says so (rules/ctcae_v5.toml, "How a term is graded")."""

from __future__ import annotations

from pathlib import Path

import factories as fx
import pytest

from cds.ctcae import table as ctcae_table
from cds.document import to_document, to_text
from cds.errors import ConfigurationError
from cds.evaluation import evaluate_collected
from cds.reading import from_objects


def _toxicity(resources: list[dict[str, object]], term: str) -> dict[str, object]:
    document = to_document(evaluate_collected(from_objects(resources)))
    (entry,) = [t for t in document["patients"][0]["toxicities"] if t["term"] == term]
    return entry


def test_a_unit_ctcae_does_not_list_is_converted_and_the_entry_says_so() -> None:
    """Calcium 6.4 mEq/L is 3.2 mmol/L: CTCAE has no mEq/L criteria, so the SI set grades it (3)."""
    resources = [fx.patient(), fx.lab("ca", "calcium", 6.4, "mEq/L", low=4.4, high=5.2)]
    entry = _toxicity(resources, "Hypercalcemia")
    assert (entry["grade"], entry["criterion_set"], entry["converted_from"]) == (3, "si", "mEq/L")
    assert "graded as 3.2 mmol/L: CTCAE has no mEq/L criteria" in to_text(evaluate_collected(from_objects(resources)))


def test_a_unit_ctcae_lists_is_graded_as_reported_and_not_marked_converted() -> None:
    resources = [fx.patient(), fx.lab("mg", "magnesium", 3.0, "mg/dL", loinc="19123-9", low=1.5, high=2.4)]
    entry = _toxicity(resources, "Hypermagnesemia")
    assert (entry["grade"], entry["criterion_set"], entry["rule"]) == (1, "mg/dL", "ctcae5.hypermagnesemia.g1.mg_dl")
    assert "converted_from" not in entry


def test_the_same_unit_spelled_otherwise_is_not_a_conversion() -> None:
    """mEq/L of sodium is mmol/L (factor 1 in fhir_mappings/analytes.toml): graded as reported."""
    sodium = fx.lab("na", "sodium", 151, "mEq/L", loinc="2951-2", low=136, high=145)
    entry = _toxicity([fx.patient(), sodium], "Hypernatremia")
    assert (entry["grade"], entry["criterion_set"]) == (2, "si")
    assert "converted_from" not in entry


def test_a_ratio_term_is_never_marked_converted() -> None:
    """Creatinine increased is graded on x ULN: the unit does not matter, nothing is converted for it."""
    entry = _toxicity([fx.patient(), fx.lab("cr", "creatinine", 2.0, "mg/dL", low=0.5, high=1.0)],
                      "Creatinine increased")
    assert entry["grade"] == 2
    assert "converted_from" not in entry


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = (ctcae_table.rules_dir() / "ctcae_v5.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "ctcae_v5.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "message"), [
    ('[[term.conventional]]\nunit = "mg/dL"\ncriteria = [\n  { rule = "ctcae5.hypercalcemia.g4.mg_dl"',
     '[[term.conventional]]\nunit = "mg/L"\ncriteria = [\n  { rule = "ctcae5.hypercalcemia.g4.mg_dl"',
     r"term hypercalcemia: criterion set unit 'mg/L' is not convertible for calcium"),
    ('[[term.conventional]]\nunit = "mg/dL"\ncriteria = [\n  { rule = "ctcae5.hypercalcemia.g4.mg_dl"',
     '[[term.conventional]]\nunit = "mmol/l"\ncriteria = [\n  { rule = "ctcae5.hypercalcemia.g4.mg_dl"',
     r"term hypercalcemia: criterion set unit 'mmol/l' is the same unit as another set"),
    ('id = "hypercalcemia"\nanalyte = "calcium"\ndirection = "high"\nsoc = "Metabolism and nutrition disorders"\n'
     'unit = "mmol/L"\n',
     'id = "hypercalcemia"\nanalyte = "calcium"\ndirection = "high"\nsoc = "Metabolism and nutrition disorders"\n',
     r"term hypercalcemia: absolute criteria need the term's unit"),
    ('id = "hypercalcemia"\nanalyte = "calcium"\ndirection = "high"\nsoc = "Metabolism and nutrition disorders"\n'
     'unit = "mmol/L"\n',
     'id = "hypercalcemia"\nanalyte = "calcium"\ndirection = "high"\nsoc = "Metabolism and nutrition disorders"\n'
     'unit = "mg/dL"\n',
     r"term hypercalcemia: unit 'mg/dL' is not the canonical unit of calcium"),
])
def test_the_table_units_are_checked_against_the_analyte_table(tmp_path: Path, old: str, new: str,
                                                               message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ctcae_table.load_table(_variant(tmp_path, old, new))
