"""The CTCAE version of the service (setting ``ctcae_version``): checked at start-up, named by discovery,
the cards and every audit row; an audit table of an earlier release gains its column.

Another version is a test-only copy of ``rules/ctcae_v5.toml`` relabelled "9.9" (written at run time, in a
process of its own: the rule engine of a process compiles its rulesets once, from the tables then present).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import hooks_support as hs
import pytest
from sqlalchemy import create_engine, event, text

from cds.errors import ConfigurationError
from cds.hooks.settings import load_settings
from cds.hooks.store import CardRecord, Store

TOXICITY = "/cds-services/prrt-toxicity"
TESTS = Path(__file__).resolve().parents[2]

# A process with a rules/ folder of its own: the shipped v5 table and a copy of it as "9.9" (rule ids,
# prefix and title relabelled, thresholds the same), so that only the version can tell them apart.
OTHER_VERSION = r'''
import json, shutil, sys
from pathlib import Path

import hooks_support as hs

import cds.ctcae.table
from cds.rulebook.files import rules_dir

rules = Path(sys.argv[1]) / "rules"
rules.mkdir()
v5 = rules_dir() / "ctcae_v5.toml"
shutil.copy(v5, rules)
copy = v5.read_text().replace("ctcae5.", "ctcae99.").replace('version = "5.0"', 'version = "9.9"', 1)
copy = copy.replace('rule_prefix = "ctcae5"', 'rule_prefix = "ctcae99"', 1)
copy = copy.replace('title = "NCI CTCAE v5.0 (27 Nov 2017)', 'title = "NCI CTCAE v9.9 (test copy of v5.0)', 1)
(rules / "ctcae_v9.9.toml").write_text(copy)
cds.ctcae.table.rules_dir = lambda: rules

resources, as_of = hs.scenario("withhold", "p1")
with hs.in_process(Path(sys.argv[1]), as_of=as_of, ctcae_version=sys.argv[2]) as running:
    discovery = running.get("/cds-services").json()
    body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources))
    answer = running.post("/cds-services/prrt-toxicity", json=body)
    audit = running.components.store.cards(body["hookInstance"])
print(json.dumps({"discovery": discovery, "status": answer.status_code, "cards": answer.json().get("cards"),
                  "audit": [{k: row[k] for k in ("ctcae_version", "ruleset_version")} for row in audit]}))
'''


def run_with_other_table(folder: Path, version: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", OTHER_VERSION, str(folder), version], capture_output=True,
                          text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return run_with_other_table(tmp_path_factory.mktemp("ctcae99"), "9.9")


def test_a_version_not_shipped_fails_at_start_up_naming_what_exists() -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_settings(ctcae_version="4.03")
    assert "ctcae_version '4.03' is not a CTCAE table shipped in rules/" in str(raised.value)
    assert "available: " in str(raised.value) and "5.0" in str(raised.value).split("available: ")[1]


def test_default_version_is_named_by_discovery_cards_and_audit(tmp_path: Path) -> None:
    resources, as_of = hs.scenario("withhold", "p1")
    with hs.in_process(tmp_path, as_of=as_of) as running:
        discovery = running.get("/cds-services").json()
        body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources))
        [card] = running.post(TOXICITY, json=body).json()["cards"]
        audit = running.components.store.cards(body["hookInstance"])
    [toxicity] = [s for s in discovery["services"] if s["id"] == "prrt-toxicity"]
    assert "worst CTCAE v5.0 grade" in toxicity["description"]
    assert card["source"]["label"].startswith("prrt-cds: NCI CTCAE v5.0 and Lutathera label")
    assert "Thresholds: NCI CTCAE v5.0 (27 Nov 2017)" in card["detail"]
    assert [row["ctcae_version"] for row in audit] == ["5.0"]


def test_another_version_is_named_by_discovery_cards_and_audit(other: dict[str, object]) -> None:
    assert other["status"] == 200
    services = other["discovery"]["services"]  # type: ignore[index]
    [toxicity] = [s for s in services if s["id"] == "prrt-toxicity"]
    assert "worst CTCAE v9.9 grade" in toxicity["description"] and "v5.0" not in toxicity["description"]
    [card] = other["cards"]  # type: ignore[misc]
    assert card["source"]["label"].startswith("prrt-cds: NCI CTCAE v9.9 and Lutathera label")
    assert "Thresholds: NCI CTCAE v9.9 (test copy of v5.0)" in card["detail"]
    assert "v5.0" not in card["source"]["label"]
    assert card["indicator"] == "critical"  # the same thresholds: the same withhold as under v5.0
    assert other["audit"] == [{"ctcae_version": "9.9", "ruleset_version": other["audit"][0]["ruleset_version"]}]  # type: ignore[index]
    assert other["audit"][0]["ruleset_version"].startswith("ctcae-9.9+lutathera-")  # type: ignore[index]


# --- an audit table of an earlier release (no ctcae_version column) ----------------------------------

OLD_CARD_AUDIT = """CREATE TABLE prrt_cds_card_audit (
    card_uuid VARCHAR(64) NOT NULL PRIMARY KEY, hook_instance VARCHAR(256) NOT NULL,
    service_id VARCHAR(64) NOT NULL, hook VARCHAR(64) NOT NULL, patient VARCHAR(128) NOT NULL,
    ruleset_version VARCHAR(256) NOT NULL, issued_at TIMESTAMP WITH TIME ZONE NOT NULL,
    indicator VARCHAR(16) NOT NULL, action VARCHAR(32) NOT NULL, cycle INTEGER, order_ref VARCHAR(128))"""
OLD_ROW = ("INSERT INTO prrt_cds_card_audit VALUES ('old-card', 'h-old', 'prrt-toxicity', 'patient-view', "
           "'Patient/p1', 'ctcae-5.0+lutathera-2024-04+recist-1.1+000000000000', '2024-01-01 00:00:00+00:00', "
           "'info', 'proceed', 2, NULL)")


@pytest.fixture(params=["sqlite", "postgresql"])
def old_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store on a database whose card audit table was made by an earlier release, with one row."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
        with engine.begin() as connection:
            connection.execute(text(OLD_CARD_AUDIT))
            connection.execute(text(OLD_ROW))
        made = Store(engine)
        yield made
        made.dispose()
        return
    with hs.postgres_schema() as schema:
        engine = create_engine(hs.POSTGRES_URL, pool_pre_ping=True)

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection: object, _: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute(f"SET search_path TO {schema}")
            cursor.close()

        with engine.begin() as connection:
            connection.execute(text(OLD_CARD_AUDIT))
            connection.execute(text(OLD_ROW))
        made = Store(engine)
        try:
            yield made
        finally:
            made.dispose()


def test_an_audit_table_of_an_earlier_release_gains_the_column_and_keeps_its_rows(old_store: Store) -> None:
    old_store.create_schema()
    old_store.create_schema()  # a second start (or worker) finds the column there
    old_store.record_cards([CardRecord(
        card_uuid="new-card", hook_instance="h-new", service_id="prrt-toxicity", hook="patient-view",
        patient="Patient/p1", ruleset_version="ctcae-5.0+x", issued_at=datetime(2024, 3, 1, tzinfo=UTC),
        indicator="info", action="proceed", cycle=3, ctcae_version="5.0")])
    rows = {row["card_uuid"]: row for row in old_store.cards()}
    assert rows["old-card"]["ctcae_version"] is None  # unknown, not invented: its ruleset_version says 5.0
    assert rows["old-card"]["action"] == "proceed" and rows["old-card"]["cycle"] == 2
    assert rows["new-card"]["ctcae_version"] == "5.0"
