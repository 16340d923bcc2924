"""The command line says what went wrong (docs/outputs.md, "Exit codes"): input with no FHIR resource is
exit 1 with "no FHIR resources found in ...", an empty file says "empty file", usage errors (exit 2)
name their option and list what exists, and the demo's cohort size is bounded before anything is
written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import factories as fx
import pytest
from typer.testing import CliRunner

from cds.cli import app
from cds.demo import command as demo_command
from cds.demo.command import DEFAULT_MAX_PATIENTS, estimated_bytes
from cds.report import collect as collect_module

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "prrt_patient.json"


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env)


def a_bundle(path: Path) -> Path:
    path.write_text(json.dumps(fx.bundle([fx.patient(), fx.procedure("c1", "2024-01-08")])), encoding="utf-8")
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    empty_dir = tmp_path / "empty-dir"
    empty_dir.mkdir()
    only_text = tmp_path / "only-text"
    only_text.mkdir()
    (only_text / "notes.txt").write_text("not read: no FHIR suffix", encoding="utf-8")
    not_fhir = tmp_path / "not-fhir"
    not_fhir.mkdir()
    (not_fhir / "a.json").write_text(json.dumps({"hello": "world"}), encoding="utf-8")
    (not_fhir / "b.ndjson").write_text('{"x": 1}\n[1, 2]\n', encoding="utf-8")
    empty_file = tmp_path / "empty.json"
    empty_file.write_bytes(b"")
    return {"empty-dir": empty_dir, "only-text": only_text, "not-fhir": not_fhir, "empty-file": empty_file}


@pytest.mark.parametrize("command", ["evaluate", "report"])
@pytest.mark.parametrize("kind", ["empty-dir", "only-text", "not-fhir", "empty-file"])
def test_input_without_fhir_resources_is_exit_1_and_says_so(
    command: str, kind: str, inputs: dict[str, Path], tmp_path: Path
) -> None:
    path = inputs[kind]
    extra = ["--out", str(tmp_path / "out")] if command == "report" else []
    result = run(command, str(path), *extra)
    assert result.exit_code == 1, result.output
    assert f"prrt-cds: no FHIR resources found in {path}" in result.stderr
    assert result.stdout == ""  # no empty document that would read as "all is well"
    assert not (tmp_path / "out").exists()


def test_an_empty_folder_says_which_files_were_looked_for(inputs: dict[str, Path]) -> None:
    result = run("evaluate", str(inputs["empty-dir"]))
    assert "(no .json, .ndjson or .jsonl file)" in result.stderr


@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_an_empty_file_says_empty_file(command: str, inputs: dict[str, Path], tmp_path: Path) -> None:
    path = inputs["empty-file"]
    extra = ["--out", str(tmp_path / "out")] if command == "report" else []
    result = run(command, str(path), *extra)
    assert result.exit_code == 1
    assert f"prrt-cds: {path}: empty file" in result.stderr


def test_non_fhir_json_is_named_on_stderr(inputs: dict[str, Path]) -> None:
    result = run("evaluate", str(inputs["not-fhir"]))
    assert f"prrt-cds: {inputs['not-fhir'] / 'a.json'}: not a FHIR resource" in result.stderr


def test_an_empty_file_beside_a_good_one_is_an_issue_and_the_rest_is_evaluated(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    result = run("evaluate", str(inputs["empty-file"]), str(a_bundle(tmp_path / "good.json")))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["issues"] == [{"severity": "error", "resource": str(inputs["empty-file"]),
                                   "message": "empty file"}]
    assert [p["patient"] for p in document["patients"]] == ["Patient/p1"]


@pytest.mark.parametrize("out", ["existing-file", "below-a-file"])
def test_report_out_naming_a_file_is_a_usage_error(out: str, tmp_path: Path) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me", encoding="utf-8")
    target = existing if out == "existing-file" else existing / "report"
    result = run("report", str(a_bundle(tmp_path / "b.json")), "--out", str(target))
    assert result.exit_code == 2, result.output
    assert "--out" in result.stderr and str(existing) in result.stderr
    assert "Traceback" not in result.output
    assert existing.read_text(encoding="utf-8") == "keep me"


def test_demo_out_naming_a_file_is_a_usage_error(tmp_path: Path) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me", encoding="utf-8")
    result = run("demo", "--out", str(existing))
    assert result.exit_code == 2 and "--out" in result.stderr


def test_a_bad_date_names_its_option(tmp_path: Path) -> None:
    bundle = str(a_bundle(tmp_path / "b.json"))
    evaluate = run("evaluate", bundle, "--as-of", "2024-13-01")
    assert evaluate.exit_code == 2 and "--as-of" in evaluate.stderr
    assert "expected a date YYYY-MM-DD" in evaluate.stderr
    report = run("report", bundle, "--out", str(tmp_path / "o"), "--data-cutoff", "soon")
    assert report.exit_code == 2 and "--data-cutoff" in report.stderr


@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_an_unknown_ctcae_version_lists_the_versions_there_are(command: str, tmp_path: Path) -> None:
    extra = ["--out", str(tmp_path / "o")] if command == "report" else []
    result = run(command, str(a_bundle(tmp_path / "b.json")), "--ctcae-version", "4.03", *extra)
    assert result.exit_code == 2
    message = " ".join(result.stderr.replace("│", " ").split())  # rich wraps the box's lines
    assert "--ctcae-version" in message
    assert "no CTCAE table for version '4.03'; available: 5.0" in message


def test_demo_patients_over_the_maximum_is_a_usage_error_before_anything_is_written(tmp_path: Path) -> None:
    result = run("demo", "--out", str(tmp_path / "demo"), "--patients", "99999999999999999999999")
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.replace("│", " ").split())
    assert f"at most {DEFAULT_MAX_PATIENTS} patients (--max-patients)" in message
    assert not (tmp_path / "demo").exists()


def test_the_maximum_is_a_setting(tmp_path: Path) -> None:
    by_option = run("demo", "--out", str(tmp_path / "a"), "--patients", "20", "--max-patients", "19")
    by_env = run("demo", "--out", str(tmp_path / "b"), "--patients", "20", env={"PRRT_CDS_DEMO_MAX_PATIENTS": "19"})
    for result in (by_option, by_env):
        assert result.exit_code == 2
        assert "at most 19 patients" in result.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_demo_larger_than_the_free_space_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_command, "_free_bytes", lambda _: estimated_bytes(1000) - 1)
    result = run("demo", "--out", str(tmp_path / "demo"), "--patients", "1000")
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "1000 patients need about" in message and "free" in message
    assert not (tmp_path / "demo").exists()


def test_the_size_estimate_covers_what_the_demo_writes(tmp_path: Path) -> None:
    from cds.demo import write_cohort

    folder = write_cohort(tmp_path / "fhir", 40, 3, jobs=1)
    written = sum(p.stat().st_size for p in folder.glob("*.json"))
    assert written < estimated_bytes(40) - 16 * 1024 * 1024  # the Bundles alone fit the per-patient share


@pytest.mark.parametrize("day", ["0001-01-02", "9999-12-20", "1899-12-31"])
@pytest.mark.parametrize(("command", "option"), [("evaluate", "--as-of"), ("report", "--data-cutoff")])
def test_a_date_option_outside_the_plausible_window_is_a_usage_error(tmp_path: Path, command: str, option: str,
                                                                      day: str) -> None:
    args = [command, str(EXAMPLE), option, day]
    if command == "report":
        args += ["--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "expected a date from 1900-01-01 to" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_date_option_inside_the_window_is_taken() -> None:
    result = CliRunner().invoke(app, ["evaluate", str(EXAMPLE), "--as-of", "1900-01-01", "--format", "text"])
    assert result.exit_code == 0, result.output


def _no_subject_lab() -> dict[str, Any]:
    lab = fx.lab("o1", "platelets", 70, "10*3/uL")
    del lab["subject"]
    return lab


@pytest.mark.parametrize("output_format", ["json", "ndjson", "text"])
@pytest.mark.parametrize("kind", ["only-a-medication", "no-subject", "no-subject-and-a-bad-line"])
def test_fhir_resources_that_make_no_patient_are_exit_1_without_a_document(
    tmp_path: Path, kind: str, output_format: str
) -> None:
    """Before, a Medication alone printed `{"patients": [], "issues": []}` with exit 0 (all is well), and a
    result without a subject beside an unreadable line printed its document with exit 1 and nothing on
    stderr: the same input told otherwise by an unrelated bad line."""
    path = tmp_path / "in.ndjson"
    lines = {"only-a-medication": [json.dumps(fx.medication("m1"))],
             "no-subject": [json.dumps(_no_subject_lab())],
             "no-subject-and-a-bad-line": [json.dumps(_no_subject_lab()), "{bad"]}[kind]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("evaluate", str(path), "--format", output_format)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (f"prrt-cds: no patient to evaluate in {path}: 1 FHIR resource read, "
                                             "none of them a Patient or a record of one that prrt-cds uses")
    if kind != "only-a-medication":
        assert "prrt-cds: Observation/o1: no subject Patient reference" in result.stderr
    if kind == "no-subject-and-a-bad-line":
        assert f"prrt-cds: {path}:2: not JSON" in result.stderr


NO_PATIENT_SUBJECTS = ["Group/g1", "Device/d1", None, "urn:uuid:0b1c2d3e-0000-4000-8000-000000000000"]


def _no_patient_input(tmp_path: Path, kind: str) -> Path:
    """FHIR resources of which none makes a patient: a Bundle of a Medication, or a bulk export directory of
    Observation.ndjson whose subjects name no Patient (a Group, a Device, none, a urn:uuid defined nowhere)."""
    if kind == "a-bundle-of-a-medication":
        path = tmp_path / "medication.json"
        path.write_text(json.dumps(fx.bundle([fx.medication("m1")])), encoding="utf-8")
        return path
    export = tmp_path / "export"
    export.mkdir()
    lines = [json.dumps(fx.lab(f"o{number}", "platelets", 70, "10*3/uL", patient=subject))
             for number, subject in enumerate(NO_PATIENT_SUBJECTS)]
    (export / "Observation.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return export


@pytest.mark.parametrize("kind", ["a-bundle-of-a-medication", "an-export-of-observations-of-no-patient"])
def test_report_of_fhir_resources_that_make_no_patient_is_exit_1_without_a_report(tmp_path: Path, kind: str) -> None:
    """As evaluate. Before, report wrote a cohort report of 0 patients with exit 0: a report of nobody that
    reads as all is well."""
    path = _no_patient_input(tmp_path, kind)
    resources = 1 if kind == "a-bundle-of-a-medication" else len(NO_PATIENT_SUBJECTS)
    result = run("report", str(path), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""  # no report file is named: none was written
    assert result.stderr.splitlines()[-1] == (
        f"prrt-cds: no patient to evaluate in {path}: {resources} FHIR resource{'' if resources == 1 else 's'} read, "
        "none of them a Patient or a record of one that prrt-cds uses")
    if kind != "a-bundle-of-a-medication":
        assert "prrt-cds: Observation/o0: no subject Patient reference" in result.stderr
    assert not (tmp_path / "out").exists()
    assert result.stderr.splitlines()[-1] == run("evaluate", str(path)).stderr.splitlines()[-1]


@pytest.mark.parametrize("kind", ["bundles-of-a-medication", "an-export-of-patients-that-fail-validation"])
def test_report_of_no_patient_in_worker_processes_is_exit_1_without_a_report(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two paths of --jobs: Bundles spread over workers, and an NDJSON partition whose patient keys (four
    Patients, each failing validation) are mapped by workers into no record."""
    path = tmp_path / "in"
    path.mkdir()
    if kind == "bundles-of-a-medication":
        for number in range(4):
            (path / f"b{number}.json").write_text(json.dumps(fx.bundle([fx.medication(f"m{number}")])),
                                                  encoding="utf-8")
        spied = "_parallel"
    else:
        lines = [json.dumps({"resourceType": "Patient", "id": f"p{number}", "birthDate": "19x0"})
                 for number in range(4)]
        (path / "Patient.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
        spied = "_parallel_partition"
    monkeypatch.setattr(collect_module, "PARALLEL_MIN_BYTES", 0)
    calls: list[int] = []
    real = getattr(collect_module, spied)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(collect_module, spied, spy)
    result = run("report", str(path), "--out", str(tmp_path / "out"), "--jobs", "2")
    assert calls, "the parallel path was not taken"
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[-1] == (f"prrt-cds: no patient to evaluate in {path}: 4 FHIR resources read, "
                                             "none of them a Patient or a record of one that prrt-cds uses")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("output_format", ["json", "ndjson", "text"])
def test_one_patient_beside_resources_of_none_is_evaluated_with_exit_0(tmp_path: Path, output_format: str) -> None:
    path = tmp_path / "in.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in [_no_subject_lab(), fx.patient("p1"), fx.medication("m1")])
                    + "\n{bad\n", encoding="utf-8")
    result = run("evaluate", str(path), "--format", output_format)
    assert result.exit_code == 0, result.output
    assert "Patient/p1" in result.stdout and "no subject Patient reference" in result.stdout
