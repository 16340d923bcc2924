"""The rule engine failing during a run is never a traceback and never a result (docs/outputs.md, "Exit
codes"): ``evaluate`` and ``report`` exit 3 with one line naming the engine's reason; what ``evaluate``
already wrote is said to be cut short (its NDJSON has no closing line), and ``report`` writes nothing."""

from __future__ import annotations

import json
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import factories as fx
import pytest
from typer.testing import CliRunner

from cds import bootstrap
from cds.cli import app
from cds.engine import Engine
from cds.engine.model import EngineFact, Hit
from cds.errors import EvaluationError

REASON = "the rule engine failed in ruleset 'ctcae-test'"


class FailingAfter:
    """The process's engine, failing from its ``limit + 1``-th call on (``limit`` None: never)."""

    def __init__(self, inner: Engine, limit: int | None) -> None:
        self.inner, self.limit, self.calls = inner, limit, 0

    @property
    def rulesets(self) -> tuple[str, ...]:
        return self.inner.rulesets

    def evaluate(self, ruleset: str, facts: Sequence[EngineFact]) -> list[Hit]:
        self.calls += 1
        if self.limit is not None and self.calls > self.limit:
            raise EvaluationError(REASON)
        return self.inner.evaluate(ruleset, facts)


def patient_resources(pid: str) -> list[dict[str, Any]]:
    return [
        fx.patient(pid),
        fx.procedure(f"{pid}-c1", "2024-01-08", patient=f"Patient/{pid}"),
        fx.lab(f"{pid}-plt", "platelets", 60, "10*9/L", patient=f"Patient/{pid}", when="2024-02-20T08:00:00Z"),
        fx.lab(f"{pid}-hb", "hemoglobin", 9.5, "g/dL", patient=f"Patient/{pid}", when="2024-02-20T08:00:00Z"),
    ]


def write_ndjson(path: Path, pids: Sequence[str]) -> Path:
    lines = [json.dumps(resource) for pid in pids for resource in patient_resources(pid)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def install(monkeypatch: pytest.MonkeyPatch, limit: int | None) -> FailingAfter:
    engine = FailingAfter(bootstrap.default_engine(), limit)
    monkeypatch.setattr(bootstrap, "default_engine", lambda: engine)
    return engine


def calls_for_one_patient(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many engine calls one patient takes, so the failure can be put on the second patient."""
    counting = install(monkeypatch, None)
    result = CliRunner().invoke(app, ["evaluate", str(write_ndjson(tmp_path / "one.ndjson", ["p1"]))])
    assert result.exit_code == 0, result.output
    assert counting.calls > 0
    return counting.calls


@pytest.mark.parametrize("output_format", ["json", "ndjson", "text"])
def test_evaluate_says_the_engine_failed_and_that_the_output_is_cut_short(
    output_format: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = calls_for_one_patient(tmp_path, monkeypatch)
    install(monkeypatch, limit)  # the first patient is evaluated, the second fails
    source = write_ndjson(tmp_path / "two.ndjson", ["p1", "p2"])
    result = CliRunner().invoke(app, ["evaluate", str(source), "--format", output_format])
    assert result.exit_code == 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert result.stderr.strip() == (
        f"prrt-cds: evaluation failed: {REASON}; the output on stdout is cut short and is not a result")
    if output_format == "ndjson":  # the first patient's line stands; no closing line says it is complete
        lines = result.stdout.splitlines()
        assert [json.loads(line)["patient"] for line in lines] == ["Patient/p1"]
    if output_format == "json":  # never a document that parses as a complete answer
        with pytest.raises(json.JSONDecodeError):
            json.loads(result.stdout)
    assert "Patient/p2" not in result.stdout


def test_report_says_the_engine_failed_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, 0)
    out = tmp_path / "report"
    source = write_ndjson(tmp_path / "two.ndjson", ["p1", "p2"])
    result = CliRunner().invoke(app, ["report", str(source), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"prrt-cds: evaluation failed: {REASON}; no report was written" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_the_engine_failure_crosses_a_worker_process_as_itself() -> None:
    """The report's worker processes hand an EvaluationError back to the command as the same error."""
    again = pickle.loads(pickle.dumps(EvaluationError(REASON)))
    assert isinstance(again, EvaluationError) and str(again) == REASON
