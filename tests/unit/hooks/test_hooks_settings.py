"""Service configuration: TOML file, PRRT_CDS_* variables winning over it, and checks before serving."""

from __future__ import annotations

import json
from pathlib import Path

import hooks_support as hs
import pytest

from cds.errors import ConfigurationError
from cds.hooks.runtime.serve import check, log_config
from cds.hooks.security import local_key
from cds.hooks.settings import DEFAULT_DATABASE_URL, ServiceSettings, load_settings

CONFIG = """
public_base_url = "https://cds.example.org/"
cors_origins = ["https://ehr.example.org"]

[auth]
verify_jwt = true

[[auth.issuers]]
iss = "https://sandbox.cds-hooks.org"
jwks_url = "https://sandbox.cds-hooks.org/.well-known/jwks.json"

[[auth.issuers]]
iss = "https://ehr.example.org"
jwks_file = "keys/ehr.json"
tenants = ["hospital-1"]
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PRRT_CDS_DATABASE_URL", "PRRT_CDS_AUTH__VERIFY_JWT", "PRRT_CDS_CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_safe() -> None:
    settings = ServiceSettings()
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///prrt-cds.db"
    assert settings.auth.verify_jwt is True and settings.auth.issuers == []
    assert settings.cors_origins == [] and settings.replay_cache_url is None and settings.fhir_servers is None


def test_the_file_is_read_and_relative_key_files_are_beside_it(tmp_path: Path) -> None:
    (tmp_path / "service.toml").write_text(CONFIG)
    settings = load_settings(tmp_path / "service.toml")
    assert settings.public_base_url == "https://cds.example.org"
    assert settings.cors_origins == ["https://ehr.example.org"]
    sandbox, ehr = settings.auth.issuers
    assert sandbox.jwks_url == "https://sandbox.cds-hooks.org/.well-known/jwks.json"
    assert ehr.jwks_file == tmp_path / "keys" / "ehr.json" and ehr.tenants == ["hospital-1"]


def test_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "service.toml").write_text(CONFIG)
    monkeypatch.setenv("PRRT_CDS_DATABASE_URL", "postgresql://cds@db/cds")
    monkeypatch.setenv("PRRT_CDS_AUTH__VERIFY_JWT", "false")
    settings = load_settings(tmp_path / "service.toml")
    assert settings.database_url == "postgresql://cds@db/cds"
    assert settings.auth.verify_jwt is False
    assert len(settings.auth.issuers) == 2  # the rest of [auth] still comes from the file


@pytest.mark.parametrize("text", [
    "unknown_key = 1",
    '[[auth.issuers]]\niss = "x"',
    '[[auth.issuers]]\niss = "x"\njwks_url = "https://a"\njwks_file = "b"',
    'public_base_url = "cds.example.org"',
    "not toml [",
])
def test_bad_configurations_are_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "bad.toml").write_text(text)
    with pytest.raises(ConfigurationError):
        load_settings(tmp_path / "bad.toml")


def test_serve_refuses_an_in_memory_replay_cache_with_several_workers(tmp_path: Path) -> None:
    settings = hs.service_settings(tmp_path, replay_cache_url="memory://")
    check(settings, 1)
    with pytest.raises(ConfigurationError, match="one worker"):
        check(settings, 2)


def test_serve_checks_static_keys_before_starting(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_text(json.dumps({"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]}))
    auth = {"verify_jwt": True, "issuers": [{"iss": "x", "jwks_file": str(tmp_path / "empty.json")}]}
    with pytest.raises(ConfigurationError, match="no usable public signing key"):
        check(hs.service_settings(tmp_path, auth=auth), 1)


def test_logging_keeps_httpx_quiet() -> None:
    config = log_config()
    assert config["loggers"]["cds"]["level"] == "INFO"
    assert config["loggers"]["httpx"]["level"] == "WARNING"


def test_local_key_makes_a_configuration_that_trusts_its_tokens(tmp_path: Path) -> None:
    config = local_key.init(tmp_path)
    assert (tmp_path / local_key.PRIVATE).stat().st_mode & 0o077 == 0
    public = json.loads((tmp_path / local_key.PUBLIC).read_text())
    assert "d" not in public["keys"][0]
    settings = load_settings(config, public_base_url="http://testserver",
                             database_url=f"sqlite:///{tmp_path / 'trial.db'}")
    with hs.InProcess(__import__("cds.hooks.app", fromlist=["create_app"]).create_app(settings)) as running:
        token = local_key.token(tmp_path, "http://testserver/cds-services")
        assert running.get("/cds-services", headers=hs.bearer(token)).status_code == 200


def test_prrt_cds_serve_refuses_a_configuration_that_cannot_work(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cds.cli import app

    monkeypatch.setenv("PRRT_CDS_PUBLIC_BASE_URL", "http://127.0.0.1:8000")  # serve sets these two
    monkeypatch.setenv("PRRT_CDS_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "memory.toml").write_text('replay_cache_url = "memory://"\n')
    result = CliRunner().invoke(app, ["serve", "--config", str(tmp_path / "memory.toml"), "--workers", "2"])
    assert result.exit_code == 2
    assert "one worker" in result.output
    missing = CliRunner().invoke(app, ["serve", "--config", str(tmp_path / "missing.toml")])
    assert missing.exit_code == 2 and "cannot read the service configuration" in missing.output


def test_the_service_applies_its_engine_memo_size_at_start(tmp_path: Path) -> None:
    from cds import bootstrap
    from cds.engine.memo import MemoEngine

    engine = bootstrap.default_engine()
    assert isinstance(engine, MemoEngine)
    before = engine.memo.size
    try:
        with hs.in_process(tmp_path, engine_memo_size=7) as running:
            assert running.get("/cds-services").status_code == 200
            assert engine.memo.size == 7
            assert len(engine.memo) <= 7
    finally:
        bootstrap.set_engine_memo_size(before)


@pytest.mark.parametrize("text", [
    'database_ur = "postgresql://cds:S3cret-db-password@db/cds"',  # a misspelt key: its value is a password
    'replay_cache_url = ["redis://:S3cret-db-password@cache"]',
    '[auth]\nverify_jwt = "S3cret-db-password"',
])
def test_a_bad_configuration_names_the_key_never_its_value(tmp_path: Path, text: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """pydantic's own message quotes the input value (``input_value='postgresql://cds:...'``): a database or
    Redis password would reach stderr and the service's log."""
    from typer.testing import CliRunner

    from cds.cli import app

    (tmp_path / "bad.toml").write_text(text + "\n")
    with pytest.raises(ConfigurationError) as refused:
        load_settings(tmp_path / "bad.toml")
    assert "S3cret" not in str(refused.value)
    assert str(refused.value).startswith("invalid service configuration: ")
    assert text.split("=")[0].strip().split("\n")[-1] in str(refused.value)  # the key is named
    monkeypatch.setenv("PRRT_CDS_CONFIG", str(tmp_path / "none.toml"))
    result = CliRunner().invoke(app, ["serve", "--config", str(tmp_path / "bad.toml")])
    assert result.exit_code == 2 and "invalid service configuration" in result.output
    assert "S3cret" not in result.output
