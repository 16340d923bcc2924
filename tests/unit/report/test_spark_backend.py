"""`prrt-cds report --backend spark`: the same report.json as the local backend on a bulk export (per-type
NDJSON files, shuffled, read in small pieces, a Medication in its own file, Bundles with urn:uuid
references beside them), and one line with exit 2 where Spark cannot run.

Skipped only where Java is absent (pyspark comes with the test extra, so its absence fails the test).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cds.cli import app
from cds.demo import write_cohort
from cds.report.cohort import ReportSettings
from cds.report.collect import Settings
from cds.report.pipeline import generate_report
from cds.report.spark_backend import SparkRun, collect_spark, spark_conf, spark_problem, spark_session

PRRT_MEDICATION = {
    "resourceType": "Medication", "id": "lutathera",
    "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1999682"}],
             "text": "Lutathera"},
}
BUNDLED = 3  # patients written as Bundles with urn:uuid references; the others go to NDJSON
UNREADABLE_LINE = 40  # of Observation.ndjson
NO_SUBJECT = {"resourceType": "Observation", "id": "no-subject", "status": "final",  # a platelet count
              "code": {"coding": [{"system": "http://loinc.org", "code": "777-3"}]}}


def _urn(ref: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, ref)}"


def _as_bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A collection Bundle whose entries and patient references use urn:uuid fullUrls only."""
    entries = []
    for resource in resources:
        for element in ("subject", "patient"):
            if isinstance(resource.get(element), dict):
                resource[element] = {"reference": _urn(resource[element]["reference"])}
        entries.append({"fullUrl": _urn(f"{resource['resourceType']}/{resource['id']}"), "resource": resource})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _prrt_administrations(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A MedicationAdministration of the PRRT Medication (by reference) partOf each PRRT Procedure, with
    another activity than the Procedure's: the report's activity changes only where the Medication resolves."""
    out = []
    for procedure in resources:
        if procedure["resourceType"] != "Procedure" or "performedDateTime" not in procedure:
            continue
        out.append({
            "resourceType": "MedicationAdministration", "id": f"{procedure['id']}-ma", "status": "completed",
            "medicationReference": {"reference": "Medication/lutathera"},
            "subject": dict(procedure["subject"]), "effectiveDateTime": procedure["performedDateTime"],
            "partOf": [{"reference": f"Procedure/{procedure['id']}"}],
            "dosage": {"dose": {"value": 7.0, "unit": "GBq", "system": "http://unitsofmeasure.org", "code": "GBq"}},
        })
    return out


def bulk_export(root: Path, patients: int = 16, with_medication: bool = True) -> Path:
    """The demo cohort as a bulk export: per-type NDJSON files in shuffled order (the Medication in its
    own file), a few patients as Bundles, an unreadable line, an Observation of no patient and a Patient
    that fails validation."""
    bundles = write_cohort(root / "demo", patients, 5, jobs=1)
    out = root / "export"
    out.mkdir()
    by_type: dict[str, list[dict[str, Any]]] = {}
    for number, path in enumerate(sorted(bundles.glob("*.json"))):
        resources = [entry["resource"] for entry in json.loads(path.read_text())["entry"]]
        resources += _prrt_administrations(resources)
        if number < BUNDLED:
            (out / f"bundle-{number}.json").write_text(json.dumps(_as_bundle(resources)))
            continue
        for resource in resources:
            by_type.setdefault(resource["resourceType"], []).append(resource)
    by_type["Observation"].append(dict(NO_SUBJECT))
    by_type["Patient"].append({"resourceType": "Patient", "id": "broken", "birthDate": "19x0"})
    shuffle = random.Random(11)
    for kind, resources in by_type.items():
        shuffle.shuffle(resources)
        lines = [json.dumps(r) for r in resources]
        if kind == "Observation":
            lines.insert(UNREADABLE_LINE - 1, '{"resourceType": "Observation", "id": ')
            lines.append(json.dumps({**NO_SUBJECT, "id": None}))  # after Observation/no-subject: its issue too
        (out / f"{kind}.ndjson").write_text("\n".join(lines) + "\n")
    if with_medication:
        (out / "Medication.ndjson").write_text(json.dumps(PRRT_MEDICATION) + "\n")
    return out


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bulk_export(tmp_path_factory.mktemp("bulk"))


@pytest.fixture(scope="module")
def spark(export: Path) -> Iterator[Any]:
    problem = spark_problem()
    if problem is not None and "Java" in problem:
        pytest.skip(problem)
    with spark_session(SparkRun(master="local[2]", conf={"spark.sql.shuffle.partitions": "4"})) as session:
        yield session


def _report(paths: list[Path], out: Path, settings: ReportSettings, ctcae: str | None = None,
            spark: SparkRun | None = None) -> bytes:
    generate_report(paths, out, ("json",), settings, ctcae, jobs=1, spark=spark)
    return (out / "report.json").read_bytes()


@pytest.mark.parametrize(("settings", "ctcae"), [
    (ReportSettings(), None),
    (ReportSettings(data_cutoff=date(2019, 6, 30), confirmed=False, activity_tolerance=0.05), "5.0"),
], ids=["defaults", "cutoff-unconfirmed"])
def test_spark_gives_the_local_report(spark: Any, export: Path, tmp_path: Path, settings: ReportSettings,
                                      ctcae: str | None) -> None:
    local = _report([export], tmp_path / "local", settings, ctcae)
    distributed = _report([export], tmp_path / "spark", settings, ctcae,
                          SparkRun(session=spark, split_bytes=16 * 1024))  # Observation.ndjson in ~40 pieces
    assert distributed == local
    doc = json.loads(distributed)
    issues = {(i["resource"], i["message"]) for i in doc["issues"]}
    assert (str(export / "Observation.ndjson") + f":{UNREADABLE_LINE}", "not JSON") in issues
    assert ("Observation/no-subject", "no subject Patient reference") in issues
    assert any(resource.startswith("Observation/?") and message == "no subject Patient reference"
               for resource, message in issues)
    assert any(resource == "Patient/broken" for resource, _ in issues)


def test_the_medication_of_no_patient_reaches_every_patient(spark: Any, export: Path, tmp_path: Path) -> None:
    """Without the Medication the PRRT administrations are not read as such, and the activity differs."""
    without = bulk_export(tmp_path / "without", with_medication=False)
    bare = json.loads(_report([without], tmp_path / "bare", ReportSettings(), spark=SparkRun(session=spark)))
    full = json.loads(_report([export], tmp_path / "full", ReportSettings(), spark=SparkRun(session=spark)))
    assert bare["cumulative_activity_gbq"] != full["cumulative_activity_gbq"]


class CountingProgress:
    def __init__(self) -> None:
        self.total: tuple[int, str] | None = None
        self.steps = 0

    def start(self, total: int, unit: str) -> None:
        self.total = (total, unit)

    def advance(self, steps: int = 1) -> None:
        self.steps += steps


def test_progress_counts_every_spark_task(spark: Any, export: Path) -> None:
    progress = CountingProgress()
    data = collect_spark([export], Settings(), SparkRun(session=spark, split_bytes=64 * 1024), progress)
    assert progress.total is not None and progress.total[1] == "Spark tasks"
    assert progress.steps == progress.total[0] > 4 and len(data.summaries) == 16
    assert spark.sparkContext.getLocalProperty("spark.jobGroup.id") is None


def test_the_command_runs_on_spark(spark: Any, export: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    local = runner.invoke(app, ["report", str(export), "--out", str(tmp_path / "local"), "--format", "json"])
    assert local.exit_code == 0, local.output
    spark.stop()  # the command starts its own session; the fixture's is not needed any more (tests below)
    result = runner.invoke(app, ["report", str(export), "--out", str(tmp_path / "spark"), "--format", "json",
                                 "--backend", "spark", "--spark-master", "local[2]",
                                 "--spark-conf", "spark.sql.shuffle.partitions=3"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "spark" / "report.json").read_bytes() == (tmp_path / "local" / "report.json").read_bytes()
    assert os.environ["PYSPARK_PYTHON"] == sys.executable  # the local workers run this interpreter


def test_a_failed_spark_job_is_one_line_and_exit_1(spark: Any, export: Path, tmp_path: Path) -> None:
    """The executors' tracebacks (which may quote the input) stay in Spark's log, which is kept and named."""
    spark.stop()
    result = CliRunner().invoke(app, ["report", str(export), "--out", str(tmp_path / "out"), "--backend", "spark",
                                      "--spark-conf", "spark.python.daemon.module=no_such_module"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("prrt-cds: the Spark job failed (Py4JJavaError); Spark's log: ")
    log = Path(lines[0].rsplit(": ", 1)[1])
    assert log.is_file()
    log.unlink()


def test_fhir_resources_that_make_no_patient_are_exit_1_without_a_report(spark: Any, tmp_path: Path) -> None:
    """As the local backend and evaluate. Before, a report of 0 patients with exit 0: a cohort of nobody."""
    spark.stop()  # the command starts its own session
    export = tmp_path / "export"
    export.mkdir()
    (export / "Observation.ndjson").write_text(json.dumps(NO_SUBJECT) + "\n")
    (export / "medication.json").write_text(json.dumps({"resourceType": "Bundle", "type": "collection",
                                                        "entry": [{"resource": PRRT_MEDICATION}]}))
    result = CliRunner().invoke(app, ["report", str(export), "--out", str(tmp_path / "out"), "--backend", "spark"])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == ["prrt-cds: Observation/no-subject: no subject Patient reference",
                     f"prrt-cds: no patient to evaluate in {export}: 2 FHIR resources read, none of them a Patient "
                     "or a record of one that prrt-cds uses"]
    assert not (tmp_path / "out").exists()


def _without_java(tmp_path: Path, java_home: str | None) -> subprocess.CompletedProcess[str]:
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
    env["PATH"] = str(empty)
    if java_home is not None:
        env["JAVA_HOME"] = java_home
    command = [sys.executable, "-c", "from cds.cli import app; app()", "report", str(tmp_path),
               "--out", str(tmp_path / "out"), "--backend", "spark"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("java_home", [None, "nowhere"], ids=["no-java-on-path", "unusable-java-home"])
def test_without_java_one_line_and_exit_2(tmp_path: Path, java_home: str | None) -> None:
    done = _without_java(tmp_path, None if java_home is None else str(tmp_path / java_home))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("prrt-cds: the Spark backend needs Java"), done.stderr
    assert lines[0].endswith("has no bin/java" if java_home else "java not found (install it or set JAVA_HOME)")
    assert not (tmp_path / "out").exists()


def test_without_pyspark_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now fails as if not installed
    result = CliRunner().invoke(app, ["report", str(tmp_path), "--out", str(tmp_path / "out"), "--backend", "spark"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "prrt-cds: the Spark backend needs pyspark: pip install 'prrt-cds[spark]'"


def test_spark_options_need_the_spark_backend(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(tmp_path), "--out", str(tmp_path / "out"),
                                      "--spark-master", "local[4]"])
    assert result.exit_code == 2
    result = CliRunner().invoke(app, ["report", str(tmp_path), "--out", str(tmp_path / "out"),
                                      "--backend", "spark", "--spark-conf", "no-equals-sign"])
    assert result.exit_code == 2
    result = CliRunner().invoke(app, ["report", str(tmp_path), "--out", str(tmp_path / "out"),
                                      "--backend", "spark", "--jobs", "4"])
    assert result.exit_code == 2 and "--jobs" in result.output


def test_a_local_master_runs_quietly_without_a_ui() -> None:
    conf = spark_conf(SparkRun(master="local[2]", conf={"spark.executor.memory": "2g"}))
    assert conf["spark.ui.enabled"] == "false"
    assert conf["spark.ui.showConsoleProgress"] == "false" and conf["spark.executor.memory"] == "2g"
    assert "spark.ui.enabled" not in spark_conf(SparkRun(master="spark://host:7077"))
    assert spark_conf(SparkRun(master="local[2]", conf={"spark.ui.enabled": "true"}))["spark.ui.enabled"] == "true"


def test_pyspark_is_imported_only_when_the_backend_runs() -> None:
    code = ("import sys, cds.cli, cds.report.command, cds.report.pipeline, cds.report.spark_backend; "
            "print('pyspark' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"
