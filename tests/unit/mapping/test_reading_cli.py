"""`prrt-cds evaluate` on files: exit codes for unreadable input (docs/outputs.md) and the JSON shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import factories as fx
import pytest
from typer.testing import CliRunner

from cds.cli import app

CONTRACT_KEYS = {"ruleset_version", "patients", "issues"}
PATIENT_KEYS = {"patient", "cycles", "toxicities", "responses", "best_overall_response", "alerts", "issues"}


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["evaluate", *args])


def good_bundle(path: Path) -> Path:
    resources = [
        fx.patient(),
        fx.procedure("c1", "2024-01-08"),
        fx.procedure("c2", "2024-03-04", activity=200, activity_unit="mCi"),
        fx.lab("o1", "platelets", 70, "10*3/uL", low=150, high=400, when="2024-02-05"),
    ]
    path.write_text(json.dumps(fx.bundle(resources)), encoding="utf-8")
    return path


def test_evaluate_prints_the_contract_json(tmp_path: Path) -> None:
    result = run(str(good_bundle(tmp_path / "b.json")))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) >= CONTRACT_KEYS
    [patient] = document["patients"]
    assert set(patient) >= PATIENT_KEYS
    assert patient["patient"] == "Patient/p1"
    assert patient["cycles"] == [
        {"number": 1, "date": "2024-01-08", "activity_gbq": 7.4, "sources": ["Procedure/c1"]},
        {"number": 2, "date": "2024-03-04", "activity_gbq": pytest.approx(7.4), "sources": ["Procedure/c2"]},
    ]
    assert patient["issues"] == [] and document["issues"] == []


def test_missing_path_exits_1(tmp_path: Path) -> None:
    result = run(str(good_bundle(tmp_path / "b.json")), str(tmp_path / "missing.json"))
    assert result.exit_code == 1
    assert "no such file or directory" in result.stderr
    assert result.stdout == ""


def test_sole_file_that_is_not_json_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("<Bundle/>", encoding="utf-8")
    assert run(str(bad)).exit_code == 1


def test_mix_of_good_and_non_json_files_exits_0_with_an_issue(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("this is not JSON", encoding="utf-8")
    result = run(str(bad), str(good_bundle(tmp_path / "good.json")))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["issues"] == [
        {"severity": "error", "resource": str(bad), "message": "not JSON (line 1, column 1)"}
    ]
    assert [p["patient"] for p in document["patients"]] == ["Patient/p1"]


def test_directory_with_a_non_json_file_exits_0(tmp_path: Path) -> None:
    (tmp_path / "bad.ndjson").write_text("{oops\n", encoding="utf-8")
    good_bundle(tmp_path / "good.json")
    result = run(str(tmp_path))
    assert result.exit_code == 0
    assert [i["resource"] for i in json.loads(result.stdout)["issues"]] == [f"{tmp_path / 'bad.ndjson'}:1"]


def test_text_format(tmp_path: Path) -> None:
    result = run(str(good_bundle(tmp_path / "b.json")), "--format", "text")
    assert result.exit_code == 0
    assert "Patient/p1" in result.stdout and "2024-03-04" in result.stdout
    assert not result.stdout.lstrip().startswith("{")


def test_bad_as_of_is_a_usage_error(tmp_path: Path) -> None:
    assert run(str(good_bundle(tmp_path / "b.json")), "--as-of", "tomorrow").exit_code == 2
