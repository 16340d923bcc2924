"""The dosimetry part of the output contract (docs/outputs.md): ``kidney_dosimetry``, and the text lines."""

from __future__ import annotations

from typing import Any

from cds.dosimetry.conclusions import BoneMarrow, CycleDose, Finding, KidneyDosimetry, NextCycle


def _gy(value: float | None) -> float | None:
    """A dose as the document shows it: to 0.01 Gy (the rules compared the unrounded value)."""
    return None if value is None else round(value, 2)


def _cycle(dose: CycleDose, kidney: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"cycle": dose.cycle, "absorbed_gy": _gy(dose.absorbed_gy)}
    if kidney:
        entry["bed_gy"] = _gy(dose.bed_gy)
    entry.update({
        "gy_per_gbq": None if dose.gy_per_gbq is None else round(dose.gy_per_gbq, 4),
        "gy_per_gbq_from": dose.gy_per_gbq_from,
        "t_eff_h": None if dose.t_eff_h is None else round(dose.t_eff_h, 2),
        "observation": dose.observation,
    })
    if kidney:
        entry["side"] = dose.side
    entry["observations"] = list(dose.observations)
    if dose.reason is not None:
        entry["reason"] = dose.reason
    return entry


def _next(cycle: NextCycle | None) -> dict[str, Any] | None:
    if cycle is None:
        return None
    return {
        "cycle": cycle.cycle,
        "planned_activity_gbq": cycle.planned_activity_gbq,
        "planned_from": cycle.planned_from,
        "projected_absorbed_gy": _gy(cycle.projected_absorbed_gy),
        "projected_cumulative_bed_gy": _gy(cycle.projected_cumulative_bed_gy),
        "max_activity_gbq": cycle.max_activity_gbq,
        "binding_limit": cycle.binding_limit,
        "max_activity_within_limits_gbq": cycle.max_activity_within_limits_gbq,
        "step_gbq": cycle.step_gbq,
        "kinetics": {"cycle": cycle.kinetics_cycle,
                     "gy_per_gbq": None if cycle.gy_per_gbq is None else round(cycle.gy_per_gbq, 4),
                     "t_eff_h": None if cycle.t_eff_h is None else round(cycle.t_eff_h, 2)},
        "reason": cycle.reason,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "limit": finding.limit, "scope": finding.scope, "value_gy": _gy(finding.value_gy),
            "limit_gy": finding.limit_gy, "text": finding.text, "source": finding.source, "status": finding.status}


def _bone_marrow(marrow: BoneMarrow | None) -> dict[str, Any] | None:
    if marrow is None:
        return None
    return {
        "cycles": [_cycle(dose, kidney=False) for dose in marrow.cycles],
        "cumulative_absorbed_gy": _gy(marrow.cumulative_absorbed_gy),
        "reason": marrow.reason,
        "limit_gy": marrow.limit_gy,
        "reference": {"absorbed_gy": marrow.reference_gy, "use": "information" if marrow.limit_gy is None else "limit",
                      "source": marrow.reference_source, "status": marrow.reference_status},
    }


def dosimetry_document(result: KidneyDosimetry | None) -> dict[str, Any] | None:
    """The patient's ``kidney_dosimetry`` key: null when the record has no dosimetry Observation."""
    if result is None:
        return None
    limits: dict[str, Any] = {limit.key: limit.value_gy for limit in result.limits}
    limits["why"] = result.why
    limits["rules"] = [{"limit": limit.key, "rule": limit.rule, "source": limit.source, "status": limit.status}
                       for limit in result.limits]
    return {
        "cycles": [_cycle(dose, kidney=True) for dose in result.cycles],
        "cumulative_absorbed_gy": _gy(result.cumulative_absorbed_gy),
        "cumulative_bed_gy": _gy(result.cumulative_bed_gy),
        "cumulative_reasons": [r for r in (result.absorbed_reason, result.bed_reason) if r is not None],
        "risk_factors": [{"factor": r.factor, "condition": r.ref, "code": r.code} for r in result.risk_factors],
        "limits": limits,
        "parameters": {"alpha_beta_gy": result.alpha_beta_gy, "t_rep_h": result.t_rep_h,
                       "source": result.parameters_source},
        "next": _next(result.next),
        "findings": [_finding(f) for f in result.findings],
        "bone_marrow": _bone_marrow(result.bone_marrow),
    }


_LIMIT_NAMES = {"bed_gy": "BED", "absorbed_gy": "absorbed", "bone_marrow_absorbed_gy": "bone marrow absorbed"}


def _shown(value: float | None, unit: str = "Gy") -> str:
    return "cannot evaluate" if value is None else f"{round(value, 2):g} {unit}"


def dosimetry_text(result: KidneyDosimetry | None) -> list[str]:
    """The text output's lines of the kidney dosimetry, indented under the patient (none without it)."""
    if result is None:
        return []
    lines = [f"  kidney dosimetry (alpha/beta {result.alpha_beta_gy:g} Gy, T_rep {result.t_rep_h:g} h):"]
    for dose in result.cycles:
        if dose.absorbed_gy is None:
            lines.append(f"    cycle {dose.cycle}: cannot evaluate: {dose.reason}")
            continue
        kinetics = [f"{dose.gy_per_gbq:.3g} Gy/GBq" if dose.gy_per_gbq is not None else "Gy/GBq unknown",
                    f"T_eff {dose.t_eff_h:g} h" if dose.t_eff_h is not None else "T_eff unknown"]
        lines.append(f"    cycle {dose.cycle}: {_shown(dose.absorbed_gy)} absorbed, BED {_shown(dose.bed_gy)}"
                     f" ({', '.join(kinetics)}) [{dose.observation}]")
    limits = ", ".join(f"{_LIMIT_NAMES.get(limit.key, limit.key)} {limit.value_gy:g} Gy"
                       for limit in result.limits) or "none"
    lines.append(f"    cumulative: {_shown(result.cumulative_absorbed_gy)} absorbed, "
                 f"BED {_shown(result.cumulative_bed_gy)}; limits {limits} ({result.why})")
    for reason in (result.absorbed_reason, result.bed_reason):
        if reason is not None:
            lines.append(f"    - {reason}")
    cycle = result.next
    if cycle is not None:
        lines.append(f"    next cycle {cycle.cycle} at {cycle.planned_activity_gbq:g} GBq: "
                     f"{_shown(cycle.projected_absorbed_gy)} absorbed, BED {_shown(cycle.projected_cumulative_bed_gy)}")
        if cycle.max_activity_gbq is None:
            lines.append(f"    largest next activity: cannot evaluate: {cycle.reason}")
        else:
            bound = f" (set by {cycle.binding_limit})" if cycle.binding_limit else " (the planned activity fits)"
            lines.append(f"    largest next activity within the limits: {cycle.max_activity_gbq:g} GBq{bound}")
    for finding in result.findings:
        when = "delivered" if finding.scope == "delivered" else "after the planned next cycle"
        lines.append(f"    ! {finding.text} ({when}: {_shown(finding.value_gy)}) [{finding.rule}]")
    marrow = result.bone_marrow
    if marrow is not None:
        use = "information only" if marrow.limit_gy is None else f"site limit {marrow.limit_gy:g} Gy"
        found = _shown(marrow.cumulative_absorbed_gy) if marrow.reason is None else f"cannot evaluate ({marrow.reason})"
        lines.append(f"    bone marrow absorbed dose: {found}"
                     f" ({marrow.reference_gy:g} Gy often quoted, {marrow.reference_status}: {use})")
    return lines
