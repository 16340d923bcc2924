"""Progress on stderr: plain lines when stderr is not a terminal (count lines every interval, the phases of
the statistics and figures), quiet for short runs, the rich bar on a terminal; never anything of a patient.
A fake clock stands in for time, so nothing sleeps."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cds.cli import app
from cds.demo import write_cohort
from cds.report.pipeline import generate_report
from cds.report.progress import DEFAULT_INTERVAL_S, INTERVAL_VARIABLE, TerminalProgress, progress_interval


class FakeClock:
    """Seconds that move only when the test says so (``step``: how far each reading moves it on)."""

    def __init__(self, step: float = 0.0) -> None:
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cohort(tmp_path_factory.mktemp("fhir"), 6, 1, jobs=1)


def _plain(clock: FakeClock, interval: float = 5.0) -> tuple[TerminalProgress, io.StringIO]:
    stream = io.StringIO()
    return TerminalProgress("evaluating", stream=stream, interval=interval, clock=clock, terminal=False), stream


def test_a_count_line_every_interval_with_counts_rate_and_time() -> None:
    clock = FakeClock()
    progress, stream = _plain(clock)
    with progress:
        progress.start(10_000, "patients")
        for _ in range(4_210):  # 4,210 patients in 52 s: 81/s
            clock.now += 52 / 4_210
            progress.advance()
        assert stream.getvalue().splitlines()[-1] == "evaluating: 4,050/10,000 patients, 81/s, 50 s"
    lines = stream.getvalue().splitlines()
    assert lines[-1] == "evaluating: 4,210/10,000 patients, 81/s, 52 s"  # the count where the run ended
    assert len(lines) == 52 // 5 + 1
    assert lines[0].startswith("evaluating: ") and lines[0].endswith(", 5 s")
    assert all(re.fullmatch(r"evaluating: [\d,]+/10,000 patients, \d+/s, \d+ s", line) for line in lines)


def test_a_run_shorter_than_the_interval_writes_nothing_even_with_its_phases() -> None:
    clock = FakeClock(step=0.01)
    progress, stream = _plain(clock)
    with progress:
        progress.start(300, "patients")
        progress.advance(300)
        for name in ("statistics: survival", "figure: swimmer", "writing: report.html"):
            progress.phase(name)
    assert stream.getvalue() == ""


def test_after_the_interval_each_phase_has_a_line_and_the_count_its_last() -> None:
    clock = FakeClock()
    progress, stream = _plain(clock)
    with progress:
        progress.start(20, "patients")
        clock.now += 4
        progress.advance(20)
        clock.now += 3  # 7 s: past the interval
        progress.phase("statistics: survival")
        clock.now += 1
        progress.phase("figure: swimmer")
    assert stream.getvalue().splitlines() == [
        "evaluating: 20/20 patients, 3/s, 7 s",
        "statistics: survival, 7 s",
        "figure: swimmer, 8 s",
    ]


def test_the_report_names_its_phases_and_nothing_of_a_patient(cohort: Path, tmp_path: Path) -> None:
    progress, stream = _plain(FakeClock(step=10.0))
    with progress:
        generate_report([cohort], tmp_path, jobs=1, progress=progress)
    text = stream.getvalue()
    phases = [line.rsplit(", ", 1)[0] for line in text.splitlines() if not line.startswith("evaluating: ")]
    assert phases == [
        "statistics: demographics", "statistics: survival", "statistics: response", "statistics: toxicity",
        "statistics: performance status", "statistics: dose modifications", "writing: report.json",
        "figure: overall survival", "figure: progression-free survival", "figure: swimmer", "figure: waterfall",
        "figure: spider", "writing: report.md", "writing: report.html",
    ]
    assert "evaluating: 6/6 patients" in text
    assert "Patient" not in text and "demo-" not in text


def test_on_a_terminal_the_bar_is_drawn_and_the_phases_are_shown() -> None:
    stream = io.StringIO()
    clock = FakeClock()
    with TerminalProgress("evaluating", stream=stream, interval=5.0, clock=clock, terminal=True) as progress:
        progress.start(3, "patients")
        progress.advance(3)
        clock.now += 2
        progress.phase("statistics: survival")
    text = stream.getvalue()
    assert "evaluating" in text and "3/3" in text and "statistics: survival, 2 s" in text


def test_disabled_progress_writes_nothing() -> None:
    stream = io.StringIO()
    clock = FakeClock(step=10.0)
    with TerminalProgress("evaluating", enabled=False, stream=stream, clock=clock, terminal=False) as progress:
        progress.start(3, "patients")
        progress.advance(3)
        progress.phase("statistics: survival")
    assert stream.getvalue() == ""


@pytest.mark.parametrize(("value", "expected"), [("2.5", 2.5), ("60", 60.0), ("", DEFAULT_INTERVAL_S)])
def test_the_interval_is_a_setting(value: str, expected: float) -> None:
    assert progress_interval({INTERVAL_VARIABLE: value}) == (expected, None)
    assert progress_interval({}) == (DEFAULT_INTERVAL_S, None)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf", "nan"])
def test_an_unusable_interval_is_said_and_the_default_used(value: str) -> None:
    interval, warning = progress_interval({INTERVAL_VARIABLE: value})
    assert interval == DEFAULT_INTERVAL_S and warning is not None and INTERVAL_VARIABLE in warning


def test_the_report_command_is_quiet_on_stderr_for_a_short_run(cohort: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(INTERVAL_VARIABLE, "3600")
    result = CliRunner().invoke(app, ["report", str(cohort), "--out", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_the_report_command_writes_progress_lines_when_stderr_is_not_a_terminal(
        cohort: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(INTERVAL_VARIABLE, "1e-9")  # every line is past the interval
    result = CliRunner().invoke(app, ["report", str(cohort), "--out", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "evaluating: 6/6 patients" in result.stderr and "statistics: survival, " in result.stderr
    assert "writing: report.json, " in result.stderr and "figure:" not in result.stderr
    assert result.stdout.strip() == str(tmp_path / "report.json")
