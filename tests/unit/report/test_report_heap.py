"""The cohort's input is kept out of the cyclic collector's way while patients are evaluated: frozen
after it is built, the heap handed back when the chunk is done, a heap frozen before left frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cds.demo import write_cohort
from cds.gc_pause import frozen_scope
from cds.report import collect as collect_module
from cds.report.collect import Settings, collect
from cds.report.heap import untracked


@pytest.fixture
def unfrozen() -> Iterator[None]:
    before = gc.get_freeze_count()
    gc.unfreeze()
    yield
    if before:
        gc.freeze()


def test_what_is_built_untracked_is_frozen_until_the_scope_ends(unfrozen: None) -> None:
    with frozen_scope():
        built = untracked(lambda: [{"n": i} for i in range(1_000)])
        assert gc.get_freeze_count() >= len(built) and gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_before_stays_frozen(unfrozen: None) -> None:
    gc.freeze()
    with frozen_scope():
        untracked(lambda: [{"n": i} for i in range(10)])
    assert gc.get_freeze_count() > 0
    gc.unfreeze()


def test_the_collector_stays_paused_while_building() -> None:
    assert untracked(gc.isenabled) is False and gc.isenabled()


def test_patients_are_evaluated_with_the_input_frozen_and_the_heap_given_back(
        tmp_path: Path, unfrozen: None, monkeypatch: pytest.MonkeyPatch) -> None:
    cohort = write_cohort(tmp_path / "fhir", 3, 1, jobs=1)
    seen: list[int] = []
    evaluate = collect_module.evaluate_patient

    def spy(*args: Any) -> Any:
        seen.append(gc.get_freeze_count())
        return evaluate(*args)

    data = collect([cohort], Settings(), jobs=1)  # the serial path: through the partition, one patient held
    monkeypatch.setattr(collect_module, "evaluate_patient", spy)
    # A worker's chunk of Bundle files is read whole, so held while its patients are evaluated: frozen.
    chunk = collect_module._evaluate_files([str(f) for f in sorted(cohort.glob("*.json"))], Settings())
    assert len(seen) == 3 and all(count > 0 for count in seen)
    assert chunk.summaries == data.summaries and all(count > 0 for count in seen)
    assert gc.get_freeze_count() == 0
