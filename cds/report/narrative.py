"""The report in words and tables: the results paragraphs of a paper, and the tables behind them.

Both the Markdown and the HTML page render these, so the two never disagree. A figure the data do not
give is written "NA" or "not reached", never estimated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from cds.facts import Response
from cds.report.cohort import CohortReport, Range
from cds.report.performance import PairedComparison
from cds.report.response import Proportion
from cds.report.survival import CI_METHODS, CiMethod, Interval, SurvivalSummary

_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
          "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen", "Twenty")
RESPONSE_NAMES = {"CR": "complete response", "PR": "partial response", "SD": "stable disease",
                  "non-CR/non-PD": "neither complete response nor progression, non-target disease only",
                  "PD": "progressive disease", "NE": "not evaluable"}
# RECIST 1.1 Table 2 footnote: non-CR/non-PD is named as such, never "stable disease".
IN_WORDS = {**RESPONSE_NAMES, "non-CR/non-PD": "non-CR/non-PD (non-target disease only)"}
ORR_TEXT = "objective response rate (CR + PR)"
DCR_TEXT = "disease control rate (CR + PR + SD + non-CR/non-PD)"
CI_DESCRIPTIONS: dict[CiMethod, str] = {
    "log-log": "read where the pointwise log-log band of S(t) crosses 0.5 (lifelines' band; Brookmeyer-Crowley)",
    "log": "read where the pointwise log band of S(t) crosses 0.5 (R survival's default)",
    "plain": "read where the pointwise plain (linear) band of S(t) crosses 0.5",
    "symmetric": "median ± 1.96·SE(median), SE from Greenwood's variance and the slope of S(t) around the "
                 "median (Collett): the symmetric interval SPSS prints",
}
PUBLISHED_FORM = (
    "Of these methods, only the symmetric one gives a two-sided interval of the form published series "
    "report from SPSS (e.g. a median of 23 months with 95% CI 7.90-38.09): median ± 1.96·SE. The band "
    "methods give limits at event times and NA where the band never falls to 0.5, which is common in "
    "small series."
)


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def number(n: int, start: bool = False) -> str:
    """An integer as a paper writes it: spelled out at the start of a sentence up to twenty."""
    return _WORDS[n] if start and 0 <= n < len(_WORDS) else str(n)


def num(x: float | None, digits: int = 1) -> str:
    return "NA" if x is None else f"{x:.{digits}f}"


def plain(x: float | None) -> str:
    """A median as written: 60.5, 3.5, 1 (no trailing .0)."""
    if x is None:
        return "NA"
    return f"{x:g}" if float(x).is_integer() else f"{x:.2f}".rstrip("0").rstrip(".")


def months(x: float | None) -> str:
    """A median in months: two decimals, one trailing zero dropped (23.0, 17.94)."""
    if x is None:
        return "NA"
    text = f"{x:.2f}"
    return text[:-1] if text.endswith("0") else text


def pct(x: float | None) -> str:
    """A percentage to one decimal, halves rounded up as papers do (13/16 = 81.25 % -> 81.3%)."""
    if x is None:
        return "NA"
    value = Decimal(repr(100 * x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def p_value(p: float | None) -> str:
    if p is None:
        return "NA"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def interval(i: Interval, digits: int = 2) -> str:
    return f"{num(i.low, digits)}-{num(i.high, digits)}"


def _range_text(r: Range | None, unit: str = "", digits: int | None = None) -> str:
    if r is None:
        return "NA"

    def show(x: float) -> str:
        return plain(x) if digits is None else num(x, digits)

    return f"{show(r.median)}{unit} (range {show(r.min)}-{show(r.max)})"


def _proportion(p: Proportion) -> str:
    if p.value is None:
        return "NA"
    return f"{pct(p.value)} (95% CI {pct(p.ci_low)[:-1]}-{pct(p.ci_high)}, Clopper-Pearson)"


def _survival_sentence(name: str, s: SurvivalSummary, events: str) -> str:
    conf = f"{s.conf_level:.0%}"
    if s.median is None:
        median = f"the median {name} was not reached"
    else:
        limits = s.interval
        median = (f"the median {name} was {months(s.median)} months ({conf} CI {interval(limits)}, "
                  f"{s.ci_method} method")
        symmetric = s.intervals["symmetric"]
        if s.ci_method != "symmetric" and symmetric.low is not None:
            median += f"; median ± 1.96·SE, the symmetric interval published series print: {interval(symmetric)}"
        median += ")"
    landmarks = [f"{pct(m.survival)} at {m.time:g} months" for m in s.landmarks if m.survival is not None]
    text = f"{number(s.events, True)} {events} were observed in {s.n} patients ({s.censored} censored); {median}"
    if landmarks:
        text += f". The estimated {name} was " + " and ".join(landmarks)
    return text + "."


def _performance_sentence(c: PairedComparison, name: str, verb_up: str, verb_down: str) -> str:
    if not c.n:
        return f"No patient had a {name} score both before the first cycle and after the last."
    if c.before_median == c.after_median:
        change = f"was unchanged at {plain(c.before_median)}"
    else:
        went = verb_up if (c.after_median or 0) > (c.before_median or 0) else verb_down
        change = (f"{went} from {plain(c.before_median)} before the first cycle to {plain(c.after_median)} "
                  "after the last")
    return (f"The median {name} score {change} ({c.improved} improved, {c.worsened} worsened; Wilcoxon signed-rank "
            f"{p_value(c.p_value)}, n = {c.n}).")


def paragraphs(report: CohortReport) -> list[str]:
    """The results section, one string per paragraph."""
    out = []
    n = report.n_patients
    if not n:
        return ["No patient with a PRRT administration was found in the input."]
    sex = report.sex
    out.append(
        f"{number(n, True)} patients ({sex.get('female', 0)} women, {sex.get('male', 0)} men) were treated with "
        f"177Lu-DOTATATE; their median age at the first cycle was {_range_text(report.age_years, ' years')}. "
        f"They received a median of {_range_text(report.cycles, ' cycles')}, a median cumulative activity of "
        f"{_range_text(report.cumulative_activity_gbq, ' GBq')}."
    )
    r = report.responses
    counts = r.counts
    optional = ("non-CR/non-PD", "NE")  # named only when a patient has them
    shown: tuple[Response, ...] = tuple(k for k in counts if k not in optional or counts[k])
    parts = [f"{IN_WORDS[k]} in {counts[k]} ({pct(counts[k] / n)})" for k in shown]
    confirmation = "confirmed" if r.confirmed else "unconfirmed"
    out.append(
        f"The best overall response (RECIST 1.1, {confirmation}) was " + ", ".join(parts[:-1]) + f" and {parts[-1]}"
        f": an {ORR_TEXT} of {_proportion(r.orr)} and a {DCR_TEXT} of {_proportion(r.dcr)}."
    )
    survival = []
    if report.overall_survival is not None:
        survival.append(_survival_sentence("overall survival", report.overall_survival,
                                           "deaths" if report.overall_survival.events != 1 else "death"))
    if report.progression_free_survival is not None:
        pfs = report.progression_free_survival
        survival.append(_survival_sentence("progression-free survival", pfs,
                                           "progressions or deaths" if pfs.events != 1 else "progression or death"))
    if survival:
        out.append(" ".join(survival))
    out.append(_toxicity_sentence(report))
    out.append(_performance_sentence(report.ecog, "ECOG", "rose", "fell") + " "
               + _performance_sentence(report.kps, "Karnofsky", "rose", "fell"))
    return out


def _toxicity_sentence(report: CohortReport) -> str:
    rows = report.toxicity.rows
    if not rows:
        return "No laboratory toxicity of CTCAE grade 1 or higher was recorded after the first cycle."
    top = max(g for row in rows for g, count in row.by_grade.items() if count)
    items = []
    for row in rows:
        grades = ", ".join(f"grade {g} in {c}" for g, c in row.by_grade.items() if c)
        items.append(f"{row.term.lower()} ({grades} of {row.graded})")
    severe = "no grade 3 or 4 toxicity occurred" if top < 3 else f"the highest grade was {top}"
    return ("Laboratory toxicity (CTCAE v5.0, worst grade per patient from the first cycle on) was: "
            + "; ".join(items) + f"; {severe}.")


def tables(report: CohortReport) -> list[Table]:
    """The tables of the report: responses, survival, every CI method, toxicity, performance status."""
    out = []
    n = report.n_patients or 1
    r = report.responses
    out.append(Table(
        "Best overall response (RECIST 1.1, " + ("confirmed" if r.confirmed else "unconfirmed") + ")",
        ("response", "patients", "%"),
        (*((f"{k} ({RESPONSE_NAMES[k]})", str(c), pct(c / n)) for k, c in r.counts.items()),
         (ORR_TEXT, str(r.orr.successes), _proportion(r.orr)),
         (DCR_TEXT, str(r.dcr.successes), _proportion(r.dcr))),
    ))
    for name, s in (("Overall survival", report.overall_survival),
                    ("Progression-free survival", report.progression_free_survival)):
        if s is None:
            continue
        rows = [("patients / events / censored", f"{s.n} / {s.events} / {s.censored}"),
                ("median (months)", num(s.median, 2)),
                (f"{s.conf_level:.0%} CI ({s.ci_method})", interval(s.interval))]
        rows += [(f"S({m.time:g} months)", f"{pct(m.survival)} ({pct(m.interval.low)}-{pct(m.interval.high)})")
                 for m in s.landmarks]
        out.append(Table(name, ("", "value"), tuple(rows)))
        out.append(Table(
            f"{name}: {s.conf_level:.0%} CI of the median by method",
            ("method", "interval (months)", "how"),
            tuple((m + (" (used above)" if m == s.ci_method else ""), interval(s.intervals[m]), CI_DESCRIPTIONS[m])
                  for m in CI_METHODS),
            note=PUBLISHED_FORM + (f" SE(median) = {num(s.se_median, 2)} months." if s.se_median is not None else ""),
        ))
    tox = report.toxicity
    out.append(Table(
        "Worst CTCAE grade per patient (laboratory, from the first cycle on)",
        ("term", *(f"grade {g}" for g in tox.grades), "patients graded"),
        tuple((row.term, *(str(row.by_grade[g]) for g in tox.grades), str(row.graded)) for row in tox.rows),
        note="" if tox.rows else "No grade 1 or higher.",
    ))
    out.append(Table(
        "Performance status before the first cycle and after the last (patients with both)",
        ("scale", "n", "median before", "median after", "improved", "worsened", "Wilcoxon signed-rank"),
        tuple((c.scale.upper() if c.scale == "ecog" else "Karnofsky", str(c.n), plain(c.before_median),
               plain(c.after_median), str(c.improved), str(c.worsened), p_value(c.p_value))
              for c in (report.ecog, report.kps)),
    ))
    return out


def methods(report: CohortReport) -> list[str]:
    """How the figures were made, in a few sentences."""
    cutoff = report.settings.data_cutoff
    censoring = (f"at the data cut-off {cutoff.isoformat()} (facts after it were not used)" if cutoff else
                 "at the latest date of any of their records")
    return [
        "Times run from the first PRRT administration; months are 30.4375 days. Overall survival ends at death; "
        f"living patients are censored {censoring}. Progression-free survival ends at the first RECIST 1.1 "
        "progression or death, and is otherwise censored at the last tumour assessment.",
        "Survival curves are Kaplan-Meier estimates (lifelines) with Greenwood variances. Medians follow R's "
        "rule: the first time S(t) <= 0.5 (within sqrt(machine epsilon)), the midpoint of a flat stretch at "
        f"exactly 0.5. The interval of the median is by the {report.settings.ci_method} method "
        f"({CI_DESCRIPTIONS[report.settings.ci_method]}); every method is tabulated below.",
        "Response rates carry exact (Clopper-Pearson) 95% intervals over all treated patients; a patient "
        "without an assessment after baseline counts as not evaluable. A patient with non-target disease only "
        "is assessed by RECIST 1.1 Table 2: non-CR/non-PD (never called stable disease, per its footnote) "
        "has the minimum duration of SD and counts towards disease control as SD does. Toxicity is the worst "
        "CTCAE v5.0 grade per patient and term over laboratory results from the first cycle on. Performance status "
        "compares the latest score on or before the first cycle with the first score after the last cycle.",
        f"Rulesets: {report.ruleset_version}.",
    ]
