"""`prrt-cds evaluate` fills ``responses`` and ``best_overall_response`` (docs/outputs.md)."""

from __future__ import annotations

import json
from pathlib import Path

import factories as fx
from typer.testing import CliRunner

from cds.cli import app

CONTRACT_RESPONSE_KEYS = {"date", "target", "non_target", "new_lesions", "overall", "sum_mm",
                          "change_from_baseline_pct", "change_from_nadir_pct", "source"}


def _when(day: str) -> str:
    return f"{day}T08:00:00Z"


def test_evaluate_reports_recist_responses_with_their_numbers(tmp_path: Path) -> None:
    resources = [
        fx.patient(), fx.procedure("c1", "2024-01-08"),
        fx.lesion("b1", 4.0, "cm", focus="BodyStructure/L1", when=_when("2024-01-02")),
        fx.lesion("b2", 23, focus="BodyStructure/L2", when=_when("2024-01-02")),
        fx.non_target_status("b3", "present", "BodyStructure/B1", when=_when("2024-01-02")),
        fx.lesion("f1", 26, focus="BodyStructure/L1", when=_when("2024-04-02")),
        fx.lesion("f2", 15, focus="BodyStructure/L2", when=_when("2024-04-02")),
        fx.non_target_status("f3", "present", "BodyStructure/B1", when=_when("2024-04-02")),
        fx.timepoint_response("r1", "PR", when=_when("2024-05-07")),
    ]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(fx.bundle(resources)), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert "+recist-1.1+" in document["ruleset_version"]
    [patient] = document["patients"]
    measured, reported = patient["responses"]
    assert set(measured) >= CONTRACT_RESPONSE_KEYS
    assert {k: measured[k] for k in CONTRACT_RESPONSE_KEYS} == {
        "date": "2024-04-02", "target": "PR", "non_target": "non-CR/non-PD", "new_lesions": False,
        "overall": "PR", "sum_mm": 41.0, "change_from_baseline_pct": -34.9206349206,
        "change_from_nadir_pct": -34.9206349206, "source": "measured",
    }
    assert (reported["date"], reported["overall"], reported["source"]) == ("2024-05-07", "PR", "investigator")
    assert patient["best_overall_response"] == {
        "unconfirmed": "PR", "confirmed": "PR", "unconfirmed_date": "2024-04-02",
        "confirmed_dates": ["2024-04-02", "2024-05-07"], "confirmation_days": 28, "sd_minimum_days": 42,
        "non_target_only": False,
    }
    assert patient["issues"] == []


def test_text_output_still_works_with_tumour_data(tmp_path: Path) -> None:
    resources = [fx.patient(), fx.procedure("c1", "2024-01-08"),
                 fx.lesion("b1", 40, focus="BodyStructure/L1", when=_when("2024-01-02"))]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(fx.bundle(resources)), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "--format", "text", str(path)])
    assert result.exit_code == 0, result.output
