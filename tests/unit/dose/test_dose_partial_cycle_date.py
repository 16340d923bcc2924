"""A cycle dated only by a month (a partial FHIR date, "2024-03") may have been given on any day of it.
What comes after it is counted from the month's last day: the next cycle's due date, the earliest day
an order may plan it, and which amino-acid orders belong to the next cycle. Before, all three were
counted from the month's first day, so an order planned 21 days after the cycle read as on time, and
the previous cycle's own amino-acid order counted as the next one's protection."""

from __future__ import annotations

from datetime import date
from typing import Any

import factories as fx
import hooks_support as hs
import pytest

from cds.evaluation import evaluate_patient
from cds.mapping import map_collected
from cds.reading import from_objects
from cds.timeline import build_timeline


def _result(cycle_2: str, *extra: dict[str, Any], as_of: str = "2024-05-26") -> Any:
    resources = [*hs.prrt_record("p1", cycles=("2024-01-08", cycle_2), panels=[("2024-05-20", {})]), *extra]
    mapped = map_collected(from_objects(resources))
    return evaluate_patient(build_timeline(mapped.records["Patient/p1"]), date.fromisoformat(as_of))


@pytest.mark.parametrize(("cycle_2", "due"), [
    ("2024-03-04", date(2024, 4, 29)),  # a full date: 56 days after it
    ("2024-03", date(2024, 5, 26)),  # a month: 56 days after its last day, 2024-03-31
])
def test_the_next_cycle_is_due_after_the_last_day_a_partial_date_allows(cycle_2: str, due: date) -> None:
    alert = _result(cycle_2).alerts[-1]
    assert (alert.cycle, alert.due) == (3, due)


@pytest.mark.parametrize(("planned", "early"), [
    ("2024-05-18", True),  # 48 days after 2024-03-31 (only 78 after 2024-03-01)
    ("2024-05-19", False),  # 49 days after 2024-03-31: min_interval_days
])
def test_an_order_after_a_month_dated_cycle_is_early_until_49_days_after_the_months_last_day(
        tmp_path: Any, planned: str, early: bool) -> None:
    resources = hs.prrt_record("p1", cycles=("2024-01-08", "2024-03"), panels=[("2024-05-14", {})])
    order = {**hs.service_request("sr-1", "p1", 7.4), "occurrenceDateTime": f"{planned}T09:00:00Z"}
    body = hs.hook_request("order-sign", "p1", prefetch=hs.prefetch_for(resources), orders=[order])
    cards = hs.posted_cards(tmp_path, "/cds-services/prrt-dose-check", body, "2024-05-14")
    early_cards = [c for c in cards if "planned on" in c["summary"]]
    if not early:
        assert early_cards == []
        return
    assert [c["summary"].split(":")[0] for c in early_cards] == [
        f"Lutathera cycle 3 planned on {planned}, 48 days after cycle 2"]
    assert "earliest 2024-05-19" in early_cards[0]["summary"]
    assert ("dated only by a month or a year, so given on a day from 2024-03-01 to 2024-03-31: counted from "
            "2024-03-31" in early_cards[0]["detail"])


def _amino_acid_order(day: str) -> dict[str, Any]:
    return fx.medication_record("aa-1", "MedicationRequest", "LysaKare 25 g/25 g solution for infusion", day)


@pytest.mark.parametrize(("cycle_2", "ordered", "status"), [
    ("2024-03-04", "2024-03-15", "ok"),  # after cycle 2's day: cycle 3's order
    ("2024-03", "2024-03-15", "unknown"),  # cycle 2 may have been given after it: maybe cycle 2's own
    ("2024-03", "2024-04-01", "ok"),
])
def test_an_amino_acid_order_counts_for_the_next_cycle_only_after_every_day_the_last_could_be(
        cycle_2: str, ordered: str, status: str) -> None:
    protocol = _result(cycle_2, _amino_acid_order(ordered)).protocol_checks
    assert protocol is not None and protocol.cycle == 3
    checks = {c.check: c for c in protocol.checks}
    assert checks["amino-acids"].status == status
