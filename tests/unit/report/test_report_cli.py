"""`prrt-cds report` and `prrt-cds demo` on files, and the process-parallel evaluation of a cohort
giving exactly the serial result (also when one patient's resources are split over files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import factories as fx
import pytest
from typer.testing import CliRunner

from cds.cli import app
from cds.demo import write_cohort
from cds.report import collect as collect_module
from cds.report.collect import collect


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cohort(tmp_path_factory.mktemp("fhir"), 16, 1, jobs=1)


def test_report_writes_the_chosen_formats(cohort: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(cohort), "--out", str(tmp_path), "--format", "json",
                                      "--ci-method", "symmetric"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "report.json")
    doc = json.loads((tmp_path / "report.json").read_text())
    os_ = doc["overall_survival"]
    assert (os_["ci_method"], os_["median"], os_["ci_low"], os_["ci_high"]) == ("symmetric", 23.0, 7.9, 38.09)


@pytest.mark.parametrize(("test", "p_value", "method"), [
    ("exact", 0.07031, "exact permutation (tied differences)"),
    ("asymptotic", 0.03389, "normal approximation (tie-corrected, no continuity correction)"),
])
def test_report_performance_test(cohort: Path, tmp_path: Path, test: str, p_value: float, method: str) -> None:
    args = [] if test == "exact" else ["--performance-test", test]  # exact is the default
    result = CliRunner().invoke(app, ["report", str(cohort), "--out", str(tmp_path), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "report.json").read_text())
    ecog = doc["performance"]["ecog"]
    assert (doc["settings"]["performance_test"], ecog["p_value"], ecog["p_value_method"]) == (test, p_value, method)


def test_report_with_a_data_cutoff(cohort: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(cohort), "--out", str(tmp_path), "--format", "json",
                                      "--data-cutoff", "2000-01-01"])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["n_patients"] == 0 and doc["settings"]["data_cutoff"] == "2000-01-01"


@pytest.mark.parametrize("args", [
    ["--format", "pdf"], ["--ci-method", "wald"], ["--data-cutoff", "yesterday"], ["--ctcae-version", "9.9"],
    ["--performance-test", "spss"],
])
def test_usage_errors_exit_2(cohort: Path, tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["report", str(cohort), "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output


def test_missing_or_unreadable_input_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1


def test_demo_writes_fhir_and_the_report(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--format", "json,html"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "fhir").glob("*.json"))) == 16
    doc = json.loads((tmp_path / "report" / "report.json").read_text())
    assert doc["n_patients"] == 16 and doc["deaths"] == 3 and doc["overall_survival"]["median"] == 23.0
    assert (tmp_path / "report" / "report.html").exists() and not (tmp_path / "report" / "report.md").exists()


def test_parallel_evaluation_equals_serial_even_for_a_patient_split_over_files(
    cohort: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for source in sorted(cohort.glob("*.json")):
        (inputs / source.name).write_bytes(source.read_bytes())
    # One patient's record in two Bundles, which the chunking puts into different workers.
    (inputs / "a-split-1.json").write_text(json.dumps(fx.bundle([
        fx.patient("split", deceased_date="2024-09-01"), fx.procedure("s1", "2024-01-08", patient="Patient/split")])))
    (inputs / "z-split-2.json").write_text(json.dumps(fx.bundle([
        fx.procedure("s2", "2024-03-04", patient="Patient/split")])))
    serial = collect([inputs], jobs=1)
    monkeypatch.setattr(collect_module, "PARALLEL_MIN_BYTES", 0)
    calls: list[int] = []
    real = collect_module._parallel

    def spy(*args: Any, **kwargs: Any) -> collect_module.CohortData:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(collect_module, "_parallel", spy)
    parallel = collect([inputs], jobs=2)
    assert calls, "the parallel path was not taken"
    assert parallel.summaries == serial.summaries
    assert parallel.files_read == serial.files_read == 18
    split = next(s for s in parallel.summaries if s.patient == "Patient/split")
    assert split.n_cycles == 2 and split.death_date is not None


def test_report_activity_tolerance_is_a_setting(cohort: Path, tmp_path: Path) -> None:
    """The demo series gives three cycles at 5.55 GBq, 25% below 7.4: neither full nor reduced at the
    default ±10%, full at ±30%; a tolerance of 50% or more is refused (it would make 3.7 GBq "full")."""
    counts = {}
    for tolerance in ("10", "30"):
        out = tmp_path / tolerance
        result = CliRunner().invoke(app, ["report", str(cohort), "--out", str(out), "--format", "json",
                                          "--activity-tolerance", tolerance])
        assert result.exit_code == 0, result.output
        doc = json.loads((out / "report.json").read_text())
        modifications = doc["dose_modifications"]
        counts[tolerance] = (modifications["given_full"], modifications["given_reduced"], modifications["given_other"])
        assert doc["settings"]["activity_tolerance"] == int(tolerance) / 100
    assert counts["10"][2] > 0 and counts["30"] == (counts["10"][0] + counts["10"][2], counts["10"][1], 0)
    refused = CliRunner().invoke(app, ["report", str(cohort), "--out", str(tmp_path / "x"), "--activity-tolerance",
                                       "50"])
    assert refused.exit_code == 2 and "--activity-tolerance" in refused.output


def test_the_help_names_the_spark_extra() -> None:
    """Before: "needs prrt-cds and Java 17": rich read "[spark]" as markup and dropped it."""
    result = CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    assert "needs prrt-cds[spark] and Java 17" in result.output
