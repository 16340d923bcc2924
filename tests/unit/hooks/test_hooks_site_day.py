"""The service's "today" is the site's calendar day. Laboratory results are dated by the day as written
(on the site's clock); before, the service took the UTC day, so at 00:30 in Berlin (22:30 UTC the day
before) a panel drawn at 00:10 was dated after "today": the recommendation did not read it ("laboratory
results needed first", the panel "not read"), and every result's age was a day short."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import hooks_support as hs
import pytest

from cds.hooks import handlers
from cds.hooks.handlers import site_day
from cds.mapping.treatment import treatment_codes

LATE = datetime(2024, 4, 28, 22, 30, tzinfo=UTC)  # 00:30 on 2024-04-29 in Berlin; 18:30 on 04-28 in New York


@pytest.mark.parametrize(("zone", "day"), [
    (None, date(2024, 4, 28)), ("Europe/Berlin", date(2024, 4, 29)), ("America/New_York", date(2024, 4, 28)),
])
def test_the_site_day_is_the_day_on_the_sites_clock(zone: str | None, day: date) -> None:
    assert site_day(LATE, ZoneInfo(zone) if zone else None) == day


def test_the_service_decides_on_the_sites_day(tmp_path: Path, monkeypatch: Any) -> None:
    berlin = dataclasses.replace(treatment_codes(), site_zone=ZoneInfo("Europe/Berlin"))
    monkeypatch.setattr(handlers, "treatment_codes", lambda: berlin)
    resources = hs.prrt_record("p1")
    for lab in hs.panel("p1", "2024-05-07"):  # drawn at 00:10 on the site's clock
        resources.append({**lab, "effectiveDateTime": "2024-05-07T00:10:00+02:00"})
    body = hs.hook_request("patient-view", "p1", prefetch=hs.prefetch_for(resources))
    from cds.hooks.app import create_app

    app = create_app(hs.service_settings(tmp_path, as_of=None),
                     fhir_transport=hs.mock_transport(hs.FhirData(), hs.FHIR_BASE),
                     clock=lambda: datetime(2024, 5, 6, 22, 30, tzinfo=UTC))  # 00:30 on 2024-05-07 in Berlin
    with hs.InProcess(app) as running:
        cards = running.post("/cds-services/prrt-toxicity", json=body).json()["cards"]
    assert len(cards) == 1
    assert "not read" not in cards[0]["summary"]
    assert cards[0]["summary"].startswith("Lutathera cycle 3: proceed at 7.4 GBq")
    assert "evaluated as of 2024-05-07" in cards[0]["detail"]
