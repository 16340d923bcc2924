"""The kidney dosimetry on the cards (``cds.dosimetry``): a detail section with the cumulative kidney dose,
the limits in force and the largest next activity, and a summary note when a limit is exceeded or
holds the next activity below the planned one."""

from __future__ import annotations

import math

from cds.dose.conclusions import DoseAlert
from cds.dosimetry.bed import Radiobiology
from cds.dosimetry.conclusions import KidneyDosimetry
from cds.evaluation import PatientEvaluation
from cds.hooks.cards import markdown as md

_NAMES = {"bed_gy": "kidney BED", "absorbed_gy": "kidney absorbed dose",
          "bone_marrow_absorbed_gy": "bone marrow absorbed dose"}


def _gy(value: float | None) -> str:
    return "cannot evaluate" if value is None else f"{round(value, 2):g} Gy"


def kidney_cap(result: PatientEvaluation, alert: DoseAlert) -> float | None:
    """The largest activity of the alert's cycle within the kidney dose limits, when they hold it below
    the planned activity (cds.dosimetry); None otherwise."""
    dosimetry = result.kidney_dosimetry
    nxt = dosimetry.next if dosimetry is not None else None
    if nxt is None or nxt.cycle != alert.cycle or nxt.binding_limit is None:
        return None
    return nxt.max_activity_gbq


def allowed_text(result: PatientEvaluation, target: float, cap: float | None) -> str:
    """The activity an order may state, as a card says it: "7.4 GBq", or, when the kidney dose limits hold
    it below the dose rules' activity, "1.7 GBq: the largest activity within the kidney dose limits (set by
    the kidney BED limit), below the 7.4 GBq of the dose rules"."""
    if cap is None or cap >= target:
        return f"{target:g} GBq"
    nxt = result.kidney_dosimetry.next if result.kidney_dosimetry is not None else None
    binding = nxt.binding_limit if nxt is not None else None
    limit = f" (set by the {_NAMES.get(binding, binding)} limit)" if binding else ""
    return (f"{max(cap, 0.0):g} GBq: the largest activity within the kidney dose limits{limit}, below the "
            f"{target:g} GBq of the dose rules")


def kidney_dose_unknown(result: KidneyDosimetry | None, cycle: int | None = None) -> bool:
    """Whether the record has dosimetry but the largest next activity within the limits cannot be worked
    out (a cycle without a usable dose, kinetics unknown): the limits cannot be checked for the next cycle
    (of number ``cycle``, when given). Never read as "within the limits"."""
    nxt = result.next if result is not None else None
    if nxt is None or (cycle is not None and nxt.cycle != cycle):
        return False
    return nxt.max_activity_gbq is None


def kidney_dose_notice(result: KidneyDosimetry | None) -> str | None:
    """A short summary part: a limit exceeded by the dose given, else a limit that holds the next
    activity below the planned one, else a next activity the limits cannot be checked for; None when
    none of these."""
    if result is None:
        return None
    delivered = [f for f in result.findings if f.scope == "delivered"]
    if delivered:
        return f"{_NAMES[delivered[0].limit]} {_gy(delivered[0].value_gy)} above {delivered[0].limit_gy:g} Gy"
    nxt = result.next
    if nxt is not None and nxt.binding_limit is not None and nxt.max_activity_gbq is not None:
        return f"kidney dose limits: at most {nxt.max_activity_gbq:g} GBq next"
    if kidney_dose_unknown(result):
        return "cumulative kidney dose cannot be evaluated"
    return None


def kidney_dose_warns(result: KidneyDosimetry | None) -> bool:
    """Whether the dosimetry asks for attention: a limit exceeded, delivered or projected, a next
    activity below the planned one, or a next activity the limits cannot be checked for."""
    if result is None:
        return False
    return (bool(result.findings) or (result.next is not None and result.next.binding_limit is not None)
            or kidney_dose_unknown(result))


BAR_WIDTH = 20


def dose_bar(value: float, limit: float, width: int = BAR_WIDTH) -> str:
    """A text bar of ``value`` against ``limit``: one block per 1/width of the limit, capped at the
    limit's width with a mark beyond it ("`█████████████░░░░░░░`", "`████████████████████▶`")."""
    filled = min(width, math.floor(width * max(value, 0.0) / limit + 1e-9)) if limit > 0 else width
    over = "▶" if value > limit else ""
    return f"`{'█' * filled}{'░' * (width - filled)}{over}`"


def _bars(result: KidneyDosimetry) -> list[str]:
    """One bar per kidney limit in force: the cumulative dose given against it."""
    given = {"bed_gy": result.cumulative_bed_gy, "absorbed_gy": result.cumulative_absorbed_gy}
    lines = []
    for limit in result.limits:
        value = given.get(limit.key)
        if limit.key not in given:
            continue
        if value is None:
            lines.append(f"- {_NAMES[limit.key]}: cannot evaluate of {limit.value_gy:g} Gy")
        else:
            lines.append(f"- {_NAMES[limit.key]}: {dose_bar(value, limit.value_gy)} {round(value, 2):g} of "
                         f"{limit.value_gy:g} Gy ({value / limit.value_gy:.0%})")
    return lines


def _arithmetic(result: KidneyDosimetry) -> list[str]:
    """How the largest next activity follows (rules/kidney_dosimetry.toml): the patient's kinetics, the
    room left under each limit in force and the activity it allows, as the decision worked them out
    (``NextCycle.rooms``: every limit, the bone marrow's included), then the rounding."""
    nxt = result.next
    if nxt is None or nxt.gy_per_gbq is None or nxt.t_eff_h is None or nxt.max_activity_within_limits_gbq is None:
        return []
    k = Radiobiology(result.alpha_beta_gy, result.t_rep_h).k(nxt.t_eff_h)
    lines = [f"Arithmetic (kinetics of cycle {nxt.kinetics_cycle}): D = {nxt.gy_per_gbq:g} Gy/GBq x A; "
             f"BED = D + D^2 x T_rep / ((alpha/beta) x (T_rep + T_eff)) = D + {k:.4f} x D^2 "
             f"(T_rep {result.t_rep_h:g} h, T_eff {nxt.t_eff_h:g} h, alpha/beta {result.alpha_beta_gy:g} Gy)."]
    for room in nxt.rooms:
        left = f"room {room.limit_gy:g} - {round(room.cumulative_gy, 2):g} = {round(room.room_gy, 2):g} Gy"
        if room.limit == "bed_gy":
            lines.append(f"- BED: {left}; D + {k:.4f} x D^2 <= {round(room.room_gy, 2):g} gives D <= "
                         f"{room.activity_gbq * room.gy_per_gbq:.2f} Gy, A <= {room.activity_gbq:.2f} GBq")
        elif room.limit == "absorbed_gy":
            lines.append(f"- absorbed dose: {left}, A <= {room.activity_gbq:.2f} GBq")
        else:
            lines.append(f"- {_NAMES.get(room.limit, room.limit)}: {left} at {room.gy_per_gbq:g} Gy/GBq, "
                         f"A <= {room.activity_gbq:.2f} GBq")
    if nxt.rooms and nxt.max_activity_gbq is not None:
        smallest = min(room.activity_gbq for room in nxt.rooms)
        lines.append(f"- the smallest, {smallest:.2f} GBq, rounded down to a step of {nxt.step_gbq:g} GBq "
                     f"(never above the planned {nxt.planned_activity_gbq:g} GBq): {nxt.max_activity_gbq:g} GBq")
    return lines


def kidney_dose_section(result: KidneyDosimetry | None) -> str | None:
    """The card's kidney dosimetry section (None without dosimetry)."""
    if result is None:
        return None
    limits = ", ".join(f"{_NAMES.get(limit.key, limit.key)} {limit.value_gy:g} Gy ({limit.rule})"
                       for limit in result.limits) or "none"
    lines = [f"**Kidney dosimetry**: cumulative absorbed dose {_gy(result.cumulative_absorbed_gy)}, "
             f"BED {_gy(result.cumulative_bed_gy)} (alpha/beta {result.alpha_beta_gy:g} Gy, "
             f"repair half-time {result.t_rep_h:g} h). "
             f"Limits: {md.text(limits)}; {md.text(result.why)}.", ""]
    rows = [[dose.cycle, _gy(dose.absorbed_gy), _gy(dose.bed_gy) if dose.absorbed_gy is not None else None,
             None if dose.t_eff_h is None else f"{dose.t_eff_h:g} h", dose.observation or dose.reason]
            for dose in result.cycles]
    lines.append(md.table(["Cycle", "Absorbed", "BED", "T_eff", "Observation"], rows))
    bars = _bars(result)
    if bars:
        lines += ["", "Cumulative kidney dose against each limit:", *bars]
    for reason in (result.absorbed_reason, result.bed_reason):
        if reason is not None:
            lines += ["", md.text(reason)]
    nxt = result.next
    if nxt is not None:
        lines += ["", f"Next cycle {nxt.cycle} at {nxt.planned_activity_gbq:g} GBq: absorbed "
                      f"{_gy(nxt.projected_absorbed_gy)}, BED {_gy(nxt.projected_cumulative_bed_gy)}."]
        if nxt.max_activity_gbq is None:
            lines.append(f"Largest next activity: cannot evaluate ({md.text(nxt.reason)}).")
        elif nxt.binding_limit is None:
            lines.append(f"The planned {nxt.planned_activity_gbq:g} GBq keeps every limit.")
        else:
            lines.append(f"**Largest next activity within the limits: {nxt.max_activity_gbq:g} GBq** (set by the "
                         f"{_NAMES.get(nxt.binding_limit, nxt.binding_limit)} limit; rounded down to "
                         f"{nxt.step_gbq:g} GBq).")
            lines += ["", *_arithmetic(result)]
    for finding in result.findings:
        when = "given so far" if finding.scope == "delivered" else "after the planned next cycle"
        lines += ["", f"- {md.text(finding.text)} ({when}: {_gy(finding.value_gy)}; {md.text(finding.rule)}; "
                      f"{md.text(finding.source)}, {md.text(finding.status)})"]
    marrow = result.bone_marrow
    if marrow is not None:
        use = "information only" if marrow.limit_gy is None else f"site limit {marrow.limit_gy:g} Gy"
        lines += ["", f"Bone marrow absorbed dose: {_gy(marrow.cumulative_absorbed_gy)} "
                      f"({marrow.reference_gy:g} Gy often quoted, {md.text(marrow.reference_status)}: {use})."]
    return "\n".join(lines)
