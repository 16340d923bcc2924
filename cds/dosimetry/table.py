"""Read and check ``rules/kidney_dosimetry.toml``: the radiobiological settings, the limits (site
settings) and the rows that decide which limits are in force and whether a dose exceeds them.

Each ``[[limit]]`` row's ``when`` is read with the rule tables' one condition grammar
(``cds.rulebook.grammar``): the yes/no field ``risk_factor`` and exactly one quantity (``bed_gy``,
``absorbed_gy``, ``bone_marrow_gy``) compared with a limit of ``[limits]`` by name (``>`` or ``>=``).
The quantity a row compares is the limit it sets. A site that sets ``bone_marrow_absorbed_gy`` in
``[limits]`` gets the generated row ``dosimetry.bone_marrow.absorbed``; without it, bone marrow is
information only. Anything else is a ConfigurationError when the table loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from cds.errors import ConfigurationError
from cds.rulebook.files import rules_dir
from cds.rulebook.grammar import Comparison, Names, check_flags, parse_when
from cds.rulebook.links import check_unique
from cds.rulebook.placeholders import fill
from cds.rulebook.reading import malformed, read_table

Quantity = Literal["bed_gy", "absorbed_gy", "bone_marrow_gy"]
QUANTITIES: tuple[Quantity, ...] = ("bed_gy", "absorbed_gy", "bone_marrow_gy")
FLAGS = ("risk_factor",)
# The document key of the limit each quantity sets (docs/outputs.md, ``limits`` and ``binding_limit``).
LIMIT_KEY: dict[Quantity, str] = {"bed_gy": "bed_gy", "absorbed_gy": "absorbed_gy",
                                  "bone_marrow_gy": "bone_marrow_absorbed_gy"}
BONE_MARROW_SETTING = "bone_marrow_absorbed_gy"
BONE_MARROW_RULE = "dosimetry.bone_marrow.absorbed"


@dataclass(frozen=True)
class LimitRow:
    """One ``[[limit]]`` row: the quantity it limits, the threshold (a limit of [limits]) and the
    risk-factor condition under which it is in force."""

    rule: str
    quantity: Quantity
    setting: str
    threshold: float
    inclusive_over: bool  # True: ">=" (the limit itself exceeds); False: ">" (the limit itself is within)
    risk_factor: bool | None  # True: with risk factors only; False: without only; None: always
    comparisons: tuple[Comparison, ...]
    text: str
    source: str
    status: str


@dataclass(frozen=True)
class DosimetryTable:
    version: str
    title: str
    alpha_beta_gy: float
    t_rep_h: float
    activity_step_gbq: float
    kinetics_cycle: int
    gy_per_gbq_tolerance: float  # a stated Gy/GBq this much below dose / activity is not used
    bone_marrow_reference_gy: float
    parameters_source: str
    bone_marrow_reference_source: str
    bone_marrow_reference_status: str
    limits: dict[str, float]
    rows: tuple[LimitRow, ...]
    digest: str
    file: str = "kidney_dosimetry.toml"

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(row.rule for row in self.rows)

    @property
    def bone_marrow_limit_gy(self) -> float | None:
        """The site's bone marrow limit, or None: information only."""
        return self.limits.get(BONE_MARROW_SETTING)


def _number(value: Any, what: str, file: str, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or (positive and value <= 0):
        raise ConfigurationError(f"{file}: {what} must be a finite number above 0")
    return float(value)


def _row(entry: dict[str, Any], limits: dict[str, float], file: str) -> LimitRow:
    rule = str(entry["rule"])
    names = Names(fields=(*QUANTITIES, *FLAGS), forms=("setting", "flag"), ops=(">", ">=", "=="),
                  settings=limits, what="dosimetry condition")
    comparisons = parse_when(str(entry["when"]), names, file=file, entry=rule)
    check_flags(comparisons, FLAGS, file=file, entry=rule)
    measured = [c for c in comparisons if not c.is_flag]
    if len(measured) != 1 or measured[0].op not in (">", ">="):
        raise ConfigurationError(f"{file}: {rule}: a row compares exactly one quantity with a limit (> or >=)")
    flags = [c for c in comparisons if c.is_flag]
    if len(flags) > 1:
        raise ConfigurationError(f"{file}: {rule}: risk_factor is named more than once")
    compared = measured[0]
    assert compared.setting is not None
    return LimitRow(
        rule=rule, quantity=compared.field, setting=compared.setting,  # type: ignore[arg-type]
        threshold=compared.threshold, inclusive_over=compared.op == ">=",
        risk_factor=flags[0].wanted if flags else None, comparisons=comparisons,
        text=fill(str(entry["text"]), limits, file=file, entry=rule),
        source=str(entry["source"]), status=str(entry["status"]),
    )


def _bone_marrow_row(limits: dict[str, float]) -> LimitRow:
    """The row a site's bone marrow limit makes (a site setting, so its source is the site)."""
    threshold = limits[BONE_MARROW_SETTING]
    comparison = Comparison("bone_marrow_gy", ">", threshold, form="setting", setting=BONE_MARROW_SETTING)
    return LimitRow(
        rule=BONE_MARROW_RULE, quantity="bone_marrow_gy", setting=BONE_MARROW_SETTING, threshold=threshold,
        inclusive_over=False, risk_factor=None, comparisons=(comparison,),
        text=f"Cumulative bone marrow absorbed dose above {threshold:g} Gy, the site's limit",
        source="site setting bone_marrow_absorbed_gy (rules/kidney_dosimetry.toml [limits])",
        status="site setting",
    )


def load_table(path: Path) -> DosimetryTable:
    read = read_table(path, "dosimetry table")
    name = read.name
    with malformed(name, "dosimetry table"):
        raw = read.content
        meta, settings = raw["meta"], raw["settings"]
        limits = {str(k): _number(v, f"[limits] {k}", name) for k, v in raw["limits"].items()}
        rows = [_row(entry, limits, name) for entry in raw["limit"]]
        if BONE_MARROW_SETTING in limits:
            rows.append(_bone_marrow_row(limits))
        kinetics = settings["kinetics_cycle"]
        if isinstance(kinetics, bool) or not isinstance(kinetics, int) or kinetics < 0:
            raise ConfigurationError(f"{name}: kinetics_cycle must be 0 (the highest Gy/GBq) or a cycle number")
        table = DosimetryTable(
            version=str(meta["version"]), title=str(meta.get("title", "")),
            alpha_beta_gy=_number(settings["alpha_beta_gy"], "alpha_beta_gy", name),
            t_rep_h=_number(settings["t_rep_h"], "t_rep_h", name),
            activity_step_gbq=_number(settings["activity_step_gbq"], "activity_step_gbq", name),
            kinetics_cycle=kinetics,
            gy_per_gbq_tolerance=_number(settings["gy_per_gbq_tolerance"], "gy_per_gbq_tolerance", name),
            bone_marrow_reference_gy=_number(settings["bone_marrow_reference_gy"], "bone_marrow_reference_gy", name),
            parameters_source=str(settings["parameters_source"]),
            bone_marrow_reference_source=str(settings["bone_marrow_reference_source"]),
            bone_marrow_reference_status=str(settings["bone_marrow_reference_status"]),
            limits=limits, rows=tuple(rows), digest=read.digest, file=name,
        )
    check_unique(table.rule_ids, file=name)
    for row in table.rows:
        if not row.rule.startswith(f"{meta['id']}."):
            raise ConfigurationError(f"{name}: rule id {row.rule} does not start with {meta['id']}.")
    return table


@cache
def table() -> DosimetryTable:
    """The installed dosimetry table (read once per process)."""
    return load_table(rules_dir() / "kidney_dosimetry.toml")
