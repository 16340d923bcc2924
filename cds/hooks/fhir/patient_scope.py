"""Only the resources of ``context.patientId`` are evaluated; another patient's are left out and counted.

CDS Hooks 2.0.1 "Prefetch Template": the prefetch is the data the templates name for the context's
patient. A CDS client that sends another patient's resources (a stale cache, a wrong template, a mixed
Bundle) must never get an answer drawn from them: an order-sign whose prefetch held only another
patient's data answered ``{"cards": []}``, which reads as "the order agrees with the rules" (issue 10,
section 9). So, for every hook:

- each prefetch key is filtered to the patient's resources; a key that held resources but none of the
  patient's is treated as not prefetched, so it is fetched from ``fhirServer`` when allowed, else its
  data is not available (412 for a required template);
- data fetched from the FHIR server is filtered the same way; a key it answered with only another
  patient's resources is not available;
- the number left out is counted (an issue, a line on each card, a log line with the count only: never
  the resources, their ids or the patients they name).

"Belongs to the patient", conservatively (what cannot be shown to be the patient's is left out):
- a Patient: its ``id`` is ``context.patientId``;
- a resource of a type that holds no patient data (``PATIENTLESS``: a Medication, a practitioner ...):
  kept, as neither the patient's nor another's; it is read only through a reference from the patient's
  own resources;
- any other resource: every one of its ``subject`` and ``patient`` references that is present names
  ``Patient/{patientId}``, and at least one is present. A reference may be relative, absolute (with the
  request's ``fhirServer`` as its base when the request names one: the same id on another server is not
  the same patient), versioned (``/_history/n``), or a ``fullUrl`` alias (``urn:uuid:``) of a Bundle entry
  of the same request. A reference to a Group or a contained resource, an alias that resolves to nothing,
  a reference by identifier or display only, or none at all: not the patient's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from cds.hooks.api.discovery import Template
from cds.hooks.cards.card import IssuedCard
from cds.hooks.errors import PreconditionFailed
from cds.hooks.fhir.client import search_matches, stated_total
from cds.hooks.fhir.prefetch import Resolved
from cds.mapping.fhir import normalise_reference
from cds.reading import from_prefetch

logger = logging.getLogger("cds.hooks")
Resource = dict[str, Any]
# R4 resource types without a patient compartment that the mapping may read through a reference.
PATIENTLESS = frozenset({"Medication", "Substance", "Organization", "Practitioner", "PractitionerRole", "Location",
                         "OperationOutcome"})


def _base(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}/{path}".rstrip("/")


@dataclass
class PatientScope:
    """The context patient, the request's FHIR server and Bundle aliases, and how many were left out."""

    patient_id: str
    server: str | None
    aliases: dict[str, str] = field(default_factory=dict)
    dropped: int = 0
    # reference text -> whether it names the patient, under the aliases as they are (cleared when they change)
    _verdicts: dict[str, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, patient_id: str, server: str | None, prefetch: Mapping[str, Any] | None) -> PatientScope:
        given = {k: v for k, v in (prefetch or {}).items() if isinstance(v, dict)}
        return cls(patient_id=patient_id, server=server, aliases=dict(from_prefetch(given).aliases))

    def _names_patient(self, reference: Any) -> bool:
        target = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(target, str):
            return False
        verdict = self._verdicts.get(target)
        if verdict is None:
            verdict = self._verdicts[target] = self._target_names_patient(target)
        return verdict

    def _target_names_patient(self, target: str) -> bool:
        if target in self.aliases:
            return self.aliases[target] == f"Patient/{self.patient_id}"
        if target.startswith(("urn:", "#")):
            return False  # an alias no Bundle of this request defines, or a contained resource
        relative = normalise_reference(target, {})
        if relative != f"Patient/{self.patient_id}":
            return False
        if "://" not in target or self.server is None:
            return True
        base = target.split("/Patient/")[0]
        return _base(base) == _base(self.server)

    def belongs(self, resource: Resource) -> bool | None:
        """True: the patient's; False: not shown to be the patient's; None: holds no patient data."""
        kind = resource.get("resourceType")
        if kind == "Patient":
            return resource.get("id") == self.patient_id
        if kind in PATIENTLESS:
            return None
        named = [resource[key] for key in ("subject", "patient") if key in resource]
        return bool(named) and all(self._names_patient(value) for value in named)

    def _filter(self, value: Resource) -> tuple[Resource | None, int, int]:
        """(the value with only the patient's resources, how many are the patient's, how many left out)."""
        if value.get("resourceType") == "OperationOutcome":
            return value, 0, 0
        if value.get("resourceType") != "Bundle":
            verdict = self.belongs(value)
            return (None, 0, 1) if verdict is False else (value, int(bool(verdict)), 0)
        entries = value.get("entry")
        if not isinstance(entries, list):
            return value, 0, 0  # the reader reports a malformed Bundle
        kept, own, left_out = [], 0, 0
        for entry in entries:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                kept.append(entry)  # the reader reports it as an entry without a resource
                continue
            if resource["resourceType"] == "Bundle":
                inner, inner_own, inner_out = self._filter(resource)
                own, left_out = own + inner_own, left_out + inner_out
                kept.append({**entry, "resource": inner})
                continue
            verdict = self.belongs(resource)
            if verdict is False:
                left_out += 1
                continue
            own += int(bool(verdict))
            kept.append(entry)
        filtered = {**value, "entry": kept}
        total = stated_total(value)
        if total is not None:
            # the search's total counted the matches left out too: what is kept is still the whole search
            # for the patient (cds.hooks.fhir.prefetch reads a Bundle short of its total as cut short)
            filtered["total"] = max(0, total - (search_matches(entries) - search_matches(kept)))
        return filtered, own, left_out

    def prefetch(self, prefetch: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The prefetch with only the patient's resources; a key left with none of them (but holding
        another's) is omitted, so that it is fetched or known to be not available."""
        if prefetch is None:
            return None
        scoped: dict[str, Any] = {}
        for key, value in prefetch.items():
            if not isinstance(value, dict):
                scoped[key] = value
                continue
            kept, own, left_out = self._filter(value)
            self.dropped += left_out
            if kept is not None and (own or not left_out):
                scoped[key] = kept
        return scoped

    def resolved(self, resolved: Resolved, templates: Sequence[Template]) -> None:
        """Filter what the FHIR server answered too. Raises PreconditionFailed when a required template's
        data held only another patient's resources."""
        by_key = {t.key: t for t in templates}
        given = {k: v for k, v in resolved.data.items() if isinstance(v, dict)}
        collected = from_prefetch(given)
        aliases = collected.aliases
        # a fullUrl that now names two resources is an alias of neither (cds.reading)
        conflicting = {url for url in collected.conflicting_urls() if url in self.aliases}
        changed = bool(conflicting) or any(self.aliases.get(alias) != target for alias, target in aliases.items())
        if changed:
            self.aliases.update(aliases)
            for url in conflicting:
                del self.aliases[url]
            self._verdicts.clear()
        for key, value in list(resolved.data.items()):
            if not isinstance(value, dict):
                continue
            if not changed and key not in resolved.fetched:
                continue  # filtered by ``prefetch`` under the same aliases: filtering again changes nothing
            kept, own, left_out = self._filter(value)
            self.dropped += left_out
            if left_out and not own:
                del resolved.data[key]
                if key in by_key and by_key[key] not in resolved.unavailable:
                    resolved.unavailable.append(by_key[key])
            else:
                resolved.data[key] = kept
        missing = [t.key for t in resolved.unavailable if t.required]
        if missing:
            raise PreconditionFailed(missing)

    def note(self) -> str | None:
        """The line each card carries when resources were left out (a count, never what they were)."""
        if not self.dropped:
            return None
        return (f"**Not evaluated**: {self.dropped} resource(s) sent with this request do not belong to this "
                "patient (or name no patient) and were left out.")

    def issue(self) -> str:
        return f"{self.dropped} resource(s) not of the context patient left out of the evaluation"

    def log(self, service: str, hook: str) -> None:
        if self.dropped:
            logger.warning("%s %s: %d resource(s) not of the context patient left out", service, hook, self.dropped)


def with_note(issued: IssuedCard, note: str) -> IssuedCard:
    """The card with ``note`` added at the end of its detail (same uuid: the audit names this card)."""
    detail = f"{issued.card.detail}\n\n{note}" if issued.card.detail else note
    return replace(issued, card=issued.card.model_copy(update={"detail": detail}))
