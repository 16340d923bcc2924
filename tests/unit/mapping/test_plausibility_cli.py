"""Property: no JSON number or string in any value field makes ``prrt-cds evaluate`` fail.

Every value field the mapping reads (laboratory values and their reference range, administered
activities of a Procedure and of a MedicationAdministration, body weight and height, ECOG and
Karnofsky scores, tumour sizes) gets a drawn JSON value: any integer (also of thousands of digits),
any float (also NaN and the infinities, which the file reader accepts), number literals written with
huge exponents or thousands of digits, strings, booleans and null. The record is written as a file and
evaluated through the real command line (typer's CliRunner, the same entry point as the console
script): the exit code is 0 (the values that cannot be used are per-resource issues) or 1, never an
uncaught exception, and nothing prints a traceback.

Derandomized and without an example database, so CI runs the same examples every time.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import factories as fx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cds.cli import app

P1 = "Patient/p1"
RAW = "__raw_number_{}__"  # a JSON string replaced by a raw number literal after json.dumps

# Number literals json.dumps never writes: thousands of digits, exponents beyond float, long fractions.
raw_literals = st.one_of(
    st.integers(1, 6000).map(lambda n: "9" * n),
    st.integers(1, 6000).map(lambda n: "-" + "1" * n),
    st.integers(-100000, 100000).map(lambda e: f"1e{e}"),
    st.integers(1, 5000).map(lambda n: "0." + "0" * n + "1"),
    st.sampled_from(["1E+400", "-1e999", "1e-400", "-0", "0.0", "7.400000000000000000000000000000001"]),
).map(lambda text: ("raw", text))
values = st.one_of(
    st.integers(),
    st.integers(-(10**300), 10**300),  # thousands of digits: raw_literals (json.dumps cannot write them)
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["7.4", "", "NaN", "1e308", "-5"]),
    st.booleans(),
    st.none(),
    raw_literals,
)
FIELDS = ("hemoglobin", "creatinine", "range_high", "procedure_activity", "ma_activity", "weight", "height",
          "ecog", "karnofsky", "lesion")


def _record(drawn: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The resources with every value field set from ``drawn``, and the raw literals to put in."""
    raws: dict[str, str] = {}

    def put(field: str) -> Any:
        value = drawn[field]
        if isinstance(value, tuple):
            key = RAW.format(len(raws))
            raws[json.dumps(key)] = value[1]
            return key
        return value

    lab = fx.lab("hb", "hemoglobin", 1.0, "g/dL", when="2024-04-22T08:00:00Z")
    lab["valueQuantity"]["value"] = put("hemoglobin")
    creatinine = fx.lab("cr", "creatinine", 1.0, "mg/dL", low=0.5, high=1.1, when="2024-04-22T08:00:00Z")
    creatinine["valueQuantity"]["value"] = put("creatinine")
    creatinine["referenceRange"][0]["high"]["value"] = put("range_high")
    procedure = fx.procedure("c1", "2024-03-04", patient=P1)
    procedure["extension"][0]["valueQuantity"]["value"] = put("procedure_activity")
    administration = fx.medication_administration("ma1", "2024-01-08T09:30:00Z")
    administration["dosage"]["dose"]["value"] = put("ma_activity")
    weight = fx.body_weight("wt", 1.0, "kg", when="2024-04-22T08:00:00Z")
    weight["valueQuantity"]["value"] = put("weight")
    height = fx.body_height("ht", 1.0, "cm", when="2024-04-22T08:00:00Z")
    height["valueQuantity"]["value"] = put("height")
    ecog = fx.ecog("ecog", 1, when="2024-04-22T08:00:00Z")
    ecog["valueInteger"] = put("ecog")
    karnofsky = fx.karnofsky("kps", 80, when="2024-04-22T08:00:00Z")
    karnofsky["valueInteger"] = put("karnofsky")
    lesion = fx.lesion("l1", 20.0, "mm", focus="BodyStructure/l1", role="target", when="2024-01-02T08:00:00Z")
    size = next(c for c in lesion["component"] if "valueQuantity" in c)
    size["valueQuantity"]["value"] = put("lesion")
    resources = [fx.patient(), procedure, administration, lab, creatinine, weight, height, ecog, karnofsky, lesion]
    return resources, raws


def _write(resources: list[dict[str, Any]], raws: dict[str, str], folder: Path) -> Path:
    text = json.dumps(fx.bundle(resources))  # NaN / Infinity are written as such: the file reader reads them
    for key, literal in raws.items():
        text = text.replace(key, literal)
    path = folder / "record.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_record_is_valid_with_ordinary_values() -> None:
    """The control: with ordinary numbers every field is read, no issue at all."""
    drawn = {field: 1.0 for field in FIELDS} | {"ecog": 1, "karnofsky": 80, "weight": 70.0, "height": 170.0,
                                                   "hemoglobin": 12.0, "lesion": 20.0, "procedure_activity": 7.4,
                                                   "ma_activity": 7.4, "range_high": 1.1}
    resources, raws = _record(drawn)
    with tempfile.TemporaryDirectory() as folder:
        result = CliRunner().invoke(app, ["evaluate", str(_write(resources, raws, Path(folder)))])
    assert result.exit_code == 0, result.output
    [patient] = json.loads(result.stdout)["patients"]
    assert patient["issues"] == []
    assert {c["activity_gbq"] for c in patient["cycles"]} == {7.4}


@settings(max_examples=100, derandomize=True, database=None, deadline=None, print_blob=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.fixed_dictionaries({field: values for field in FIELDS}))
def test_no_value_makes_evaluate_fail(drawn: dict[str, Any]) -> None:
    resources, raws = _record(drawn)
    with tempfile.TemporaryDirectory() as folder:
        path = _write(resources, raws, Path(folder))
        for output in ("json", "text"):
            result = CliRunner().invoke(app, ["evaluate", str(path), "--format", output])
            assert result.exit_code in (0, 1), (result.exit_code, result.output[-2000:])
            assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
            assert "Traceback" not in result.output
            if output == "json" and result.exit_code == 0:
                document = json.loads(result.stdout)
                [patient] = document["patients"]
                for toxicity in patient["toxicities"]:  # nothing impossible is ever graded
                    if toxicity["grade"] is not None:
                        assert 0 < toxicity["value_canonical"] < 1e6, toxicity
