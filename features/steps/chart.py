"""The patient record a scenario writes, step by step, and what the evaluation concluded from it.

``Chart`` collects FHIR R4 resources built with ``tests/factories.py``. Laboratory results are kept
as ``LabEntry`` until the record is evaluated, so that an undated result can be dated relative to the
cycles the scenario gives, whatever the order of its steps:

- an undated result is taken 14 days after the latest PRRT cycle (in that cycle), or on 2024-03-01
  when no cycle is given;
- an undated baseline result is taken 7 days before the first cycle, or, with no cycle, 7 days before
  the earliest other result (the earliest result is the baseline, FHIR input profile "Baseline").

All results are timed 08:00 UTC; results of the same moment are ordered as the scenario lists them.

A "filler" result (one of the normal pre-cycle labs a dose scenario asks for) gives way to a result of
the same analyte and day that the scenario states itself, or says was not measured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import factories as fx

from cds.document import to_document
from cds.evaluation import DEFAULT_CTCAE_VERSION, Evaluation, evaluate_collected
from cds.reading import from_objects
from steps.vocabulary import ANALYTES, ucum_code

Resource = dict[str, Any]
PATIENT = "Patient/p1"
NO_CYCLE_DAY = date(2024, 3, 1)
AFTER_CYCLE = timedelta(days=14)
BEFORE_FIRST = timedelta(days=7)
INTERPRETATION = {"high": "H", "low": "L", "normal": "N"}


@dataclass
class LabEntry:
    """One laboratory result as the scenario states it."""

    oid: str
    name: str  # the analyte as the scenario names it
    value: float | None
    unit: str | None
    low: float | None = None
    high: float | None = None
    day: date | None = None
    flag: str | None = None
    baseline: bool = False
    filler: bool = False  # part of a normal panel: dropped when the scenario states this analyte and day

    def resource(self, day: date) -> Resource:
        analyte = ANALYTES[self.name]
        kwargs: dict[str, Any] = {"loinc": analyte.loinc, "low": self.low, "high": self.high,
                                  "when": f"{day.isoformat()}T08:00:00Z"}
        if self.flag is not None:
            kwargs["interpretation"] = INTERPRETATION[self.flag]
        if self.value is None:
            return fx.lab(self.oid, analyte.key, **kwargs)
        code = ucum_code(self.unit) if self.unit is not None else None
        if self.unit is None or code is not None:
            resource = fx.lab(self.oid, analyte.key, self.value, code, **kwargs)
            _show_unit_as_written(resource, self.unit)
            return resource
        return fx.lab(self.oid, analyte.key, self.value, self.unit, ucum=False, **kwargs)


def _show_unit_as_written(resource: Resource, unit: str | None) -> None:
    """The Quantity's human ``unit`` text as the clinician wrote it, beside the UCUM ``code``."""
    if unit is None:
        return
    quantities = [resource["valueQuantity"]]
    for limits in resource.get("referenceRange", []):
        quantities += [q for q in (limits.get("low"), limits.get("high")) if q is not None]
    for quantity in quantities:
        quantity["unit"] = unit


@dataclass
class Chart:
    """The FHIR record of one patient, as the Given steps build it."""

    patient: Resource | None = None
    cycles: dict[int, date] = field(default_factory=dict)
    administrations: list[Resource] = field(default_factory=list)
    labs: list[LabEntry] = field(default_factory=list)
    others: list[tuple[Callable[[str], Resource], date | None]] = field(default_factory=list)
    body_structures: dict[str, Resource] = field(default_factory=dict)
    not_measured: set[tuple[str, date]] = field(default_factory=set)  # (analyte key, day)
    ctcae_version: str = DEFAULT_CTCAE_VERSION  # the CTCAE table the record is graded with
    _count: int = 0

    def next_id(self, prefix: str) -> str:
        """Ids numbered in the order the scenario lists things (zero-padded: they sort that way)."""
        self._count += 1
        return f"{prefix}-{self._count:03d}"

    def lesion_site(self, lesion: str, site: str) -> str:
        """The BodyStructure that identifies a lesion (created once); returns its reference."""
        if lesion not in self.body_structures:
            self.body_structures[lesion] = fx.body_structure(lesion, site, patient=PATIENT)
        return f"BodyStructure/{lesion}"

    def add(self, build: Callable[[str], Resource], day: date | None) -> None:
        """An Observation other than a laboratory result: ``build(effective)`` makes it when evaluated."""
        self.others.append((build, day))

    def current_day(self) -> date:
        """The day of an undated result: 14 days after the latest cycle, else 2024-03-01."""
        latest = max(self.cycles.values(), default=None)
        return latest + AFTER_CYCLE if latest is not None else NO_CYCLE_DAY

    def stated_labs(self) -> list[LabEntry]:
        """The laboratory results of the record: fillers give way to what the scenario states."""
        stated = {(ANALYTES[lab.name].key, lab.day) for lab in self.labs if not lab.filler} | self.not_measured
        return [lab for lab in self.labs if not (lab.filler and (ANALYTES[lab.name].key, lab.day) in stated)]

    def lab_days(self) -> dict[str, date]:
        """The day each laboratory result is taken on (see the module docstring)."""
        labs = self.stated_labs()
        first = min(self.cycles.values(), default=None)
        current = self.current_day()
        days = {lab.oid: lab.day or current for lab in labs if not lab.baseline}
        before = (first if first is not None else min(days.values(), default=NO_CYCLE_DAY)) - BEFORE_FIRST
        days.update({lab.oid: lab.day or before for lab in labs if lab.baseline})
        return days

    def resources(self) -> list[Resource]:
        days = self.lab_days()
        out: list[Resource] = [] if self.patient is None else [self.patient]
        out += self.administrations
        out += [lab.resource(days[lab.oid]) for lab in self.stated_labs()]
        out += list(self.body_structures.values())
        out += [build(f"{(day or self.current_day()).isoformat()}T08:00:00Z") for build, day in self.others]
        return out


@dataclass
class Outcome:
    """What the evaluation concluded, as the JSON document of docs/outputs.md.

    ``focus`` is the toxicity entry the last "the grade for ..." step looked at: the steps that follow
    it ("the rule is ...", "the lab is in cycle ...") are about that entry.
    """

    evaluation: Evaluation
    document: dict[str, Any]
    chart: Chart
    focus: dict[str, Any] | None = None

    @property
    def patient(self) -> dict[str, Any]:
        patients = self.document["patients"]
        assert len(patients) == 1, f"expected one patient in the result, got {len(patients)}"
        result: dict[str, Any] = patients[0]
        return result

    @property
    def issues(self) -> list[dict[str, Any]]:
        return [*self.document["issues"], *(p for patient in self.document["patients"] for p in patient["issues"])]


def evaluate(chart: Chart, as_of: date | None = None) -> Outcome:
    """The real path: FHIR resources -> ``from_objects`` -> ``evaluate_collected`` -> JSON document.

    ``as_of`` is "today" for the next cycle's dose decision (default: the latest date of the record).
    """
    evaluation = evaluate_collected(from_objects(chart.resources()), as_of, chart.ctcae_version)
    return Outcome(evaluation=evaluation, document=to_document(evaluation), chart=chart)
