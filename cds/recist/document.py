"""RECIST 1.1 parts of the output contract (docs/outputs.md: ``responses``, ``best_overall_response``), JSON and text.

The contract's fields come first; the rest are additive: ``overall_recist`` (the same RECIST category as
``overall``, kept for readers of earlier documents, when Table 2's non-CR/non-PD was shown as SD), the
numbers and rules behind each response, and the settings the best overall response was read with.
``overall`` and both best overall responses carry non-CR/non-PD for non-target disease only.
"""

from __future__ import annotations

from typing import Any

from cds.recist.conclusions import BestOverallResponse, RecistAssessment, TimepointResponse


def response_entry(response: TimepointResponse) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "date": response.day.isoformat(),
        "target": response.target,
        "non_target": response.non_target,
        "new_lesions": response.new_lesions,
        "overall": response.overall,
        "sum_mm": response.sum_mm,
        "change_from_baseline_pct": response.change_from_baseline_pct,
        "change_from_nadir_pct": response.change_from_nadir_pct,
        "source": response.source,
        "overall_recist": response.overall,
    }
    if response.sum_mm is not None:
        entry.update(sum_complete=response.sum_complete, baseline_sum_mm=response.baseline_sum_mm,
                     nadir_mm=response.nadir_mm, change_from_nadir_mm=response.change_from_nadir_mm)
    if response.missing_lesions:
        entry["missing_lesions"] = list(response.missing_lesions)
    if response.ambiguous:
        entry["ambiguous"] = True
    rules = {"target": response.target_rule, "non_target": response.non_target_rule, "overall": response.overall_rule}
    if any(rules.values()):
        entry["rules"] = {name: rule for name, rule in rules.items() if rule}
    if response.reported is not None:
        entry["reported"] = response.reported
    entry["observations"] = list(response.observations)
    return entry


def best_entry(best: BestOverallResponse) -> dict[str, Any]:
    return {
        "unconfirmed": best.unconfirmed,
        "confirmed": best.confirmed,
        "unconfirmed_date": best.unconfirmed_day.isoformat() if best.unconfirmed_day else None,
        "confirmed_dates": [day.isoformat() for day in best.confirmed_days],
        "confirmation_days": best.settings.confirmation_days,
        "sd_minimum_days": best.settings.sd_minimum_days,
        "non_target_only": best.non_target_only,
    }


def responses_document(assessment: RecistAssessment | None) -> list[dict[str, Any]]:
    return [] if assessment is None else [response_entry(r) for r in assessment.responses]


def best_document(assessment: RecistAssessment | None) -> dict[str, Any] | None:
    return None if assessment is None else best_entry(assessment.best)


def best_text(best: BestOverallResponse) -> str:
    """"Best overall response: PR (confirmed)."; the unconfirmed one only where it differs."""
    if best.confirmed is not None and best.confirmed == best.unconfirmed:
        return f"Best overall response: {best.confirmed} (confirmed)."
    confirmed = f"{best.confirmed} (confirmed)" if best.confirmed else "none confirmed"
    unconfirmed = f"; {best.unconfirmed} unconfirmed" if best.unconfirmed else ""
    return f"Best overall response: {confirmed}{unconfirmed}."


def recist_lines(assessment: RecistAssessment | None) -> list[str]:
    """The text output's RECIST 1.1 block: the baseline, each time point, the best overall response."""
    if assessment is None or not assessment.responses:
        return []
    burden = ("non-target disease only" if assessment.best.non_target_only else
              "no target sum" if assessment.baseline_sum_mm is None else f"sum {assessment.baseline_sum_mm:g} mm")
    lines = [f"  RECIST 1.1 (baseline {assessment.baseline_day or 'none'}, {burden}):"]
    for tp in assessment.responses:
        pct = tp.change_from_baseline_pct
        change = "" if pct is None else f", {pct:+.1f}% vs baseline"
        lines.append(f"    {tp.day.isoformat()}  {tp.overall} ({tp.source}; target {tp.target or 'none'}, "
                     f"non-target {tp.non_target or 'none'}{change})")
    lines.append(f"    {best_text(assessment.best)}")
    return lines
