"""The service's durable store (SQLAlchemy): the card audit, feedback, and JWT ids already seen.

SQLite in a local file by default, PostgreSQL by URL (``postgresql://`` or ``postgresql+psycopg://``).
Every worker and replica writes to the same database, so the audit and the replay check agree.
- ``prrt_cds_card_audit``: one row per card issued, written before the response is sent;
- ``prrt_cds_feedback``: one row per distinct feedback item; a repeated item is recognised by its
  content key and stored once (the spec allows a client to send the same feedback again);
- ``prrt_cds_jwt_seen``: JWT ids (hashed with their issuer) until their token expires.
Tokens are never stored; the audit holds the patient reference, not patient data.

A PostgreSQL server that stops answering (connection open, no reply) must not hang a request: with
``timeout_seconds`` one store operation (its pooled connection's check, a new connection, its
statements and commit) answers or fails within that time: the server's ``statement_timeout``, and a
client-side deadline on every wait for the server, which is what holds when the server or the
network is silent; only opening a new connection may take up to 2 s more (libpq's shortest
``connect_timeout``). The caller answers 503.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.connection import _WAIT_INTERVAL
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from cds.errors import ServiceError
from cds.hooks.api.models import Feedback

metadata = MetaData()

card_audit = Table(
    "prrt_cds_card_audit", metadata,
    Column("card_uuid", String(64), primary_key=True),
    Column("hook_instance", String(256), nullable=False, index=True),
    Column("service_id", String(64), nullable=False),
    Column("hook", String(64), nullable=False),
    Column("patient", String(128), nullable=False),
    Column("ruleset_version", String(256), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("indicator", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("cycle", Integer),
    Column("order_ref", String(128)),
    # Added after the first release: NULL in the rows written before it (their ruleset_version names
    # the CTCAE version, "ctcae-5.0+..."); create_schema adds it to an existing table.
    Column("ctcae_version", String(16)),
    # the uuids of the card's suggestions, so that feedback accepting one it did not offer is refused;
    # NULL for a card recorded by an earlier release (its feedback is not checked); create_schema adds it.
    Column("suggestions", JSON),
    # the verified client the card was issued to (its JWT ``iss`` and ``tenant``), so that feedback on the
    # card is taken from that client only; NULL when verification is off or for a card recorded by an
    # earlier release (its feedback is not checked); create_schema adds them.
    Column("issuer", String(512)),
    Column("tenant", String(256)),
)

# Columns added to an existing table by create_schema (ALTER TABLE ... ADD COLUMN, nullable, no default),
# so that a database made by an earlier release keeps working without a migration tool.
ADDED_COLUMNS = ((card_audit, "ctcae_version"), (card_audit, "suggestions"), (card_audit, "issuer"),
                 (card_audit, "tenant"))

feedback_table = Table(
    "prrt_cds_feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_key", String(64), nullable=False, unique=True),
    Column("service_id", String(64), nullable=False),
    Column("card_uuid", String(256), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("accepted_suggestions", JSON),
    Column("override_system", String(256)),
    Column("override_code", String(256)),
    Column("override_display", String(1024)),
    Column("user_comment", Text),
    Column("outcome_timestamp", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

jwt_seen = Table(
    "prrt_cds_jwt_seen", metadata,
    Column("key", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


_WAIT_TIMEOUT: type[Exception] = psycopg.errors._WaitTimeout  # psycopg's own "wait timeout expired"
_DEADLINE = threading.local()  # .at: the monotonic time by which the current store operation ends


def _remaining(default: float) -> float:
    deadline = getattr(_DEADLINE, "at", None)
    return default if deadline is None else max(0.01, deadline - time.monotonic())


class TimedConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every wait for the server ends by the store operation's deadline
    (``answer_within`` seconds when there is none).

    psycopg waits for a statement's result without a bound; a silent server then holds the request (and
    its thread) for ever. On the bound the connection is closed, as its state is unknown, and the
    error is an OperationalError, so that SQLAlchemy discards the connection and the caller sees a
    StoreError.
    """

    answer_within: float = 5.0

    def wait(self, gen: Any, interval: float = _WAIT_INTERVAL, timeout: float | None = None) -> Any:
        try:
            return super().wait(gen, interval=interval, timeout=_remaining(self.answer_within) if timeout is None
                                else timeout)
        except _WAIT_TIMEOUT:
            self.pgconn.finish()
            raise psycopg.OperationalError("the database did not answer in time") from None


def _bounded_postgresql(engine: Engine, seconds: float) -> None:
    """Connect with ``connect_timeout`` and ``statement_timeout``, through TimedConnection."""

    @event.listens_for(engine, "do_connect")
    def connect(_dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> TimedConnection:
        if getattr(_DEADLINE, "at", None) is not None and _remaining(seconds) <= 0.05:
            # the operation's time went on a stalled pooled connection (its check): no new one now
            raise psycopg.OperationalError("the database did not answer in time")
        cparams.setdefault("connect_timeout", max(2, math.ceil(_remaining(seconds))))  # libpq's minimum is 2 s
        # first, so that a statement_timeout of the URL's own options wins
        options = f"-c statement_timeout={math.ceil(seconds * 1000)} {cparams.get('options', '')}"
        cparams["options"] = options.strip()
        connection = TimedConnection.connect(*cargs, **cparams)
        connection.answer_within = seconds
        return connection


class StoreError(ServiceError):
    """The database could not be written or read (the service answers 503, never guesses)."""


class Unstorable(ServiceError, ValueError):
    """A value the database would refuse or alter: a NUL character (PostgreSQL text cannot hold one;
    SQLite would keep it), half a UTF-16 surrogate pair (JSON may escape one, "\\ud800"; no driver can
    encode it), or a string longer than its column. The request is bad (400), not the store."""


class UnknownCard(ServiceError, LookupError):
    """Feedback names a card the service never issued (404): it is not stored as if it were known."""


class UnknownSuggestion(ServiceError, LookupError):
    """Feedback accepts a suggestion its card did not offer (400): nothing of the request is stored."""


# The audit columns whose values come from the request (the others the service writes itself: a value
# of its own that does not fit is a fault of the service, left to the database and answered 503).
CARD_COLUMNS_FROM_REQUEST = frozenset({"hook_instance", "patient", "order_ref", "issuer", "tenant"})


def check_storable(table: Table, rows: Sequence[dict[str, Any]], columns: frozenset[str] | None = None) -> None:
    """Raises Unstorable, naming the column (never the value), so that every backend answers alike.
    ``columns``: the columns to check (all when None)."""
    for row in rows:
        for name, value in row.items():
            if not isinstance(value, str) or (columns is not None and name not in columns):
                continue
            column = table.c[name]
            if "\x00" in value:
                raise Unstorable(f"{name} holds a NUL character")
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise Unstorable(f"{name} is not valid Unicode") from None
            length = getattr(column.type, "length", None)
            if isinstance(length, int) and len(value) > length:
                raise Unstorable(f"{name} is longer than {length} characters")


@dataclass(frozen=True)
class Client:
    """The verified caller: its JWT ``iss`` and ``tenant`` (both None when verification is off)."""

    issuer: str | None = None
    tenant: str | None = None


UNVERIFIED = Client()  # the caller when verification is off


@dataclass(frozen=True)
class CardRecord:
    card_uuid: str
    hook_instance: str
    service_id: str
    hook: str
    patient: str
    ruleset_version: str
    issued_at: datetime
    indicator: str
    action: str
    cycle: int | None = None
    order_ref: str | None = None
    ctcae_version: str | None = None  # the CTCAE table the card's grades come from
    suggestions: list[str] | None = None  # the uuids of the card's suggestions (None: not recorded)
    issuer: str | None = None  # the client the card was issued to (None: verification off)
    tenant: str | None = None


def engine_url(url: str) -> str:
    """``postgresql://`` means the psycopg (3) driver here."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def redacted(url: str) -> str:
    try:
        return make_url(engine_url(url)).render_as_string(hide_password=True)
    except Exception:  # a URL SQLAlchemy cannot parse is not shown at all
        return "<unparsable database URL>"


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Several uvicorn workers write one SQLite file: WAL lets readers run beside one writer, and a
    # writer waits for the lock instead of failing. synchronous=FULL: in WAL mode NORMAL survives a
    # crash of the process but may lose the last commits on power loss; FULL syncs the WAL at every
    # commit, so an acknowledged audit or feedback row is on disk (sqlite.org/pragma.html#pragma_synchronous).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _content_key(service_id: str, item: Feedback) -> str:
    content = {
        "service": service_id, "card": item.card, "outcome": item.outcome,
        "accepted": sorted(s.id for s in item.acceptedSuggestions or []),
        "reason": item.overrideReason.model_dump(mode="json") if item.overrideReason else None,
        "at": item.outcomeTimestamp.astimezone(UTC).isoformat(),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


class Store:
    def __init__(self, engine: Engine, timeout_seconds: float | None = None) -> None:
        self.engine = engine
        self.timeout_seconds = timeout_seconds
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    @classmethod
    def from_url(cls, url: str, timeout_seconds: float | None = None) -> Store:
        """``timeout_seconds``: the bound on every PostgreSQL call, and on waiting for a pooled connection."""
        extra: dict[str, Any] = {} if timeout_seconds is None else {"pool_timeout": timeout_seconds}
        engine = create_engine(engine_url(url), pool_pre_ping=True, **extra)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        elif engine.dialect.name != "postgresql":
            raise StoreError(f"unsupported database {engine.dialect.name!r} (SQLite or PostgreSQL)")
        elif timeout_seconds is not None:
            _bounded_postgresql(engine, timeout_seconds)
        return cls(engine, timeout_seconds)

    @contextmanager
    def _bounded(self) -> Iterator[None]:
        """One deadline for the whole operation (TimedConnection reads it), not one per wait."""
        if self.timeout_seconds is None:
            yield
            return
        previous = getattr(_DEADLINE, "at", None)
        _DEADLINE.at = time.monotonic() + self.timeout_seconds
        try:
            yield
        finally:
            _DEADLINE.at = previous

    def ready(self) -> None:
        """One round trip to the database (the readiness check); raises StoreError."""
        try:
            with self._bounded(), self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError as exc:
            raise StoreError(f"the database does not answer ({type(exc).__name__})") from None

    def create_schema(self) -> None:
        """Create the tables if they are missing, and add the columns a table of an earlier release lacks
        (``ADDED_COLUMNS``); two workers starting at once may race: tolerated."""
        try:
            metadata.create_all(self.engine)
        except (OperationalError, ProgrammingError):
            metadata.create_all(self.engine)  # the other worker created them meanwhile: check again
        try:
            self._add_columns()
        except (OperationalError, ProgrammingError):
            self._add_columns()  # the other worker added them meanwhile: check again

    def _add_columns(self) -> None:
        with self.engine.begin() as connection:
            for table, name in ADDED_COLUMNS:
                present = {column["name"] for column in inspect(connection).get_columns(table.name)}
                if name not in present:
                    kind = table.c[name].type.compile(dialect=connection.dialect)
                    connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))

    def dispose(self) -> None:
        self.engine.dispose()

    def record_cards(self, records: Sequence[CardRecord]) -> None:
        if not records:
            return
        rows = [record.__dict__ for record in records]
        check_storable(card_audit, rows, CARD_COLUMNS_FROM_REQUEST)
        try:
            with self._bounded(), self.engine.begin() as connection:
                connection.execute(card_audit.insert(), rows)
        except SQLAlchemyError as exc:
            raise StoreError(f"card audit not written ({type(exc).__name__})") from None

    def record_feedback(self, service_id: str, items: Sequence[Feedback], received_at: datetime,
                        client: Client = UNVERIFIED) -> tuple[int, int]:
        """Store each item once; returns (stored now, already stored). Raises UnknownCard (and stores
        nothing) when an item names a card this service never issued to ``client`` (a card issued to
        another client is not known to this one: its outcome is that client's to record),
        UnknownSuggestion when it accepts a suggestion its card did not offer, Unstorable for a bad value."""
        rows = []
        for item in items:
            reason = item.overrideReason.reason if item.overrideReason else None
            rows.append({
                "content_key": _content_key(service_id, item), "service_id": service_id,
                "card_uuid": item.card, "outcome": item.outcome,
                "accepted_suggestions": [s.id for s in item.acceptedSuggestions] if item.acceptedSuggestions else None,
                "override_system": reason.system if reason else None,
                "override_code": reason.code if reason else None,
                "override_display": reason.display if reason else None,
                "user_comment": item.overrideReason.userComment if item.overrideReason else None,
                "outcome_timestamp": item.outcomeTimestamp, "received_at": received_at,
            })
        check_storable(feedback_table, rows)
        stored = 0
        try:
            with self._bounded(), self.engine.begin() as connection:
                cards = {row["card_uuid"] for row in rows}
                offered: dict[str, list[str] | None] = {
                    card: suggestions for card, suggestions, issuer, tenant in connection.execute(
                        select(card_audit.c.card_uuid, card_audit.c.suggestions, card_audit.c.issuer,
                               card_audit.c.tenant).where(
                            card_audit.c.card_uuid.in_(cards), card_audit.c.service_id == service_id))
                    if issuer is None or (issuer, tenant) == (client.issuer, client.tenant)}
                if cards - offered.keys():
                    raise UnknownCard(f"{len(cards - offered.keys())} card(s) this service never issued")
                strange = [item for item in items if item.acceptedSuggestions
                           and (known := offered[item.card]) is not None
                           and {s.id for s in item.acceptedSuggestions} - set(known)]
                if strange:
                    raise UnknownSuggestion(f"{len(strange)} item(s) accept a suggestion their card did not offer")
                for row in rows:
                    statement = self._insert(feedback_table).values(**row).on_conflict_do_nothing(
                        index_elements=["content_key"]).returning(feedback_table.c.id)
                    # RETURNING, not rowcount: psycopg reports no row count for ON CONFLICT DO NOTHING
                    stored += connection.execute(statement).first() is not None
        except SQLAlchemyError as exc:
            raise StoreError(f"feedback not written ({type(exc).__name__})") from None
        return stored, len(items) - stored

    def claim_jwt(self, key: str, expires_at: datetime, now: datetime) -> bool:
        """Remember a JWT id until ``expires_at``; False if it is remembered already (a replay)."""
        try:
            with self._bounded(), self.engine.begin() as connection:
                statement = self._insert(jwt_seen).values(key=key, expires_at=expires_at).on_conflict_do_nothing(
                    index_elements=["key"]).returning(jwt_seen.c.key)
                if connection.execute(statement).first() is not None:
                    return True
                # Remembered, but past its expiry (not yet purged): the id may be used again.
                renewed = connection.execute(update(jwt_seen).where(
                    jwt_seen.c.key == key, jwt_seen.c.expires_at < now).values(expires_at=expires_at)
                    .returning(jwt_seen.c.key))
                return renewed.first() is not None
        except SQLAlchemyError as exc:
            raise StoreError(f"JWT id not checked ({type(exc).__name__})") from None

    def purge_jwts(self, now: datetime) -> None:
        try:
            with self._bounded(), self.engine.begin() as connection:
                connection.execute(delete(jwt_seen).where(jwt_seen.c.expires_at < now))
        except SQLAlchemyError as exc:
            raise StoreError(f"JWT ids not purged ({type(exc).__name__})") from None

    def cards(self, hook_instance: str | None = None) -> list[dict[str, Any]]:
        query = select(card_audit)
        if hook_instance is not None:
            query = query.where(card_audit.c.hook_instance == hook_instance)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def feedback(self, card_uuid: str | None = None) -> list[dict[str, Any]]:
        query = select(feedback_table).order_by(feedback_table.c.id)
        if card_uuid is not None:
            query = query.where(feedback_table.c.card_uuid == card_uuid)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]
