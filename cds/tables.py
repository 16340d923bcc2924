"""Load the declarative mapping tables in ``fhir_mappings/`` into typed lookups.

The tables are data a clinician or integrator reviews; this module only reads and checks them.
Unit conversion is a lookup of the factor listed for the analyte: a unit that is not listed is not
convertible, and nothing is guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, get_args

from cds.errors import ConfigurationError
from cds.facts import Response
from cds.rulebook.files import mappings_dir
from cds.rulebook.reading import read_table


@dataclass(frozen=True)
class UnitTable:
    """Unit spelling -> factor to a canonical unit. Exact match first, then case-insensitive."""

    canonical: str
    factors: dict[str, float]
    _folded: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        folded: dict[str, float] = {}
        for unit, factor in self.factors.items():
            key = unit.strip().lower()
            if key in folded and folded[key] != factor:
                raise ConfigurationError(
                    f"unit spellings differing only in case have different factors ({self.canonical})"
                )
            folded[key] = factor
        object.__setattr__(self, "_folded", folded)

    def factor(self, unit: str | None, exact: bool = False) -> float | None:
        """The factor that converts ``unit`` to the canonical unit, or None when not convertible.

        ``exact``: the unit is a UCUM code, which is case-sensitive (M = mega, m = milli), so only an
        exact spelling matches; free unit text also matches a listed spelling case-insensitively.
        """
        key = "" if unit is None else unit.strip()
        found = self.factors.get(key)
        if found is None and exact:  # UCUM writes the litre "l" or "L": one unit (10*9/l is 10*9/L)
            found = self.factors.get(_UCUM_LITRE.sub(r"\1L", key))
        if found is not None or exact:
            return found
        return self._folded.get(key.lower())


# The UCUM litre atom "l" with an optional prefix (dl, ml, ul, fl ...), standing alone in a code: UCUM
# defines "l" and "L" as the same unit, so a code written with either finds the spelling listed.
_UCUM_LITRE = re.compile(r"(?<![A-Za-z\[])([dcmunpf]?)l(?![A-Za-z\]])")


@dataclass(frozen=True)
class Plausible:
    """The values a measurement can have in a living patient, in its canonical unit (limits included)."""

    low: float
    high: float
    unit: str
    source: str

    def admits(self, value: float) -> bool:
        """Whether ``value`` (canonical unit) is plausible; NaN and infinities never are."""
        return math.isfinite(value) and self.low <= value <= self.high


@dataclass(frozen=True)
class Correction:
    """analytes.toml ``corrected_for``: the analyte is graded corrected by another measured beside it
    (a total calcium by its albumin): value + per_gram[unit] x (reference - partner), the partner in its
    canonical unit, only when the partner is below ``reference``."""

    analyte: str
    reference: float
    per_gram: dict[str, float]  # the correction per partner unit, in listed units of the corrected analyte
    source: str

    def amount(self, partner: float, unit: str, units: UnitTable) -> float | None:
        """What to add to a value reported in ``unit`` for a partner value (canonical unit): in that unit's
        own form of the formula, else the canonical form converted; None when the unit cannot be converted."""
        below = self.reference - partner
        if below <= 0:
            return 0.0
        factor = units.factor(unit)
        if factor is None:
            return None
        for written, per in self.per_gram.items():
            if units.factor(written) == factor:
                return per * below
        return self.per_gram[units.canonical] * below / factor


@dataclass(frozen=True)
class Analyte:
    key: str
    display: str
    loinc: tuple[str, ...]
    units: UnitTable
    default_range: dict[str, tuple[float, float]]
    plausible: Plausible
    percent_of: str | None = None
    absolute_analyte: str | None = None
    # analytes.toml ``also_graded_as``: a narrower analyte (fasting glucose) is also graded by the CTCAE
    # terms of the broader one (glucose: Hypoglycemia, Hyperglycemia), so that it never goes ungraded
    also_graded_as: str | None = None
    corrected_for: Correction | None = None

    @property
    def canonical_unit(self) -> str:
        return self.units.canonical

    def default_limits(self, sex: str | None) -> tuple[float, float] | None:
        """Default (LLN, ULN) for this sex, or the sex-independent range, or None.

        Sex unknown and ranges by sex only: the narrowest range (highest LLN, lowest ULN), so that an
        abnormal value is never missed for want of the patient's sex (conservative).
        """
        if sex in ("male", "female") and sex in self.default_range:
            return self.default_range[sex]
        if "any" in self.default_range:
            return self.default_range["any"]
        by_sex = [self.default_range[s] for s in ("male", "female") if s in self.default_range]
        if not by_sex:
            return None
        return max(low for low, _ in by_sex), min(high for _, high in by_sex)


@dataclass(frozen=True)
class AnalyteTable:
    version: str
    default_range_source: str
    analytes: dict[str, Analyte]
    by_loinc: dict[str, Analyte]

    def for_loinc(self, code: str) -> Analyte | None:
        return self.by_loinc.get(code)


@dataclass(frozen=True)
class PlausibleDates:
    """The window of plausible dates (codes.toml ``[plausibility]``): from ``earliest`` to today plus
    ``years_ahead`` years, both included; and the plausible ages in completed years."""

    earliest: date
    years_ahead: int
    min_age_years: int
    max_age_years: int

    def latest(self, today: date | None = None) -> date:
        today = today or date.today()
        year = today.year + self.years_ahead
        return today.replace(year=year, day=28) if (today.month, today.day) == (2, 29) else today.replace(year=year)

    def admits(self, day: date, today: date | None = None) -> bool:
        return self.earliest <= day <= self.latest(today)

    def window_text(self, today: date | None = None) -> str:
        return f"{self.earliest.isoformat()} to {self.latest(today).isoformat()}"


@dataclass(frozen=True)
class DosimetryCodes:
    """codes.toml ``[dosimetry]`` and ``[kidney_risk_factors]``: the dosimetry Observation codes, their
    units (to Gy, h, Gy/GBq) and plausible values, and the Condition codes of the kidney risk factors."""

    system: str
    snomed: str  # the system of the risk-factor codes
    kidney_code: str
    bone_marrow_code: str
    half_life_code: str
    per_activity_code: str
    left_kidney: frozenset[str]
    right_kidney: frozenset[str]
    dose_units: UnitTable
    half_life_units: UnitTable
    per_activity_units: UnitTable
    dose_plausible: Plausible
    half_life_plausible: Plausible
    per_activity_plausible: Plausible
    risk_factors: dict[str, str]  # SNOMED CT code -> risk factor ("hypertension", "diabetes")
    active_status: frozenset[str]
    refuted_verification: frozenset[str]


@dataclass(frozen=True)
class CodeTable:
    """Everything in ``codes.toml``, kept as parsed data with a few typed helpers."""

    weight_plausible: Plausible  # codes.toml [body_weight].plausible, in kg
    height_plausible: Plausible  # codes.toml [body_height].plausible, in cm
    dates: PlausibleDates  # codes.toml [plausibility]
    raw: dict[str, Any]
    loinc_pattern: re.Pattern[str]
    activity_units: UnitTable
    weight_units: UnitTable
    height_units: UnitTable
    tumour_units: UnitTable
    dosimetry: DosimetryCodes
    # investigator time-point response code, case-folded -> its RECIST category (FHIR input profile:
    # codes compared without regard to case)
    timepoint_responses: dict[str, Response] = field(default_factory=dict)

    def system(self, name: str) -> str:
        return str(self.raw["systems"][name])

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw[name]
        assert isinstance(value, dict)
        return value


def _read_toml(path: Path) -> dict[str, Any]:
    return read_table(path, "mapping table").content


def _limits(raw: dict[str, Any], key: str) -> dict[str, tuple[float, float]]:
    ranges: dict[str, tuple[float, float]] = {}
    for sex, pair in raw.items():
        if sex not in ("any", "male", "female") or len(pair) != 2 or float(pair[0]) > float(pair[1]):
            raise ConfigurationError(f"analyte {key}: bad default_range entry {sex!r}")
        ranges[sex] = (float(pair[0]), float(pair[1]))
    return ranges


def _plausible(raw: Any, units: UnitTable, what: str) -> Plausible:
    """A ``plausible = { low, high, unit, source }`` entry, converted to the canonical unit and checked:
    both finite, 0 <= low < high, the unit one of the listed spellings, a source named."""
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{what}: no plausible = {{ low, high, unit, source }} limits")
    unit, source = raw.get("unit"), raw.get("source")
    low, high = raw.get("low"), raw.get("high")
    if not isinstance(unit, str) or not isinstance(source, str) or not source.strip():
        raise ConfigurationError(f"{what}: plausible limits need a unit and a source")
    if isinstance(low, bool) or isinstance(high, bool) or not isinstance(low, int | float) or \
            not isinstance(high, int | float):
        raise ConfigurationError(f"{what}: plausible low and high must be numbers")
    factor = units.factor(unit, exact=True)
    if factor is None:
        raise ConfigurationError(f"{what}: plausible limits in unit {unit!r}, which is not a listed unit")
    low_c, high_c = float(low) * factor, float(high) * factor
    if not (math.isfinite(low_c) and math.isfinite(high_c)) or low_c < 0 or low_c >= high_c:
        raise ConfigurationError(f"{what}: plausible limits must be finite with 0 <= low < high")
    return Plausible(low=low_c, high=high_c, unit=units.canonical, source=source.strip())


def _correction(raw: Any, units: UnitTable, key: str) -> Correction | None:
    """A ``corrected_for = { analyte, reference, per_gram, source }`` entry, checked: per_gram in listed units
    of the analyte, its canonical unit among them, every amount positive and finite."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("analyte"), str) \
            or not isinstance(raw.get("per_gram"), dict):
        raise ConfigurationError(f"analyte {key}: corrected_for needs an analyte, a reference and per_gram amounts")
    reference, source = raw.get("reference"), raw.get("source")
    if isinstance(reference, bool) or not isinstance(reference, int | float) or not math.isfinite(reference) \
            or reference <= 0:
        raise ConfigurationError(f"analyte {key}: corrected_for reference must be a positive number")
    if not isinstance(source, str) or not source.strip():
        raise ConfigurationError(f"analyte {key}: corrected_for needs a source")
    per_gram: dict[str, float] = {}
    for unit, amount in raw["per_gram"].items():
        if units.factor(unit, exact=True) is None:
            raise ConfigurationError(f"analyte {key}: corrected_for per_gram in unit {unit!r}, not a listed unit")
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not math.isfinite(amount) or amount <= 0:
            raise ConfigurationError(f"analyte {key}: corrected_for per_gram {unit!r} must be a positive number")
        per_gram[unit] = float(amount)
    if units.canonical not in per_gram:
        raise ConfigurationError(f"analyte {key}: corrected_for per_gram needs the canonical unit {units.canonical!r}")
    return Correction(analyte=raw["analyte"], reference=float(reference),
                      per_gram=per_gram, source=source.strip())


def _plausible_dates(raw: dict[str, Any]) -> PlausibleDates:
    """``[plausibility]`` of codes.toml: earliest_date (a TOML date), years_ahead, age_years = [min, max]."""
    earliest, ahead, ages = raw.get("earliest_date"), raw.get("years_ahead"), raw.get("age_years")
    if not isinstance(earliest, date) or isinstance(ahead, bool) or not isinstance(ahead, int) or ahead < 0:
        raise ConfigurationError("codes.toml [plausibility]: earliest_date must be a date, years_ahead >= 0")
    if not (isinstance(ages, list) and len(ages) == 2 and all(type(a) is int for a in ages)
            and 0 <= ages[0] < ages[1]):
        raise ConfigurationError("codes.toml [plausibility]: age_years must be [min, max] with 0 <= min < max")
    if earliest.year < 2 or ahead > 1000:  # keeps every date +/- a few years inside the calendar
        raise ConfigurationError("codes.toml [plausibility]: the window must lie well inside years 1-9999")
    return PlausibleDates(earliest=earliest, years_ahead=ahead, min_age_years=ages[0], max_age_years=ages[1])


def _measure_plausible(raw: dict[str, Any], section: str) -> Plausible:
    """The plausible limits of a body measure section (``[body_weight]``, ``[body_height]``)."""
    entry = raw[section]
    return _plausible(entry.get("plausible"), _unit_table(entry["units"], entry["canonical_unit"]), section)


def _dosimetry(raw: dict[str, Any]) -> DosimetryCodes:
    """``[dosimetry]`` and ``[kidney_risk_factors]``: a unit table per quantity with its canonical unit
    at factor 1, plausible limits as every measure has them, and each risk-factor code under one factor."""
    entry, risk = raw["dosimetry"], raw["kidney_risk_factors"]
    tables = {}
    for name in ("dose", "half_life", "per_activity"):
        units = _unit_table(entry[f"{name}_units"], entry[f"{name}_canonical_unit"])
        if units.factor(units.canonical, exact=True) != 1.0:
            raise ConfigurationError(f"codes.toml [dosimetry]: {name} canonical unit must convert with factor 1")
        tables[name] = (units, _plausible(entry.get(f"{name}_plausible"), units, f"[dosimetry] {name}"))
    factors: dict[str, str] = {}
    for factor in ("hypertension", "diabetes"):
        for code in risk[factor]:
            if str(code) in factors:
                raise ConfigurationError(f"codes.toml [kidney_risk_factors]: {code} is listed twice")
            factors[str(code)] = factor
    return DosimetryCodes(
        system=str(raw["systems"]["dosimetry"]), snomed=str(raw["systems"]["snomed"]),
        kidney_code=str(entry["kidney_code"]),
        bone_marrow_code=str(entry["bone_marrow_code"]), half_life_code=str(entry["half_life_code"]),
        per_activity_code=str(entry["per_activity_code"]),
        left_kidney=frozenset(str(c) for c in entry["left_kidney_snomed"]),
        right_kidney=frozenset(str(c) for c in entry["right_kidney_snomed"]),
        dose_units=tables["dose"][0], half_life_units=tables["half_life"][0],
        per_activity_units=tables["per_activity"][0], dose_plausible=tables["dose"][1],
        half_life_plausible=tables["half_life"][1], per_activity_plausible=tables["per_activity"][1],
        risk_factors=factors, active_status=frozenset(str(c) for c in risk["active_status"]),
        refuted_verification=frozenset(str(c) for c in risk["refuted_verification"]),
    )


def load_analytes(path: Path | None = None) -> AnalyteTable:
    raw = _read_toml(path or mappings_dir() / "analytes.toml")
    meta = raw.pop("meta", {})
    analytes: dict[str, Analyte] = {}
    by_loinc: dict[str, Analyte] = {}
    for key, entry in raw.items():
        try:
            units = UnitTable(
                canonical=str(entry["canonical_unit"]),
                factors={str(u): float(f) for u, f in entry["units"].items()},
            )
            analyte = Analyte(
                key=key,
                display=str(entry["display"]),
                loinc=tuple(str(code) for code in entry["loinc"]),
                units=units,
                default_range=_limits(entry.get("default_range", {}), key),
                plausible=_plausible(entry.get("plausible"), units, f"analyte {key}"),
                percent_of=entry.get("percent_of"),
                absolute_analyte=entry.get("absolute_analyte"),
                also_graded_as=entry.get("also_graded_as"),
                corrected_for=_correction(entry.get("corrected_for"), units, key),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigurationError(f"analyte {key}: malformed entry ({exc})") from exc
        if analyte.units.factor(analyte.canonical_unit) != 1.0:
            raise ConfigurationError(f"analyte {key}: canonical unit must convert with factor 1")
        for sex, (low, high) in analyte.default_range.items():
            if low < 0 or high > analyte.plausible.high:
                raise ConfigurationError(f"analyte {key}: default_range {sex!r} lies outside 0 to the plausible high")
        analytes[key] = analyte
        for code in analyte.loinc:
            if code in by_loinc:
                raise ConfigurationError(f"LOINC {code} is mapped to two analytes")
            by_loinc[code] = analyte
    for analyte in analytes.values():
        for ref in (analyte.percent_of, analyte.absolute_analyte, analyte.also_graded_as):
            if ref is not None and ref not in analytes:
                raise ConfigurationError(f"analyte {analyte.key}: unknown analyte {ref!r}")
        correction = analyte.corrected_for
        if correction is not None:
            partner = analytes.get(correction.analyte)
            if partner is None:
                raise ConfigurationError(f"analyte {analyte.key}: corrected_for unknown analyte {correction.analyte!r}")
            if not partner.plausible.low < correction.reference < partner.plausible.high:
                raise ConfigurationError(f"analyte {analyte.key}: corrected_for reference {correction.reference:g} "
                                         f"{partner.canonical_unit} lies outside {partner.key}'s plausible values")
        broader = analytes.get(analyte.also_graded_as or "")
        if broader is not None and (broader.units != analyte.units or broader.also_graded_as is not None):
            raise ConfigurationError(f"analyte {analyte.key}: also_graded_as {broader.key!r} needs the same units "
                                     "and canonical unit, and no further also_graded_as")
    return AnalyteTable(
        version=str(meta.get("version", "unversioned")),
        default_range_source=str(meta.get("default_range_source", "")),
        analytes=analytes,
        by_loinc=by_loinc,
    )


def _unit_table(section: dict[str, Any], canonical: str) -> UnitTable:
    return UnitTable(canonical=canonical, factors={str(u): float(f) for u, f in section.items()})


def _timepoint_responses(codes: list[Any]) -> dict[str, Response]:
    """The investigator response codes, case-folded; each must be a RECIST category the rules know."""
    categories: tuple[Response, ...] = get_args(Response)
    folded: dict[str, Response] = {}
    for code in codes:
        category = next((c for c in categories if c == code), None)
        if category is None:
            raise ConfigurationError(f"codes.toml: time-point response {code!r} is not one of {categories}")
        if code.lower() in folded:
            raise ConfigurationError(f"codes.toml: time-point response {code!r} is listed twice (case ignored)")
        folded[code.lower()] = category
    return folded


def load_codes(path: Path | None = None) -> CodeTable:
    raw = _read_toml(path or mappings_dir() / "codes.toml")
    try:
        return CodeTable(
            raw=raw,
            weight_plausible=_measure_plausible(raw, "body_weight"),
            height_plausible=_measure_plausible(raw, "body_height"),
            dates=_plausible_dates(raw.get("plausibility", {})),
            loinc_pattern=re.compile(raw["loinc"]["code_pattern"]),
            activity_units=_unit_table(raw["administration"]["activity_units"], "GBq"),
            weight_units=_unit_table(raw["body_weight"]["units"], raw["body_weight"]["canonical_unit"]),
            height_units=_unit_table(raw["body_height"]["units"], raw["body_height"]["canonical_unit"]),
            tumour_units=_unit_table(raw["tumour"]["units"], raw["tumour"]["canonical_unit"]),
            dosimetry=_dosimetry(raw),
            timepoint_responses=_timepoint_responses(raw["tumour"]["timepoint_responses"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigurationError(f"codes.toml: malformed ({exc})") from exc


@cache
def analytes() -> AnalyteTable:
    """The installed analyte table (read once per process)."""
    return load_analytes()


@cache
def codes() -> CodeTable:
    """The installed code table (read once per process)."""
    return load_codes()


@cache
def unit_display() -> dict[str, str]:
    """Unit spelling as reported -> as a clinician writes it (``fhir_mappings/unit_display.toml``)."""
    raw = _read_toml(mappings_dir() / "unit_display.toml")
    try:
        return {str(unit): str(shown) for unit, shown in raw["display"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigurationError(f"unit_display.toml: malformed ({exc})") from exc


def shown_unit(unit: str | None) -> str:
    """A unit as a clinician writes it ("x10^3/uL" for UCUM "10*3/uL"); unlisted units as reported."""
    if not unit:
        return ""
    return unit_display().get(unit, unit)


def correction_partner(analyte: str) -> str:
    """What an analyte graded corrected is corrected for, as a clinician names it ("albumin")."""
    table = analytes().analytes
    correction = table[analyte].corrected_for if analyte in table else None
    return table[correction.analyte].display.lower() if correction is not None else "another result"


def shown_share(count: float, count_unit: str | None, share: float | None, share_unit: str | None,
                digits: str | None = None) -> str:
    """A count derived from a percent differential as graded, with the share it came from:
    "0.4 x10^9/L (20 % of the WBC)"."""
    return f"{shown_value(count, count_unit)} ({shown_value(share, share_unit, digits) or '?'} of the WBC)"


def shown_value(value: float | None, unit: str | None, digits: str | None = None) -> str | None:
    """A value with the digits it was reported with (``digits``, else the float), in the unit as a
    clinician writes it; None without a value."""
    if value is None:
        return None
    number = digits or f"{value:g}"
    shown = shown_unit(unit)
    return f"{number} {shown}" if shown else number
