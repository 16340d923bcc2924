"""Lutathera orders in a hook's ``draftOrders`` and their ordered activity (changed by cds.hooks.cards.order_update).

An order is a Lutathera order when it is
- a MedicationRequest whose medication (``medicationCodeableConcept``, or the Medication its
  ``medicationReference`` names, contained or in ``draftOrders``, by id or by the entry's ``fullUrl``
  such as "urn:uuid:...") carries an RxNorm code of
  ``fhir_mappings/codes.toml`` or a text naming lutetium Lu 177 dotatate / Lutathera;
- a ServiceRequest whose ``code`` names the PRRT procedure (SNOMED CT radionuclide therapy, or text),
  and not another radiopharmaceutical.
The recognition is the one the mapping applies to administrations (cds.mapping.administrations).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from cds.hooks.cards.activity_statements import same, statements
from cds.hooks.cards.card import Action, Suggestion
from cds.mapping.administrations import is_prrt_medication, is_prrt_procedure
from cds.mapping.fhir import Unusable, items, normalise_reference, quantity
from cds.tables import CodeTable, codes

Resource = dict[str, Any]
Kind = Literal["MedicationRequest", "ServiceRequest"]


@dataclass(frozen=True)
class LutatheraOrder:
    resource: Resource
    kind: Kind
    id: str | None
    activity_gbq: float | None  # the ordered activity, when the order states one in a known unit
    # Every activity the order's dose places state: (GBq, the number as ordered, its unit as ordered).
    activities: tuple[tuple[float, float, str], ...] = ()
    # Why a dose the order states cannot be read (its unit code and unit text name different units),
    # naming the dose, never quoting it: such a dose is in neither ``activity_gbq`` nor ``activities``.
    unreadable: tuple[str, ...] = ()
    # Every activity the order states anywhere (its doses, a dose range, a dispense quantity or maximum dose,
    # its texts and notes), as cds.hooks.cards.activity_statements reads it: (element, GBq).
    stated: tuple[tuple[str, float], ...] = ()
    # the patient the order names when it is not the hook's context patient (``other_patients_orders``)
    other_patient: str | None = None
    # A MedicationRequest whose ``medicationReference`` names a Medication neither contained nor in
    # ``draftOrders``, taken as a Lutathera order because the reference's ``display`` names Lutathera:
    # its medication itself was not read, and a card says so when no other card does.
    medication_unread: bool = False

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.id}" if self.id else self.kind

    @property
    def ordered(self) -> str:
        """What the order asks for, as a card says it: "7.4 GBq ordered", or "activity not stated"."""
        return "activity not stated" if self.activity_gbq is None else f"{self.activity_gbq:g} GBq ordered"


def different_activities(order: LutatheraOrder) -> tuple[tuple[float, ...], tuple[tuple[str, float], ...]]:
    """The activities an order states when they are not one, and where it states the others; ((), ())
    when it states one. Its doses differ at any difference (3.7 and 7.4 GBq); any other statement of an
    activity (a text "7.4 GBq (200 mCi)", a dose range, a dispense quantity) differs from the dose, or
    from the first activity the order states when it has no dose, when beyond 0.5% of it."""
    doses = {round(gbq, 6) for gbq, _, _ in order.activities}
    reference = order.activity_gbq if order.activity_gbq is not None else \
        (order.stated[0][1] if order.stated else None)
    others = tuple((where, gbq) for where, gbq in order.stated
                   if reference is not None and not same(Decimal(str(gbq)), Decimal(str(reference))))
    if len(doses) < 2 and not others:
        return (), ()
    assert reference is not None or len(doses) > 1
    values = doses | {round(gbq, 6) for _, gbq in others} | ({round(reference, 6)} if reference is not None else set())
    return tuple(sorted(values)), others


def removal(order: LutatheraOrder, label: str, recommended: bool) -> Suggestion | None:
    """The suggestion that deletes the draft order; None for an order without an id (a delete action
    names the order it removes)."""
    if order.id is None:
        return None
    return Suggestion(label=label, isRecommended=recommended, actions=[
        Action(type="delete", description=f"Remove the draft order {order.ref}", resourceId=order.ref),
    ])


def draft_resources(entries: Sequence[Any]) -> Iterator[Resource]:
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and isinstance(resource.get("resourceType"), str):
            yield resource


def full_urls(entries: Sequence[Any]) -> dict[str, Resource]:
    """The ``draftOrders`` resources by their entry's ``fullUrl`` ("urn:uuid:...", an absolute URL)."""
    found: dict[str, Resource] = {}
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        url = entry.get("fullUrl") if isinstance(entry, dict) else None
        if isinstance(url, str) and isinstance(resource, dict):
            found.setdefault(url, resource)
    return found


def medication_concept(order: Resource, others: Sequence[Resource], by_url: dict[str, Resource]) -> Any:
    if "medicationCodeableConcept" in order:
        return order["medicationCodeableConcept"]
    target = order.get("medicationReference")
    reference = target.get("reference") if isinstance(target, dict) else None
    if not isinstance(reference, str):
        return None
    named = by_url.get(reference)  # a reference to an entry's fullUrl (urn:uuid:...), as in a Bundle
    if named is not None and named.get("resourceType") == "Medication":
        return named.get("code")
    if reference.startswith("#"):
        pool = [r for r in items(order.get("contained")) if isinstance(r, dict)]
        wanted = ("Medication", reference[1:])
    else:
        pool = list(others)
        kind, _, rid = normalise_reference(reference, {}).partition("/")
        wanted = (kind, rid)
    for resource in pool:
        if (resource.get("resourceType"), resource.get("id")) == wanted:
            return resource.get("code")
    return None


def _named_by_display(order: Resource, others: Sequence[Resource], by_url: dict[str, Resource],
                      table: CodeTable) -> bool:
    """Whether a MedicationRequest names its medication only by a reference the call does not resolve
    (the Medication is not contained, nor in ``draftOrders``) whose ``display`` names Lutathera. A
    reference without such a display is not taken as one: every unrelated order would be."""
    if "medicationCodeableConcept" in order:
        return False
    target = order.get("medicationReference")
    display = target.get("display") if isinstance(target, dict) else None
    if not isinstance(display, str) or medication_concept(order, others, by_url) is not None:
        return False
    return is_prrt_medication({"text": display}, table)


def _dose_quantities(order: Resource) -> Iterator[Resource]:
    """Where a MedicationRequest states its dose: R4 ``doseAndRate[].doseQuantity`` or STU3 ``doseQuantity``."""
    for instruction in items(order.get("dosageInstruction")):
        if not isinstance(instruction, dict):
            continue
        for rate in items(instruction.get("doseAndRate")):
            if isinstance(rate, dict) and isinstance(rate.get("doseQuantity"), dict):
                yield rate["doseQuantity"]
        if isinstance(instruction.get("doseQuantity"), dict):
            yield instruction["doseQuantity"]


def _service_quantities(order: Resource, table: CodeTable) -> Iterator[Resource]:
    url = table.section("administration")["activity_extension_url"]
    for extension in items(order.get("extension")):
        if isinstance(extension, dict) and extension.get("url") == url and isinstance(extension.get("valueQuantity"),
                                                                                        dict):
            yield extension["valueQuantity"]
    if isinstance(order.get("quantityQuantity"), dict):
        yield order["quantityQuantity"]


@dataclass(frozen=True)
class _Doses:
    activities: tuple[tuple[float, float, str], ...]
    unreadable: tuple[str, ...]


def _activities(quantities: Iterator[Resource], table: CodeTable) -> _Doses:
    """The activities the dose quantities state; a dose whose UCUM code and unit text name different
    units ({7.4, code "GBq", unit "mCi"}: 7.4 GBq or 0.27 GBq) is unreadable, as the mapping refuses a
    laboratory value whose code and text disagree (cds.mapping.fhir.Unit.disagrees)."""
    found, unreadable = [], []
    for value in quantities:
        try:
            number, unit = quantity(value)
        except Unusable:
            continue
        factor = unit.factor(table.activity_units)
        if factor is None or unit.text is None:
            continue
        if unit.disagrees(table.activity_units):
            unreadable.append("a dose states its unit twice, as different units (its UCUM code and its unit text)")
            continue
        found.append((number * factor, number, unit.text.strip()))
    return _Doses(tuple(found), tuple(unreadable))


def _named_patient(order: Resource) -> str | None:
    target = order.get("subject") or order.get("patient")
    reference = target.get("reference") if isinstance(target, dict) else None
    return normalise_reference(reference, {}) if isinstance(reference, str) else None


def for_patient(order: Resource, patient_id: str) -> bool:
    """An order naming another patient is not checked against this patient's record; one naming none is
    taken as this one's."""
    named = _named_patient(order)
    return named is None or named == f"Patient/{patient_id}"


def lutathera_orders(entries: Sequence[Any], patient_id: str, selections: Sequence[str] | None = None,
                     table: CodeTable | None = None) -> list[LutatheraOrder]:
    """The Lutathera orders among ``draftOrders`` entries (only the selected ones when ``selections``)."""
    return [o for o in _orders(entries, selections, table) if for_patient(o.resource, patient_id)]


def other_patients_orders(entries: Sequence[Any], patient_id: str, selections: Sequence[str] | None = None,
                          table: CodeTable | None = None) -> list[LutatheraOrder]:
    """The Lutathera orders among ``draftOrders`` that name another patient than the context's: they are
    not checked against this record, and a card says so (never the empty answer that reads as "agrees")."""
    return [LutatheraOrder(resource=o.resource, kind=o.kind, id=o.id, activity_gbq=o.activity_gbq,
                           activities=o.activities, unreadable=o.unreadable, stated=o.stated,
                           other_patient=_named_patient(o.resource), medication_unread=o.medication_unread)
            for o in _orders(entries, selections, table) if not for_patient(o.resource, patient_id)]


def _orders(entries: Sequence[Any], selections: Sequence[str] | None, table: CodeTable | None
            ) -> list[LutatheraOrder]:
    table = table or codes()
    resources = list(draft_resources(entries))
    by_url = full_urls(entries)
    found = []
    for resource in resources:
        kind = resource["resourceType"]
        rid = resource.get("id") if isinstance(resource.get("id"), str) and resource.get("id") else None
        if selections is not None and f"{kind}/{rid}" not in selections:
            continue
        lutathera: Kind
        unread = False
        if kind == "MedicationRequest" and (
                is_prrt_medication(medication_concept(resource, resources, by_url), table)
                or (unread := _named_by_display(resource, resources, by_url, table))):
            lutathera, doses = "MedicationRequest", _activities(_dose_quantities(resource), table)
        elif kind == "ServiceRequest" and is_prrt_procedure(resource, table):
            lutathera, doses = "ServiceRequest", _activities(_service_quantities(resource, table), table)
        else:
            continue
        stated = doses.activities
        elsewhere, _ = statements(resource, table.activity_units)
        found.append(LutatheraOrder(resource=resource, kind=lutathera, id=rid,
                                    activity_gbq=stated[0][0] if stated else None, activities=stated,
                                    unreadable=doses.unreadable,
                                    stated=tuple((s.place, float(s.gbq)) for s in elsewhere),
                                    medication_unread=unread))
    return found
