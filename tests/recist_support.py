"""One patient's RECIST 1.1 assessment from FHIR resources, as the unit tests of cds.recist build it:
mapped and placed on a timeline as in production, with the process's engine and, where a test says so,
one setting changed."""

from __future__ import annotations

from typing import Any

import factories as fx

from cds import bootstrap
from cds.mapping import map_collected
from cds.reading import from_objects
from cds.recist.conclusions import RecistAssessment, RecistSettings
from cds.recist.decide import assess_responses
from cds.timeline import build_timeline

Resource = dict[str, Any]


def lesion(oid: str, lesion_id: str, size: float, day: str, *, node: bool = False, role: str = "target") -> Resource:
    return fx.lesion(oid, size, focus=f"BodyStructure/{lesion_id}", role=role, lymph_node=node or None,
                     when=f"{day}T08:00:00Z")


def assess(*resources: Resource, first: str | None = "2024-01-08", **changes: object) -> RecistAssessment:
    objects: list[Resource] = [fx.patient("p1"), *resources]
    if first is not None:
        objects.append(fx.procedure("c1", first, patient="Patient/p1"))
    record = map_collected(from_objects(objects)).records["Patient/p1"]
    settings = RecistSettings.defaults().model_copy(update=changes)
    return assess_responses(build_timeline(record), bootstrap.build_engine(), settings)


def messages(result: RecistAssessment) -> list[str]:
    return [issue.message for issue in result.issues]
