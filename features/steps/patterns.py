"""The regular-expression pieces the step sentences share, in one place (pytest-bdd ``parsers.re``).

A step module builds its sentences from these; analyte names come from ``steps.vocabulary``.
"""

from __future__ import annotations

DATE = r"\d{4}-\d{2}-\d{2}"
ON_DATE = rf"(?: on (?P<day>{DATE}))?"  # an optional "on YYYY-MM-DD" (default: the scenario's day)
NUMBER = r"-?\d+(?:\.\d+)?"  # a value as a clinician writes it, negative ones included (refused later)
UNSIGNED = r"\d+(?:\.\d+)?"  # a count, a rate, a median
NUMBER_LIST = r"\d+(?:, \d+)*(?: and \d+)?"  # "30, 60 and 90"

# Dose advice (docs/outputs.md: action, deviation kinds)
ACTIONS = "proceed|reduce|withhold|discontinue|labs-needed"
DEVIATIONS = ("activity-not-recorded|activity|given-while-withheld|given-without-labs|given-after-discontinue|early"
              "|implausible-activity")

# RECIST 1.1 overall responses, and how a lesion is named
RESPONSE = r"CR|PR|SD|PD|NE|non-CR/non-PD"
LESION = r'"(?P<lesion>[^"]+)" in (?:the )?(?P<site>.+?)'
SIZE = rf"(?P<size>{NUMBER}) (?P<unit>mm|cm)"

# A CTCAE term in quotes, optionally on a day
TERM = r'"(?P<term>[^"]+)"(?: on (?P<day>' + DATE + r"))?"
