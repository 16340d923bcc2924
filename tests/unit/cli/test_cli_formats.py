"""``prrt-cds evaluate --format json|ndjson|text`` (docs/outputs.md): the json document is byte for byte
what ``json.dump(document, indent=2)`` wrote; ndjson is one line per patient, then one line of what
belongs to no patient."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import factories as fx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cds.cli import app
from cds.document import to_document, to_text
from cds.evaluation import evaluate_collected
from cds.jsonio import dumps_indented, dumps_line
from cds.reading import read_paths

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "prrt_patient.json"
SYNTHEA = ROOT / "tests" / "data" / "synthea"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def old_json(paths: list[Path]) -> str:
    """What evaluate printed before it streamed: the whole document through json.dump(indent=2)."""
    return json.dumps(to_document(evaluate_collected(read_paths(paths))), indent=2) + "\n"


@pytest.mark.parametrize("path", [EXAMPLE, SYNTHEA], ids=["example", "synthea"])
def test_json_is_byte_identical_to_json_dump(path: Path) -> None:
    result = run("evaluate", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == old_json([path])


def test_json_of_non_ascii_text_and_exponent_floats_is_as_json_dump(tmp_path: Path) -> None:
    patient = fx.patient("p1")
    patient["id"] = "pé😀"
    lab = fx.lab("o1", "platelets", 0.00007, "10*3/uL", low=150, high=400)  # 7e-05: json's exponent form
    lab["subject"] = {"reference": "Patient/pé😀"}
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(fx.bundle([patient, fx.procedure("c1", "2024-01-08"), lab]), ensure_ascii=False),
                    encoding="utf-8")
    result = run("evaluate", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == old_json([path])
    assert "\\u00e9" in result.stdout


@pytest.mark.parametrize("value", [
    "é", "😀", "\x7f", "\x00\n\t\"\\", "\ud800", 0.1, 1e-05, 7e-05, 1e16, 1e22, 123456.789, -0.0, 5e-324,
    [], {}, {"a": [1, {"b": []}]}, True, None, 2**62,
])
def test_the_fast_encoder_writes_what_json_writes(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2).encode()
    assert dumps_line(value) == json.dumps(value, separators=(",", ":")).encode()


_FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-05, -7e-05, 0.0001, 0.00012, 1e16, -1e22, 9999999999999998.0, 2.5e-300]),
)
_TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["x 10e9 /L", " 1e-05", "a:1e5", "  7e-05", "é 0.00001"]))
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), _FLOATS, _TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_the_fast_encoder_writes_what_json_writes_of_any_value(value: Any) -> None:
    """Numbers in exponent form or below 1e-4 at any depth, in arrays or objects, and text that looks like
    them: the bytes are json's, whichever encoder wrote them."""
    assert dumps_indented(value) == json.dumps(value, indent=2).encode()
    assert dumps_line(value) == json.dumps(value, separators=(",", ":")).encode()


def test_ndjson_is_a_line_per_patient_then_what_belongs_to_no_patient(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ndjson"
    bad.write_text("not json\n", encoding="utf-8")
    result = run("evaluate", str(SYNTHEA), str(bad), "--format", "ndjson")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    document = to_document(evaluate_collected(read_paths([SYNTHEA, bad])))
    *patients, last = lines
    assert patients == document["patients"]
    assert len(patients) == 5
    assert last == {
        "ruleset_version": document["ruleset_version"],
        "patients": 5,
        "files_read": 6,
        "issues": [{"severity": "error", "resource": f"{bad}:1", "message": "not JSON"}],
    }


def test_text_is_as_before() -> None:
    result = run("evaluate", str(EXAMPLE), "--format", "text")
    assert result.exit_code == 0, result.output
    assert result.stdout == to_text(evaluate_collected(read_paths([EXAMPLE])))


@pytest.mark.parametrize("output_format", ["json", "ndjson", "text"])
def test_input_of_only_unreadable_files_is_exit_1_in_every_format(tmp_path: Path, output_format: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Patient", "id": "p1"', encoding="utf-8")
    result = run("evaluate", str(bad), "--format", output_format)
    assert result.exit_code == 1


def test_the_fast_encoder_needs_no_fallback_on_a_real_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Criteria such as "75.0 x 10e9 /L" are text, not numbers in exponent form: orjson writes the
    document itself (json, the fallback, would be several times slower)."""
    from cds import jsonio

    document = to_document(evaluate_collected(read_paths([EXAMPLE])))
    expected = json.dumps(document["patients"][0], indent=2).encode()
    assert b"10e9" in expected

    def no_fallback(*_: Any, **__: Any) -> str:
        raise AssertionError("fell back to json")

    monkeypatch.setattr(jsonio.json, "dumps", no_fallback)
    assert dumps_indented(document["patients"][0]) == expected
    dumps_line(document["patients"][0])


@pytest.mark.parametrize("breaker", ["\n", "\r", "\u2028", "\x85", "\x1b[2K\r"])
def test_a_value_from_the_input_never_starts_a_line_of_the_text_output(tmp_path: Path, breaker: str) -> None:
    """A Patient id carrying a line break and a line of its own. Before: `--format text` printed that line
    as it came, so "  cycle 9  (due 2024-05-01): proceed at 7.4 GBq" read as a recommendation of prrt-cds."""
    forged = f"x{breaker}  cycle 9  (due 2024-05-01): proceed at 7.4 GBq"
    patient = fx.patient("p1")
    patient["id"] = forged
    procedure = fx.procedure("c1", "2024-01-08", patient=f"Patient/{forged}")
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(fx.bundle([patient, procedure])), encoding="utf-8")
    result = run("evaluate", str(path), "--format", "text", "--as-of", "2024-03-04")
    assert result.exit_code == 0, result.output
    lines = result.stdout.split("\n")
    assert not any(line.lstrip().startswith("cycle 9") for line in lines), result.stdout
    assert not any(sep in result.stdout for sep in ("\r", "\u2028", "\x85", "\x1b"))
    assert "proceed at 7.4 GBq" in result.stdout  # shown, escaped, inside the reference's own line


def test_as_of_before_recorded_cycles_names_them_in_every_format() -> None:
    """The example's cycles 3 (2024-04-29) and 4 (2024-06-24) lie after --as-of 2024-03-10: still counted as
    given, and named as issues. Before, text and JSON listed them as given without a word."""
    text = run("evaluate", str(EXAMPLE), "--as-of", "2024-03-10", "--format", "text")
    assert text.exit_code == 0, text.output
    assert ("  [warning] Procedure/proc-c4: cycle 4 administered on 2024-06-24, after the day decided on "
            "(2024-03-10): counted as given; verify its date") in text.stdout.splitlines()
    document = json.loads(run("evaluate", str(EXAMPLE), "--as-of", "2024-03-10").stdout)
    [patient] = document["patients"]
    assert [c["number"] for c in patient["cycles"]] == [1, 2, 3, 4]
    assert [(i["severity"], i["resource"]) for i in patient["issues"]
            if "after the day decided on (2024-03-10)" in i["message"]] == [
        ("warning", "Procedure/proc-c3"), ("warning", "Procedure/proc-c4")]
    on_the_day = json.loads(run("evaluate", str(EXAMPLE), "--as-of", "2024-06-24").stdout)
    assert not any("after the day decided on" in i["message"] for i in on_the_day["patients"][0]["issues"])
