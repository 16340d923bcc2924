"""The cyclic collector's settings for a command's batch (``cds.gc_pause``): the start-up heap frozen and
the youngest generation collected less often while patients are evaluated, everything undone at the end,
and a heap frozen before (the service's) left frozen."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import factories as fx
import pytest
from typer.testing import CliRunner

from cds import evaluation
from cds.cli import app
from cds.gc_pause import BATCH_THRESHOLD, batch_collection, gc_paused


@pytest.fixture
def unfrozen() -> Iterator[None]:
    before, threshold = gc.get_freeze_count(), gc.get_threshold()
    gc.unfreeze()
    yield
    gc.set_threshold(*threshold)
    if before:
        gc.freeze()


def test_a_batch_freezes_the_heap_and_collects_less_often_until_it_ends(unfrozen: None) -> None:
    threshold = gc.get_threshold()
    with batch_collection():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (BATCH_THRESHOLD, *threshold[1:])
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold


def test_a_batch_undoes_its_settings_when_it_fails(unfrozen: None) -> None:
    threshold = gc.get_threshold()
    with pytest.raises(RuntimeError), batch_collection():
        raise RuntimeError("the evaluation failed")
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold


def test_a_heap_frozen_before_a_batch_stays_frozen(unfrozen: None) -> None:
    gc.freeze()
    with batch_collection():
        pass
    assert gc.get_freeze_count() > 0


def test_the_collector_is_paused_only_inside_the_block() -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_evaluate_grades_its_patients_in_a_batch(tmp_path: Path, unfrozen: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int]] = []
    evaluate = evaluation.evaluate_patient

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append((gc.get_threshold()[0], gc.get_freeze_count()))
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(evaluation, "evaluate_patient", spy)
    source = tmp_path / "in.ndjson"
    resources = [fx.patient("p1"), fx.lab("p1-plt", "platelets", 60, "10*9/L", patient="Patient/p1")]
    source.write_text("\n".join(json.dumps(r) for r in resources) + "\n", encoding="utf-8")
    threshold = gc.get_threshold()
    result = CliRunner().invoke(app, ["evaluate", str(source), "--format", "ndjson"])
    assert result.exit_code == 0, result.output
    assert len(seen) == 1 and seen[0][0] == BATCH_THRESHOLD and seen[0][1] > 0
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
