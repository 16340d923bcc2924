"""Activities an order states per something else: a rate (7.4 GBq over 30 min, 14.8 GBq/h), a
concentration (370 MBq/mL), or an activity per an administration or a period (7.4 GBq per dose).

A change of the ordered activity changes its rate of infusion with it: 3.7 GBq over the same 30 min is
3.7 GBq/30 min, 7.4 GBq/h where 7.4 GBq was 14.8 GBq/h (cds.hooks.cards.order_update scales a rate by
new / old activity, so the infusion keeps its duration). A concentration is the product's, not the
order's: it stays. Any other activity per something (a ``quantityRatio`` of 7.4 GBq per 1 dose, a
Quantity in "GBq/{dose}") cannot be rewritten with certainty.

The time units are the mapping's (fhir_mappings/codes.toml, dosimetry ``half_life_units``: h, min, d), the volume
units the amino-acid volumes' (fhir_mappings/treatment_context.toml ``volume_units``); a unit in
neither is not read as a time or a volume, which keeps the order from being rewritten, never lets a
rate stand unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from cds.mapping.fhir import Unusable, quantity
from cds.mapping.treatment import treatment_codes
from cds.tables import CodeTable, UnitTable

Per = Literal["rate", "concentration", "other"]

# After an activity in a text: "/h", "/30 min", "per hour", "/ 0.5 hours" make it a rate.
_TIME_AFTER = re.compile(r"^\s*(?:/|per\b)\s*(?:\d+(?:[.,]\d+)?\s*)?(?:h|hrs?|hours?|min|mins|minutes?|s|secs?|"
                         r"seconds?|d|days?)(?![^\W\d_])", re.IGNORECASE)


@dataclass(frozen=True)
class RateUnits:
    activity: UnitTable
    time: UnitTable
    volume: UnitTable

    def _is(self, unit: str | None, table: UnitTable, exact: bool) -> bool:
        return unit is not None and table.factor(unit, exact=exact) is not None

    def per(self, denominator: Any) -> Per:
        """What the denominator of an activity makes it: a time a rate, a volume a concentration."""
        try:
            _, unit = quantity(denominator)
        except Unusable:
            return "other"
        if self._is(unit.text, self.time, unit.ucum):
            return "rate"
        return "concentration" if self._is(unit.text, self.volume, unit.ucum) else "other"

    def per_unit(self, value: Any) -> Per | None:
        """For a Quantity in a unit "<activity unit>/<unit>" ("GBq/h", "MBq/mL", "GBq/{dose}"): what it is;
        None for any other value."""
        if not isinstance(value, dict) or "value" not in value:
            return None
        try:
            _, unit = quantity(value)
        except Unusable:
            return None
        numerator, slash, denominator = (unit.text or "").partition("/")
        if not slash or not self._is(numerator.strip(), self.activity, unit.ucum):
            return None
        denominator = denominator.strip()
        if self._is(denominator, self.time, unit.ucum):
            return "rate"
        return "concentration" if self._is(denominator, self.volume, unit.ucum) else "other"


def rate_units(table: CodeTable) -> RateUnits:
    return RateUnits(activity=table.activity_units, time=table.dosimetry.half_life_units,
                     volume=treatment_codes().volume_units)


def text_rate(after: str) -> bool:
    """Whether what follows an activity in a text ("/30 min", "per hour") makes it a rate."""
    return _TIME_AFTER.match(after) is not None


def scaled(value: dict[str, Any], ratio: Decimal) -> dict[str, Any]:
    """The Quantity ``value`` times ``ratio`` (new / old activity), in its own unit."""
    number = Decimal(str(value["value"])) * ratio
    text = format(round(number, 6).normalize(), "f")
    return {**value, "value": float(text)}
