"""`prrt-cds evaluate` puts ``protocol_checks`` on the alert of the next cycle due, in JSON and in text
(docs/outputs.md)."""

from __future__ import annotations

import json
from pathlib import Path

import factories as fx
import hooks_support as hs
from typer.testing import CliRunner

from cds.cli import app

CONTRACT_KEYS = {"check", "status", "text", "rule", "evidence"}


def _record(tmp_path: Path) -> Path:
    resources = [
        fx.patient(birth_date="1990-06-01"), fx.procedure("c1", "2024-01-08"), fx.procedure("c2", "2024-03-04"),
        fx.medication_record("lar", "MedicationAdministration", "octreotide LAR 30 mg", "2024-04-10"),
        fx.pregnancy_observation("hcg", fx.URINE_HCG, fx.NEGATIVE, when="2024-04-28T08:00:00Z"),
        fx.lab("k", "potassium", 5.4, "mmol/L", loinc="2823-3", low=3.5, high=5.0, when="2024-04-22T08:00:00Z"),
    ]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(fx.bundle(resources)), encoding="utf-8")
    return path


def test_evaluate_json_has_the_protocol_checks_on_the_next_cycle_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(_record(tmp_path)), "--as-of", "2024-04-29"])
    assert result.exit_code == 0, result.output
    [patient] = json.loads(result.stdout)["patients"]
    given = [a for a in patient["alerts"] if a["given"]]
    [upcoming] = [a for a in patient["alerts"] if not a["given"]]
    assert all("protocol_checks" not in a for a in given)
    checks = {c["check"]: c for c in upcoming["protocol_checks"]}
    assert list(checks) == ["ssa-long-acting", "ssa-short-acting", "pregnancy", "amino-acids", "potassium"]
    assert all(set(c) >= CONTRACT_KEYS and c["source"] and c["verification"] for c in checks.values())
    assert {k: (c["status"], c["rule"]) for k, c in checks.items()} == {
        "ssa-long-acting": ("warning", "protocol.ssa_long_acting.too_recent"),
        "ssa-short-acting": ("unknown", "protocol.ssa_short_acting.none"),
        "pregnancy": ("ok", "protocol.pregnancy.not_pregnant"),
        "amino-acids": ("unknown", "protocol.amino_acids.none"),
        "potassium": ("warning", "protocol.potassium.high"),
    }
    assert checks["ssa-long-acting"]["evidence"] == ["MedicationAdministration/lar"]
    assert checks["ssa-long-acting"]["text"].startswith("long-acting somatostatin analogue on 2024-04-10, 19 days")
    assert checks["potassium"]["evidence"] == ["Observation/k"]


def test_evaluate_text_lists_the_protocol_checks(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(_record(tmp_path)), "--as-of", "2024-04-29", "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "  protocol checks before cycle 3 (2024-04-29):" in result.stdout
    assert "    warning ssa-long-acting: long-acting somatostatin analogue on 2024-04-10" in result.stdout
    assert "[protocol.potassium.high]" in result.stdout


def _pregnant(tmp_path: Path) -> tuple[Path, str]:
    """Cycle 3 due with normal labs (the laboratory rules: proceed at 7.4 GBq) and a positive hCG."""
    resources, as_of = hs.scenario("proceed", "p1")
    resources.append(fx.pregnancy_observation("hcg", fx.URINE_HCG, fx.POSITIVE, patient="Patient/p1",
                                              when="2024-04-26T08:00:00Z"))
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(fx.bundle(resources)), encoding="utf-8")
    return path, as_of


def test_a_check_that_stops_the_cycle_withholds_the_next_alert_in_json(tmp_path: Path) -> None:
    path, as_of = _pregnant(tmp_path)
    result = CliRunner().invoke(app, ["evaluate", str(path), "--as-of", as_of])
    assert result.exit_code == 0, result.output
    [patient] = json.loads(result.stdout)["patients"]
    [upcoming] = [a for a in patient["alerts"] if not a["given"]]
    assert (upcoming["action"], upcoming["indicator"], upcoming["recommended_activity_gbq"]) == (
        "withhold", "critical", None)  # never "proceed" beside a positive pregnancy test
    assert upcoming["laboratory_action"] == "proceed"
    assert upcoming["reasons"][0]["rule"] == "protocol.pregnancy.pregnant"
    assert upcoming["reasons"][0]["observations"] == ["Observation/hcg"]
    assert [r["rule"] for r in upcoming["reasons"][1:]] == ["lutathera.proceed"]
    assert all("laboratory_action" not in a for a in patient["alerts"] if a["given"])


def test_a_check_that_stops_the_cycle_withholds_the_next_alert_in_text(tmp_path: Path) -> None:
    path, as_of = _pregnant(tmp_path)
    result = CliRunner().invoke(app, ["evaluate", str(path), "--as-of", as_of, "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "  cycle 3 (due 2024-04-29): withhold (laboratory rules: proceed)" in result.stdout


def test_without_a_stopping_check_the_alert_has_no_laboratory_action(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("proceed", "p2")
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(fx.bundle(resources)), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(path), "--as-of", as_of])
    [patient] = json.loads(result.stdout)["patients"]
    [upcoming] = [a for a in patient["alerts"] if not a["given"]]
    assert upcoming["action"] == "proceed" and "laboratory_action" not in upcoming
