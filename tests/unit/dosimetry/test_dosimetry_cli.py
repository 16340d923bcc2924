"""`prrt-cds evaluate` fills ``kidney_dosimetry`` with every key of the contract (docs/outputs.md) and
shows it in the text output."""

from __future__ import annotations

import json
from pathlib import Path

import factories as fx
from typer.testing import CliRunner

from cds.cli import app

CONTRACT_KEYS = {"cycles", "cumulative_absorbed_gy", "cumulative_bed_gy", "limits", "parameters", "next"}
CYCLE_KEYS = {"cycle", "absorbed_gy", "bed_gy", "gy_per_gbq", "t_eff_h", "observation"}
NEXT_KEYS = {"planned_activity_gbq", "projected_absorbed_gy", "projected_cumulative_bed_gy", "max_activity_gbq",
             "binding_limit"}


def _bundle(tmp_path: Path) -> Path:
    resources = [
        fx.patient(), fx.condition("c1", fx.HYPERTENSION),
        fx.procedure("x1", "2024-01-08"), fx.procedure("x2", "2024-03-04"),
        fx.dosimetry("d1", 4000, "mGy", half_life=50, part_of="Procedure/x1", when="2024-01-12T08:00:00Z"),
        fx.dosimetry("d2", 4, half_life=50, part_of="Procedure/x2", when="2024-03-08T08:00:00Z"),
    ]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(fx.bundle(resources)), encoding="utf-8")
    return path


def test_evaluate_json_has_the_contract_of_kidney_dosimetry(tmp_path: Path) -> None:
    """The contract's example: 4 Gy per cycle at T_eff 50 h is BED 4.33; two cycles 8 Gy / 8.65 Gy; a
    third at 7.4 GBq (4 / 7.4 Gy/GBq) gives 12 Gy and 12.98 Gy, within 28 and 23 Gy."""
    result = CliRunner().invoke(app, ["evaluate", str(_bundle(tmp_path))])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert "+dosimetry-" in document["ruleset_version"]
    [patient] = document["patients"]
    dosimetry = patient["kidney_dosimetry"]
    assert set(dosimetry) >= CONTRACT_KEYS and set(dosimetry["next"]) >= NEXT_KEYS
    assert all(set(cycle) >= CYCLE_KEYS for cycle in dosimetry["cycles"])
    assert [(c["absorbed_gy"], c["bed_gy"], c["t_eff_h"]) for c in dosimetry["cycles"]] == [(4.0, 4.33, 50.0)] * 2
    assert (dosimetry["cumulative_absorbed_gy"], dosimetry["cumulative_bed_gy"]) == (8.0, 8.65)
    assert {k: dosimetry["limits"][k] for k in ("bed_gy", "absorbed_gy", "why")} == {
        "bed_gy": 28.0, "absorbed_gy": 23.0, "why": "hypertension (Condition/c1)"}
    parameters = dosimetry["parameters"]
    assert (parameters["alpha_beta_gy"], parameters["t_rep_h"]) == (2.6, 2.8) and parameters["source"]
    assert {k: dosimetry["next"][k] for k in NEXT_KEYS} == {
        "planned_activity_gbq": 7.4, "projected_absorbed_gy": 12.0, "projected_cumulative_bed_gy": 12.98,
        "max_activity_gbq": 7.4, "binding_limit": None}


def test_evaluate_text_shows_the_kidney_dosimetry(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(_bundle(tmp_path)), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "  kidney dosimetry (alpha/beta 2.6 Gy, T_rep 2.8 h):" in result.stdout
    assert "    cumulative: 8 Gy absorbed, BED 8.65 Gy; limits BED 28 Gy, absorbed 23 Gy (hypertension" in result.stdout
    assert "    largest next activity within the limits: 7.4 GBq (the planned activity fits)" in result.stdout
