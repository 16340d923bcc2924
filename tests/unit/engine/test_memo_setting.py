"""The memo's bound outside the service: PRRT_CDS_ENGINE_MEMO_SIZE, the variable of the service's setting
``engine_memo_size``, is read when a command first needs the engine (docs/rule-engine.md, "Memo"); a value
that is not a whole number from 0 to 10,000,000 is a configuration error (exit 2), never a silent default."""

from __future__ import annotations

import json
from pathlib import Path

import factories as fx
import pytest
from typer.testing import CliRunner

from cds import bootstrap
from cds.cli import app
from cds.engine.memo import DEFAULT_SIZE, Memo
from cds.errors import ConfigurationError


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Memo:
    """A process whose engine is not built yet, with a memo of its own."""
    memo = Memo(DEFAULT_SIZE)
    monkeypatch.setattr(bootstrap, "_MEMO", memo)
    monkeypatch.setattr(bootstrap, "_DEFAULT", None)
    monkeypatch.setattr(bootstrap, "_MEMO_SIZE_GIVEN", False)
    return memo


def a_bundle(path: Path) -> Path:
    path.write_text(json.dumps(fx.bundle([
        fx.patient(), fx.procedure("c1", "2024-01-08"),
        fx.lab("o1", "platelets", 60, "10*9/L", when="2024-02-20T08:00:00Z"),
    ])), encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "size"), [("0", 0), ("1000", 1000), (" 10000000 ", 10_000_000), ("", DEFAULT_SIZE)])
def test_the_variable_bounds_the_memo_when_the_engine_is_first_built(
    text: str, size: int, fresh: Memo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bootstrap.MEMO_SIZE_VARIABLE, text)
    bootstrap.default_engine()
    assert fresh.size == size


def test_the_service_setting_given_first_wins_over_the_variable(fresh: Memo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bootstrap.MEMO_SIZE_VARIABLE, "5")
    bootstrap.set_engine_memo_size(77)
    bootstrap.default_engine()
    assert fresh.size == 77


@pytest.mark.parametrize("text", ["-1", "10000001", "1e5", "lots", "200_000x"])
def test_a_bad_value_is_a_configuration_error(text: str, fresh: Memo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bootstrap.MEMO_SIZE_VARIABLE, text)
    with pytest.raises(ConfigurationError, match="PRRT_CDS_ENGINE_MEMO_SIZE must be a whole number"):
        bootstrap.default_engine()
    assert fresh.size == DEFAULT_SIZE


@pytest.mark.parametrize("command", ["evaluate", "report"])
def test_the_commands_refuse_a_bad_value_in_one_line(
    command: str, fresh: Memo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = a_bundle(tmp_path / "p.json")
    extra = ["--out", str(tmp_path / "out"), "--jobs", "1"] if command == "report" else []
    result = CliRunner().invoke(app, [command, str(source), *extra], env={bootstrap.MEMO_SIZE_VARIABLE: "-3"})
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == ("prrt-cds: configuration error: PRRT_CDS_ENGINE_MEMO_SIZE must be a whole "
                                     "number of entries from 0 to 10000000")
    assert result.stdout == ""
