"""Service configuration: one settings object from a TOML file and ``PRRT_CDS_*`` environment variables.

docs/outputs.md, "Service configuration": every key of the file also has an environment variable
(``PRRT_CDS_`` + the upper-cased key; nested keys joined by ``__``, e.g. ``PRRT_CDS_AUTH__VERIFY_JWT``),
which wins over the file. The defaults are safe: SQLite in a local file, JWT verification on, no
trusted issuer (so nothing is answered until one is configured), no CORS origin.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from cds.concern import DEFAULT_CTCAE_VERSION
from cds.ctcae.table import available_versions
from cds.engine.memo import DEFAULT_SIZE, MAX_SIZE
from cds.errors import ConfigurationError

ENV_PREFIX = "PRRT_CDS_"
CONFIG_ENV = "PRRT_CDS_CONFIG"  # the config file a uvicorn worker reads (set by ``prrt-cds serve``)
DEFAULT_DATABASE_URL = "sqlite:///prrt-cds.db"


class IssuerSettings(BaseModel):
    """One trusted CDS client (``[[auth.issuers]]``): its ``iss`` and where its public keys are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iss: str = Field(min_length=1)
    jwks_url: str | None = None  # fetched and cached; re-fetched (rate-limited) for an unknown kid
    jwks_file: Path | None = None  # a JWK Set on disk
    jwks: dict[str, Any] | None = None  # a JWK Set written inline
    tenants: list[str] | None = None  # if set, the JWT's ``tenant`` must be one of these
    # The fhirServer base URLs this client's requests may name (besides the global ``fhir_servers``).
    fhir_servers: list[str] | None = None

    @model_validator(mode="after")
    def _one_key_source(self) -> IssuerSettings:
        sources = [s for s in (self.jwks_url, self.jwks_file, self.jwks) if s is not None]
        if len(sources) != 1:
            raise ValueError(f"issuer {self.iss!r}: give exactly one of jwks_url, jwks_file, jwks")
        if self.jwks_url is not None and not self.jwks_url.startswith(("https://", "http://")):
            raise ValueError(f"issuer {self.iss!r}: jwks_url must be an http(s) URL")
        return self


class AuthSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    verify_jwt: bool = True
    issuers: list[IssuerSettings] = Field(default_factory=list)
    leeway_seconds: int = Field(default=30, ge=0, le=300)  # clock skew allowed on exp / iat / nbf
    # Best practices: JWTs should live no more than an hour (the replay cache keeps a jti that long); a
    # CDS client mints one per call, so 5 minutes is plenty and bounds what a lost replay cache exposes.
    max_token_lifetime_seconds: int = Field(default=300, ge=1, le=86400)
    jwks_cache_seconds: int = Field(default=300, ge=0)
    jwks_refetch_seconds: int = Field(default=30, ge=0)  # at most one re-fetch per issuer this often

    @field_validator("issuers")
    @classmethod
    def _unique_issuers(cls, issuers: list[IssuerSettings]) -> list[IssuerSettings]:
        names = [i.iss for i in issuers]
        if len(names) != len(set(names)):
            raise ValueError("an issuer is listed twice")
        return issuers


class ServiceSettings(BaseSettings):
    """Everything the CDS Hooks service is configured with (see the module docstring)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid",
                                      frozen=True)

    # The base the EHR calls; a JWT's aud must equal {public_base_url}/cds-services[/{id}[/feedback]].
    # Unset: http://{host}:{port} of ``prrt-cds serve``.
    public_base_url: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    cors_origins: list[str] = Field(default_factory=list)
    # Shared store of JWT ids already seen: redis://... (shared by every worker and replica); unset: the
    # database; memory:// only for a single worker (each process would keep its own).
    replay_cache_url: str | None = None
    # Allow-list of fhirServer base URLs the service may call for missing prefetch, for every issuer
    # (each issuer may add its own: ``[[auth.issuers]] fhir_servers``). Unset and no issuer list: the
    # service calls no FHIR server at all, and never forwards a caller's access token.
    fhir_servers: list[str] | None = None
    fhir_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    fhir_page_size: int = Field(default=200, ge=1, le=1000)  # the _count of every search
    fhir_max_pages: int = Field(default=50, ge=1, le=1000)
    max_body_bytes: int = Field(default=20_000_000, ge=1024)
    # "Today" for the next-cycle decision; unset: the server's UTC date. For demonstrations and tests.
    as_of: date | None = None
    auth: AuthSettings = Field(default_factory=AuthSettings)
    # A FHIR server on a loopback, private, link-local or otherwise non-public address is called only
    # when this is true (an allowed URL alone does not suffice): such addresses reach admin endpoints.
    fhir_allow_private_networks: bool = False
    fhir_max_response_bytes: int = Field(default=10_000_000, ge=1024)  # one FHIR answer; beyond: no data
    # --- Limits under slow clients, stalls and big inputs (README, "Limits"). Per uvicorn worker. ---
    # Connections open at once; beyond it the connections with no request in progress (idle, or still
    # sending their headers) are closed, oldest first, and if none is, the new one gets a bare 503.
    max_connections: int = Field(default=1000, ge=1, le=100_000)
    # A request's headers must be complete this long after its connection opened (or, on a kept-alive
    # connection, after its first byte); its body this long after its headers. Else the connection closes.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    body_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    keep_alive_seconds: int = Field(default=5, ge=1, le=300)  # an idle kept-alive connection is closed
    # Resources one hook call may bring to the evaluation (prefetch, fetched and draft orders); 413 beyond.
    # At 10,000 the rule engine holds the interpreter for at most about 0.25 s at a time (benchmarks).
    max_resources: int = Field(default=10_000, ge=1, le=1_000_000)
    # A hook call not answered within this time (data resolution, waiting for an evaluation slot,
    # evaluation, cards) is answered 503; its cards are then never issued nor audited.
    request_deadline_seconds: float = Field(default=30.0, gt=0, le=600)
    evaluation_slots: int = Field(default=2, ge=1, le=64)  # evaluations at once, each in a thread
    # Every database call (connect, statement, commit) answers or fails within this time: 503.
    database_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    # The CTCAE table the service grades with (rules/ctcae_v<version>.toml); discovery, the cards and
    # every audit row name it. One of the tables shipped, else the service does not start.
    ctcae_version: str = DEFAULT_CTCAE_VERSION
    # Facts whose rule hits each worker remembers (docs/rule-engine.md, "Memo"), about 0.25 KiB each;
    # 0: no memo. Kept across requests for the life of the worker.
    engine_memo_size: int = Field(default=DEFAULT_SIZE, ge=0, le=MAX_SIZE)

    @field_validator("ctcae_version")
    @classmethod
    def _shipped_ctcae(cls, value: str) -> str:
        shipped = sorted(available_versions())
        if value not in shipped:
            raise ValueError(f"ctcae_version {value!r} is not a CTCAE table shipped in rules/; "
                             f"available: {', '.join(shipped)}")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("public_base_url must be an http(s) URL")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments (load_settings); the environment wins over them.
        return env_settings, init_settings

    def base_url(self) -> str:
        if self.public_base_url is None:
            raise ConfigurationError("public_base_url is not set")
        return self.public_base_url


def _resolve_paths(raw: dict[str, Any], folder: Path) -> None:
    """A relative ``jwks_file`` in the config file is relative to the file's folder."""
    auth = raw.get("auth")
    issuers = auth.get("issuers") if isinstance(auth, dict) else None
    for issuer in issuers if isinstance(issuers, list) else []:
        if isinstance(issuer, dict) and isinstance(issuer.get("jwks_file"), str):
            path = Path(issuer["jwks_file"])
            issuer["jwks_file"] = str(path if path.is_absolute() else folder / path)


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> ServiceSettings:
    """Settings from ``config_file`` (TOML, optional) and the environment. Raises ConfigurationError."""
    raw: dict[str, Any] = {}
    if config_file is not None:
        path = Path(config_file)
        try:
            with path.open("rb") as handle:
                raw = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"cannot read the service configuration {path}: {exc}") from exc
        _resolve_paths(raw, path.resolve().parent)
    raw.update(overrides)
    try:
        return ServiceSettings(**raw)
    except ValueError as exc:  # pydantic.ValidationError; pydantic-settings' SettingsError names the key only
        text = _problems(exc) if isinstance(exc, ValidationError) else str(exc)
        raise ConfigurationError(f"invalid service configuration: {text}") from None


def _problems(error: ValidationError) -> str:
    """Each problem as ``key: what``. pydantic's own text quotes the value (``input_value=...``), which may
    be a password (a database or Redis URL under a misspelt key): never shown."""
    found = []
    for problem in error.errors(include_url=False, include_input=False, include_context=False):
        where = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        found.append(f"{where}: {message}" if where else message)
    return "; ".join(found)
