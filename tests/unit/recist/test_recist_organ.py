"""RECIST 1.1 §4.2: at most two target lesions per organ, the organ read from BodyStructure.location."""

from __future__ import annotations

from typing import Any

import factories as fx
import pytest

from cds.evaluation import evaluate_collected
from cds.reading import from_objects


def record(organs: list[str]) -> list[dict[str, Any]]:
    resources: list[dict[str, Any]] = [fx.patient(), fx.procedure("c1", "2024-01-08")]
    for index, organ in enumerate(organs, start=1):
        resources.append(fx.body_structure(f"t{index}", organ))
        resources.append(fx.lesion(f"b{index}", 20, focus=f"BodyStructure/t{index}", when="2024-01-02"))
        resources.append(fx.lesion(f"f{index}", 12, focus=f"BodyStructure/t{index}", when="2024-04-01"))
    return resources


def evaluate(organs: list[str]) -> tuple[str | None, list[str]]:
    (patient,) = evaluate_collected(from_objects(record(organs))).patients
    assert patient.recist is not None
    (response,) = patient.recist.responses
    return response.target, [issue.message for issue in patient.issues]


def test_the_organ_of_a_lesion_is_its_body_structure_location() -> None:
    (patient,) = evaluate_collected(from_objects(record(["Liver"]))).patients
    assert {m.organ for m in patient.timeline.tumour if hasattr(m, "organ")} == {"liver"}


@pytest.mark.parametrize(("organs", "target"), [
    (["liver", "liver"], "PR"),  # two in one organ: within RECIST 1.1 §4.2
    (["liver", "liver", "lung"], "PR"),
    (["liver", "liver", "liver"], "NE"),  # three in one organ: over the limit, never silently truncated
])
def test_at_most_two_target_lesions_per_organ(organs: list[str], target: str) -> None:
    response, issues = evaluate(organs)
    assert response == target
    over = [m for m in issues if "in one organ" in m]
    assert bool(over) == (target == "NE")
