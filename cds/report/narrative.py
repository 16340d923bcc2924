"""The report in words and tables: the results paragraphs of a paper, and the tables behind them.

Both the Markdown and the HTML page render these, so the two never disagree. Every sentence is computed
from the cohort at hand. A median S(t) never falls to is "not reached", in the text and the tables
alike, and so is a confidence limit the band never reaches ("NR" in a table cell); anything else the
data do not give is "NA"; neither is ever estimated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from cds.facts import Response
from cds.recist.table import table as recist_table
from cds.report.cohort import MONTH_DAYS, CohortReport, Range
from cds.report.performance import PairedComparison
from cds.report.response import Proportion
from cds.report.survival import CI_METHODS, FEW_AT_RISK, CiMethod, Interval, SurvivalSummary
from cds.report.toxicity import NADIR_NAMES

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
    "log-log": "read where the pointwise log-log band of S(t) crosses 0.5 (Brookmeyer and Crowley 1982; "
               "lifelines' band)",
    "log": "read where the pointwise log band of S(t) crosses 0.5 (Brookmeyer and Crowley 1982; R survival's "
           "default)",
    "plain": "read where the pointwise plain (linear) band of S(t) crosses 0.5 (Brookmeyer and Crowley 1982)",
    "symmetric": "median ± 1.96·SE(median), SE from Greenwood's variance and the slope of S(t) around the "
                 "median (Collett, Modelling Survival Data in Medical Research, section 2.4; the interval SPSS "
                 "prints)",
}
NOT_REACHED = "not reached"
FRAGILE_MARK = "†"


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def number(n: int, start: bool = False) -> str:
    """An integer as a paper writes it: spelled out at the start of a sentence up to twenty."""
    return _WORDS[n] if start and 0 <= n < len(_WORDS) else str(n)


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """``singular`` for one, else ``plural`` (default: singular + "s")."""
    return singular if n == 1 else (plural or singular + "s")


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
    """A confidence interval of a median as the tables write it; a limit the band never reaches is NR."""
    def limit(x: float | None) -> str:
        return "NR" if x is None else f"{x:.{digits}f}"

    return f"{limit(i.low)}-{limit(i.high)}"


def interval_text(i: Interval, digits: int = 2) -> str:
    """The same interval in a sentence: "12.32 to not reached"."""
    def limit(x: float | None) -> str:
        return NOT_REACHED if x is None else f"{x:.{digits}f}"

    if i.low is not None and i.high is not None:
        return f"{i.low:.{digits}f}-{i.high:.{digits}f}"
    return f"{limit(i.low)} to {limit(i.high)}"


def _range_text(r: Range | None, unit: str = "", digits: int | None = None) -> str:
    if r is None:
        return "NA"

    def show(x: float) -> str:
        return plain(x) if digits is None else num(x, digits)

    return f"{show(r.median)}{unit} (range {show(r.min)}-{show(r.max)})"


def _is_one(r: Range | None) -> bool:
    """Whether a median reads as one ("a median of 1 cycle", not "1 cycles")."""
    return r is not None and r.median == 1


def _proportion(p: Proportion) -> str:
    if p.value is None:
        return "NA"
    return f"{pct(p.value)} (95% CI {pct(p.ci_low)[:-1]}-{pct(p.ci_high)}, Clopper-Pearson)"


def median_text(s: SurvivalSummary) -> str:
    """The median in months as the table and the text both write it: "not reached" when S(t) stays above 0.5."""
    return NOT_REACHED if s.median is None else months(s.median)


def caution(name: str, s: SurvivalSummary) -> str:
    """The caution sentence for a median reached with few patients at risk; empty otherwise."""
    if not s.fragile_median:
        return ""
    n = s.at_risk_at_median or 0
    remaining = s.remaining_after_last_event
    tail = ""
    if remaining is not None and s.median is not None and s.curve.time[s.curve.events > 0][-1] <= s.median:
        tail = (f"; it falls at the last {('event' if s.events == 1 else 'of the events')}, after which "
                f"{remaining} patient{'s' if remaining != 1 else ''} remained under follow-up")
    return (f"Caution: the median {name} rests on few patients: {n} patient{'s were' if n != 1 else ' was'} "
            f"at risk when S(t) fell to 0.5{tail}. One event more or fewer there would move it.")


def _left_out(treated: int) -> str:
    """Why an analysis has no estimate although patients were treated: every one of them was left out."""
    return ("the 1 treated patient was left out" if treated == 1 else
            f"all {treated} treated patients were left out") + " (see the issues)"


def _survival_sentence(name: str, s: SurvivalSummary, events: str, treated: int) -> str:
    conf = f"{s.conf_level:.0%}"
    if s.median is None:
        median = f"the median {name} was {NOT_REACHED}"
    else:
        median = (f"the median {name} was {months(s.median)} months ({conf} CI {interval_text(s.interval)}, "
                  f"{s.ci_method} method)")
    landmarks = [f"{pct(m.survival)} at {m.time:g} months ({m.at_risk} at risk)" for m in s.landmarks
                 if m.survival is not None]
    text = (f"{number(s.events, True)} {events} {'was' if s.events == 1 else 'were'} observed in {s.n} "
            f"{noun(s.n, 'patient')} ({s.censored} censored{_left_out_of(s, treated)}); {median}")
    if landmarks:
        text += f". The estimated {name} was " + " and ".join(landmarks)
    text += "."
    warning = caution(name, s)
    return f"{text} {warning}" if warning else text


def _left_out_of(s: SurvivalSummary, treated: int) -> str:
    """The treated patients an analysis leaves out (a death without a date or before a cycle), so that its
    patients and events read beside the series and its deaths."""
    missing = treated - s.n
    return f"; {missing} of the {treated} treated patients left out, see the issues" if missing > 0 else ""


def _performance_sentence(c: PairedComparison, name: str, verb_up: str, verb_down: str) -> str:
    if not c.n:
        article = "an" if name[:1] in "AEIOU" else "a"  # "an ECOG score", "a Karnofsky score"
        return f"No patient had {article} {name} score both before the first cycle and after the last."
    if c.before_median == c.after_median:
        change = f"was unchanged at {plain(c.before_median)}"
    else:
        went = verb_up if (c.after_median or 0) > (c.before_median or 0) else verb_down
        change = (f"{went} from {plain(c.before_median)} before the first cycle to {plain(c.after_median)} "
                  "after the last")
    if c.not_computed:
        return (f"The median {name} score {change} ({c.improved} improved, {c.worsened} worsened, n = {c.n}; "
                f"Wilcoxon signed-rank test {c.not_computed}).")
    return (f"The median {name} score {change} ({c.improved} improved, {c.worsened} worsened; Wilcoxon signed-rank "
            f"{p_value(c.p_value)}, n = {c.n}).")


def _test_result(c: PairedComparison) -> str:
    """The signed-rank test's p-value, or why it was not computed (never "NA" where a reason is known)."""
    return c.not_computed if c.not_computed else p_value(c.p_value)


def _performance_method(report: CohortReport) -> str:
    """How the signed-rank p-values were computed (the report's ``performance_test`` setting)."""
    if report.settings.performance_test == "asymptotic":
        return ("p-values from the normal approximation, tie-corrected, without continuity correction (SPSS's "
                "asymptotic significance; setting performance_test = asymptotic)")
    return ("p-values from the exact distribution, conditional on tied differences (an exact permutation test) "
            "up to 13 changed patients, from the normal approximation beyond (setting performance_test = exact)")


def paragraphs(report: CohortReport) -> list[str]:
    """The results section, one string per paragraph."""
    out = []
    n = report.n_patients
    if not n:
        return ["No patient with a PRRT administration was found in the input."]
    sex = report.sex
    others = n - sex.get("female", 0) - sex.get("male", 0)  # every patient is in the sentence, sex unknown too
    other_text = f", {others} of other or unknown sex" if others else ""
    aged = report.age_years.n if report.age_years is not None else 0
    age_of = f" (of the {aged} with a usable birth date)" if aged < n else ""
    women, men = sex.get("female", 0), sex.get("male", 0)
    out.append(
        f"{number(n, True)} {noun(n, 'patient')} ({women} {'woman' if women == 1 else 'women'}, {men} "
        f"{'man' if men == 1 else 'men'}{other_text}) {'was' if n == 1 else 'were'} "
        f"treated with 177Lu-DOTATATE; their median age at the first cycle{age_of} was "
        f"{_range_text(report.age_years, ' years')}. "
        f"They received a median of {_range_text(report.cycles, ' cycle' if _is_one(report.cycles) else ' cycles')}, "
        f"{_activity_text(report)}."
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
        + (" " + waterfall if (waterfall := _waterfall_sentence(report)) else "")
    )
    dose = _dose_sentence(report)
    if dose:
        out.append(dose)
    survival = []
    if report.overall_survival is not None:
        survival.append(_survival_sentence("overall survival", report.overall_survival,
                                           "deaths" if report.overall_survival.events != 1 else "death", n))
    else:
        survival.append(f"Overall survival could not be estimated: {_left_out(n)}.")
    if report.progression_free_survival is not None:
        pfs = report.progression_free_survival
        survival.append(_survival_sentence("progression-free survival", pfs,
                                           "progressions or deaths" if pfs.events != 1 else "progression or death", n))
    elif any(p.responses for p in report.patients):  # tumour assessments in the input: PFS was attempted
        survival.append(f"Progression-free survival could not be estimated: {_left_out(n)}.")
    if survival:
        out.append(" ".join(survival))
    out.append(_toxicity_sentence(report))
    out.append(_performance_sentence(report.ecog, "ECOG", "rose", "fell") + " "
               + _performance_sentence(report.kps, "Karnofsky", "rose", "fell"))
    return out


def _activity_text(report: CohortReport) -> str:
    """The median cumulative activity, over the patients whose every cycle has a recorded activity: named
    when that is not every patient, as the age is."""
    total = report.cumulative_activity_gbq
    if total is None:
        return "the cumulative activity is not known (no patient has the activity of every cycle recorded)"
    known = f" (of the {total.n} with the activity of every cycle recorded)" if total.n < report.n_patients else ""
    return f"a median cumulative activity{known} of {_range_text(total, ' GBq')}"


def _toxicity_sentence(report: CohortReport) -> str:
    text = _graded_sentence(report)
    missed = report.toxicity.not_graded
    if missed:
        results = sum(n.results for n in missed)
        listed = ", ".join(f"{n.analyte} {n.results} ({n.patients} {'patient' if n.patients == 1 else 'patients'})"
                           for n in missed)
        text += (f" {number(results, True)} laboratory {'result' if results == 1 else 'results'} from the first "
                 f"cycle on could not be graded and {'is' if results == 1 else 'are'} not counted above: {listed}.")
    return text


def _graded_sentence(report: CohortReport) -> str:
    tox = report.toxicity
    version = f"CTCAE v{report.ctcae_version}"
    if not tox.rows:
        return f"No laboratory result from the first cycle on could be graded by {version}."
    rows = tox.with_toxicity
    if not rows:
        return (f"No laboratory toxicity of {version} grade 1 or higher was recorded from the first cycle on "
                f"({len(tox.rows)} terms evaluated).")
    top = max(row.worst for row in rows)
    items = []
    for row in rows:
        grades = ", ".join(f"grade {g} in {c}" for g, c in row.by_grade.items() if c)
        items.append(f"{row.term.lower()} ({grades} of {row.evaluated} patients evaluated)")
    severe = "no grade 3 or 4 toxicity occurred" if top < 3 else f"the highest grade was {top}"
    quiet = len(tox.rows) - len(rows)
    rest = f"; the other {quiet} terms evaluated stayed at grade 0" if quiet else ""
    text = (f"Laboratory toxicity ({version}, worst grade per patient from the first cycle on) was: "
            + "; ".join(items) + f"; {severe}{rest}.")
    for n in tox.nadirs:
        text += (f" The {n.name.lower()} reached its nadir a median of {plain(round(n.median_weeks, 1))} weeks after "
                 f"administration (range {plain(round(n.min_weeks, 1))}-{plain(round(n.max_weeks, 1))} weeks; "
                 f"{n.cycles} cycles of {n.patients} patients).")
    return text


def _dose_sentence(report: CohortReport) -> str:
    m = report.dose_modifications
    if not m.cycles_given:
        return ""
    d = m.decisions
    given = "the 1 cycle given" if m.cycles_given == 1 else f"{m.cycles_given} cycles given"
    text = (f"Of {given}, {m.given_full} {'was' if m.given_full == 1 else 'were'} at the full activity "
            f"({plain(m.full_activity_gbq)} GBq) and {m.given_reduced} at the reduced activity "
            f"({plain(m.reduced_activity_gbq)} GBq)")
    others = m.given_other + m.activity_unknown
    if others:
        text += f"; {others} at another or an unrecorded activity"
    text += (f". The recommendation in force when each cycle was given was to proceed for {d.get('proceed', 0)}, "
             f"reduce for {d.get('reduce', 0)}, withhold for {d.get('withhold', 0)}, discontinue for "
             f"{d.get('discontinue', 0)}, and could not be made for missing laboratory results for "
             f"{d.get('labs-needed', 0)}. ")
    if m.patients_discontinued:
        why = ", ".join(f"{reason} ({n})" for reason, n in m.discontinued_why.items())
        were = "s were" if m.patients_discontinued != 1 else " was"
        text += f"{number(m.patients_discontinued, True)} patient{were} recommended to discontinue ({why}). "
    else:
        text += "No patient was recommended to discontinue. "
    text += (f"{number(m.deviations, True)} cycle{'s' if m.deviations != 1 else ''} given departed from the "
             "recommendation in force")
    if m.deviation_kinds:
        text += " (" + ", ".join(f"{kind} {n}" for kind, n in m.deviation_kinds.items()) + ")"
    delays = m.delays
    if delays.intervals:
        text += (f". Beyond the planned interval of {m.interval_days} days, the median delay between cycles was "
                 f"{plain(delays.median)} days (maximum {delays.max}; {delays.delayed} of {delays.intervals} "
                 "intervals delayed)")
    return text + "."


def _waterfall_sentence(report: CohortReport) -> str:
    w = report.waterfall
    if not w.bars:
        return ""
    decreased = sum(1 for b in w.bars if b.best_change_pct <= -30)
    increased = sum(1 for b in w.bars if b.best_change_pct >= 20)
    patients = "patient" if len(w.bars) == 1 else "patients"
    text = (f"Of {len(w.bars)} {patients} with measurable disease and a follow-up measurement, {decreased} had a best "
            f"decrease of the sum of target diameters of at least 30% and {increased} an increase of at least 20%")
    missing = []
    if w.no_follow_up:
        missing.append(f"{w.no_follow_up} with measurable disease had no complete follow-up measurement")
    if w.not_measurable:
        missing.append(f"{w.not_measurable} had no measurable disease at baseline")
    return text + ("; " + " and ".join(missing) if missing else "") + "."


def tables(report: CohortReport) -> list[Table]:
    """The tables of the report: responses, dose modifications, survival, toxicity, performance status."""
    out = []
    n = report.n_patients
    r = report.responses
    out.append(Table(
        "Best overall response (RECIST 1.1, " + ("confirmed" if r.confirmed else "unconfirmed") + ")",
        ("response", "patients", "%"),
        (*((f"{k} ({RESPONSE_NAMES[k]})", str(c), pct(c / n) if n else "NA") for k, c in r.counts.items()),
         (ORR_TEXT, str(r.orr.successes), _proportion(r.orr)),
         (DCR_TEXT, str(r.dcr.successes), _proportion(r.dcr))),
    ))
    out.append(_dose_table(report))
    for name, s in (("Overall survival", report.overall_survival),
                    ("Progression-free survival", report.progression_free_survival)):
        if s is None:
            continue
        fragile = FRAGILE_MARK if s.fragile_median else ""
        rows = [("patients / events / censored", f"{s.n} / {s.events} / {s.censored}"),
                ("median (months)", median_text(s) + fragile),
                (f"{s.conf_level:.0%} CI of the median ({s.ci_method})", interval(s.interval))]
        if s.median is not None:
            rows.append(("at risk when S(t) fell to 0.5", f"{s.at_risk_at_median}{fragile}"))
        rows += [(f"S({m.time:g} months), {m.at_risk} at risk",
                  f"{pct(m.survival)} ({pct(m.interval.low)}-{pct(m.interval.high)})") for m in s.landmarks]
        rows += [(f"{s.conf_level:.0%} CI of the median, {m}", interval(s.intervals[m]))
                 for m in CI_METHODS if m != s.ci_method]
        note = ("NR: not reached; the band (or, for the symmetric interval, the slope of S(t)) does not reach "
                "that limit.")
        if fragile:
            note += f" {FRAGILE_MARK} {caution(name.lower(), s)}"
        out.append(Table(name, ("", "value"), tuple(rows), note=note))
    tox = report.toxicity
    out.append(Table(
        f"Worst CTCAE v{report.ctcae_version} grade per patient (laboratory, from the first cycle on)",
        ("term", "evaluated", *(f"grade {g}" for g in tox.grades), "grade ≥ 3", "any grade"),
        tuple((row.term, str(row.evaluated), *(_count(row.by_grade[g], row.evaluated) for g in tox.grades),
               _count(row.grade_3_plus, row.evaluated), _count(row.any_grade, row.evaluated)) for row in tox.rows),
        note=("Evaluated: patients with at least one gradable result for the term from the first cycle on; "
              "percentages of them." if tox.rows else "No result could be graded."),
    ))
    if tox.nadirs:
        out.append(Table(
            "Haematological nadir: time from administration to the lowest count before the next cycle",
            ("count", "cycles", "patients", "median (weeks)", "range (weeks)"),
            tuple((n.name, str(n.cycles), str(n.patients), plain(round(n.median_weeks, 1)),
                   f"{plain(round(n.min_weeks, 1))}-{plain(round(n.max_weeks, 1))}") for n in tox.nadirs),
            note="After the last cycle, counts within one planned interval (8 weeks) are used."
                 + "".join(f" No {name.lower()} was measured after an administration."
                           for analyte, name in NADIR_NAMES.items() if analyte not in {n.analyte for n in tox.nadirs}),
        ))
    out.append(Table(
        "Performance status before the first cycle and after the last (patients with both)",
        ("scale", "n", "median before", "median after", "improved", "worsened", "Wilcoxon signed-rank"),
        tuple((c.scale.upper() if c.scale == "ecog" else "Karnofsky", str(c.n), plain(c.before_median),
               plain(c.after_median), str(c.improved), str(c.worsened), _test_result(c))
              for c in (report.ecog, report.kps)),
        note=(f"The test is run only with at least {report.ecog.min_changed} patients whose score changed: with "
              "fewer, the exact two-sided test cannot reach p < 0.05 (its smallest p-value with k changes is "
              "2 / 2^k), so no p-value is given."),
    ))
    return out


def _count(k: int, n: int) -> str:
    return f"{k} ({pct(k / n)})" if n else str(k)


def _dose_table(report: CohortReport) -> Table:
    m = report.dose_modifications
    d = m.delays
    tolerance = f"±{plain(100 * m.tolerance)}%"
    rows: list[tuple[str, str]] = [
        ("cycles given", str(m.cycles_given)),
        (f"at the full activity ({plain(m.full_activity_gbq)} GBq {tolerance})", _count(m.given_full, m.cycles_given)),
        (f"at the reduced activity ({plain(m.reduced_activity_gbq)} GBq {tolerance})",
         _count(m.given_reduced, m.cycles_given)),
        ("at another activity", _count(m.given_other, m.cycles_given)),
        ("activity not recorded", _count(m.activity_unknown, m.cycles_given)),
    ]
    rows += [(f"recommendation in force: {action}", _count(k, m.cycles_given)) for action, k in m.decisions.items()]
    rows.append(("patients given a reduced cycle", str(m.patients_reduced)))
    rows.append(("patients recommended to discontinue", str(m.patients_discontinued)))
    rows += [(f"  discontinued: {why}", str(k)) for why, k in m.discontinued_why.items()]
    rows.append(("cycles given against the recommendation (deviations)", _count(m.deviations, m.cycles_given)))
    rows += [(f"  deviation: {kind}", str(k)) for kind, k in m.deviation_kinds.items()]
    rows.append((f"intervals between cycles longer than {m.interval_days} days",
                 f"{d.delayed} of {d.intervals}" if d.intervals else "NA"))
    rows.append(("delay beyond the interval, median (max), days",
                 f"{plain(d.median)} ({d.max})" if d.intervals else "NA"))
    return Table("Dose modifications", ("", "value"), tuple(rows),
                 note="A cycle counts as full or reduced when its recorded activity lies within the tolerance of "
                      "that activity; the recommendation is the one in force on the day the cycle was given.")


def methods(report: CohortReport) -> list[str]:
    """How the figures were made: each method named once, with its reference."""
    settings = report.settings
    cutoff = settings.data_cutoff
    censoring = (f"at the data cut-off {cutoff.isoformat()} (facts after it were not used)" if cutoff else
                 "at the latest date of any of their records")
    recist = recist_table().settings
    confirmation = (f"confirmed by a second assessment at least {recist['confirmation_days']} days later "
                    f"(RECIST 1.1 section 4.4.1); stable disease needs at least {recist['sd_minimum_days']} days from "
                    "the start of treatment" if settings.confirmed else
                    "unconfirmed (a single time point suffices; RECIST 1.1 section 4.4.1 allows it outside trials "
                    "with response as primary endpoint)")
    m = report.dose_modifications
    return [
        f"Patients: every patient with at least one 177Lu-DOTATATE administration. Times run from the first "
        f"administration; months are {MONTH_DAYS} days. Overall survival ends at death; living patients are "
        f"censored {censoring}. Progression-free survival ends at the first RECIST 1.1 progression or death and "
        "is otherwise censored at the last tumour assessment.",
        "Survival: Kaplan-Meier estimates (Kaplan and Meier 1958; computed with lifelines) with Greenwood's "
        "variance (Greenwood 1926). The median is the first time S(t) <= 0.5 (R's rule, within sqrt(machine "
        "epsilon); the midpoint of a flat stretch at exactly 0.5). Its 95% interval is "
        f"{CI_DESCRIPTIONS[settings.ci_method]}. A median reached with fewer than {FEW_AT_RISK} patients at risk "
        "is flagged.",
        "Tumour response: RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228-247), best overall response "
        f"{confirmation}. A patient with non-target disease only is assessed by RECIST 1.1 Table 2: non-CR/non-PD "
        "(never called stable disease) counts towards disease control as SD does; a patient without an "
        "assessment after baseline counts as not evaluable. Response rates are over all treated patients, with "
        "exact Clopper-Pearson 95% intervals (Clopper and Pearson 1934). The waterfall plot shows, per patient "
        "with measurable disease, the best percentage change of the sum of target diameters from baseline.",
        f"Toxicity: the worst CTCAE v{report.ctcae_version} grade per patient and term over laboratory results "
        "from the first cycle on; the denominator is the patients with at least one gradable result for the "
        "term.",
        f"Dose: each cycle is checked against the Lutathera label's dose-modification rules ({m.full_activity_gbq:g} "
        f"GBq every {m.interval_days} days, {m.reduced_activity_gbq:g} GBq when reduced); a cycle counts as full "
        f"or reduced within ±{plain(100 * m.tolerance)}% of that activity.",
        "Performance status: the latest ECOG and Karnofsky scores on or before the first cycle against the first "
        "after the last cycle, in patients with both, by the two-sided Wilcoxon signed-rank test (Wilcoxon "
        f"1945; zero differences dropped), only when at least {report.ecog.min_changed} patients changed (the "
        f"fewest with which the exact test can reach p < 0.05); {_performance_method(report)}.",
        f"Rulesets: {report.ruleset_version}.",
    ]
