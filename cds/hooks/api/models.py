"""The shapes a CDS client sends: a hook request, its hook's context, and feedback (CDS Hooks 2.0.1).

Lenient where the spec is (unknown members are tolerated), strict where a wrong shape would change
the answer or reach a FHIR query (ids are FHIR ids, URLs are absolute http(s) URLs).
``describe_error`` turns a validation error into a short message that never echoes a value sent.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-\[\], ]{0,60}$")
FHIR_ID = r"^[A-Za-z0-9\-.]{1,64}$"  # FHIR R4 id datatype


def _no_nul(value: str) -> str:
    """A NUL character is no text (PostgreSQL cannot store it, SQLite would): refused on every backend."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


def _utc_calendar(value: datetime) -> datetime:
    """An aware time whose UTC instant lies in the years 1 to 9999: it is stored and keyed in UTC, and
    "0001-01-01T00:00:00+14:00" has no UTC time Python can hold."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a time between the years 1 and 9999 in UTC") from None
    return value


Text = Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_no_nul)]
LongText = Annotated[str, AfterValidator(_no_nul)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FhirAuthorization(_Lenient):
    """CDS Hooks 2.0.1 "Passing the Access Token": a bearer token for the CDS client's FHIR server."""

    access_token: SecretStr = Field(min_length=1)  # never logged, never stored
    token_type: str
    expires_in: int
    scope: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    patient: str | None = None

    @model_validator(mode="after")
    def _bearer(self) -> FhirAuthorization:
        if self.token_type.lower() != "bearer":
            raise ValueError("token_type must be Bearer")
        return self


class HookRequest(_Lenient):
    """CDS Hooks 2.0.1 "Calling a CDS Service": the POST body."""

    hook: Text
    hookInstance: Text
    fhirServer: str | None = Field(default=None, max_length=2048)
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, dict[str, Any] | None] | None = None
    extension: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server(self) -> HookRequest:
        if self.fhirServer is not None and not re.match(r"^https?://[^/?#\s]+", self.fhirServer):
            raise ValueError("fhirServer must be an absolute http(s) URL")
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirAuthorization needs fhirServer")
        for value in (self.prefetch or {}).values():
            if value is not None and not isinstance(value.get("resourceType"), str):
                raise ValueError("a prefetch value is not a FHIR resource")
        return self


class Bundle(_Lenient):
    resourceType: Literal["Bundle"]
    entry: list[dict[str, Any]] = Field(default_factory=list)


# Hook contexts, from the hook definitions of the CDS Hooks library (hook version 1.0).
USER_ANY = r"^(Practitioner|PractitionerRole|Patient|RelatedPerson)/[A-Za-z0-9\-.]{1,64}$"
USER_CLINICIAN = r"^(Practitioner|PractitionerRole)/[A-Za-z0-9\-.]{1,64}$"


class PatientViewContext(_Lenient):
    userId: str = Field(pattern=USER_ANY)
    patientId: str = Field(pattern=FHIR_ID)
    encounterId: str | None = Field(default=None, pattern=FHIR_ID)


class OrderSignContext(_Lenient):
    userId: str = Field(pattern=USER_CLINICIAN)
    patientId: str = Field(pattern=FHIR_ID)
    encounterId: str | None = Field(default=None, pattern=FHIR_ID)
    draftOrders: Bundle


class OrderSelectContext(OrderSignContext):
    selections: list[Annotated[str, Field(pattern=r"^[A-Za-z]+/[A-Za-z0-9\-.]{1,64}$")]] = Field(min_length=1)


CONTEXTS: dict[str, type[PatientViewContext] | type[OrderSignContext]] = {
    "patient-view": PatientViewContext,
    "order-sign": OrderSignContext,
    "order-select": OrderSelectContext,
}


# Feedback (CDS Hooks 2.0.1 "Feedback").
class FeedbackCoding(_Lenient):
    system: Text
    code: Text
    display: LongText | None = Field(default=None, max_length=1024)


class AcceptedSuggestion(_Lenient):
    id: Text


class OverrideReason(_Lenient):
    reason: FeedbackCoding | None = None
    userComment: LongText | None = Field(default=None, min_length=1, max_length=4000)

    @model_validator(mode="after")
    def _something(self) -> OverrideReason:
        if self.reason is None and self.userComment is None:
            raise ValueError("overrideReason needs a reason or a userComment")
        return self


class Feedback(_Lenient):
    card: Text
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = Field(default=None, min_length=1, max_length=100)
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: Annotated[AwareDatetime, AfterValidator(_utc_calendar)]

    @model_validator(mode="after")
    def _outcome(self) -> Feedback:
        if self.outcome == "accepted":
            if not self.acceptedSuggestions:
                raise ValueError("an accepted outcome needs acceptedSuggestions")
            if self.overrideReason is not None:
                raise ValueError("an accepted outcome has no overrideReason")
        elif self.acceptedSuggestions is not None:
            raise ValueError("an overridden outcome has no acceptedSuggestions")
        return self


class FeedbackRequest(_Lenient):
    feedback: list[Feedback] = Field(min_length=1, max_length=100)


def _location(part: str | int) -> str:
    """A location step as written, unless it is a key the client chose that does not look like a name."""
    return str(part) if isinstance(part, int) or _NAME.match(part) else "<key>"


def describe_error(error: ValidationError, prefix: str = "") -> str:
    """The first problem as ``where: what`` (the messages pydantic writes never hold the input value)."""
    first = error.errors(include_url=False, include_input=False, include_context=False)[0]
    where = ".".join(_location(part) for part in first["loc"] if not str(part).startswith("function-"))
    where = f"{prefix}.{where}" if prefix and where else prefix or where
    message = first["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
