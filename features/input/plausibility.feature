Feature: Impossible values are never graded and never decide a dose
  Every analyte has plausible limits in its canonical unit (fhir_mappings/analytes.toml, "plausible";
  the limits themselves are plausible): a result outside them is a sample or transcription error, so
  it "cannot grade: implausible value", with the value and unit as reported, and the dose rules do not
  use it (no grade, no Cockcroft-Gault clearance): the cycle needs labs. Body weights and heights have
  plausible limits too (codes.toml), dates must lie from 1900-01-01 to a year from today, and ages
  from 0 to 120 years; outside them the resource is an issue and nothing is derived from it.

  Scenario Outline: <name> of <value> <unit> cannot be graded: implausible value
    The reason names the value as reported and its unit (the UCUM code the Observation carries).

    Given a female patient
    And a <name> of <value> <unit>
    When the rules are evaluated
    Then "<term>" is not gradable because "cannot grade: implausible value <value> <shown>"
    And there is an issue mentioning "implausible value <value> <shown>"

    Examples:
      | name           | value | unit    | shown  | term                     |
      | haemoglobin    | -5    | g/dL    | g/dL   | Anemia                   |
      | haemoglobin    | 0.09  | g/dL    | g/dL   | Anemia                   |
      | platelet count | 10001 | x10^9/L | 10*9/L | Platelet count decreased |
      | platelet count | -1    | x10^9/L | 10*9/L | Platelet count decreased |
      | creatinine     | 0     | mg/dL   | mg/dL  | Creatinine increased     |
      | creatinine     | 4.9   | umol/L  | umol/L | Creatinine increased     |
      | creatinine     | 10001 | umol/L  | umol/L | Creatinine increased     |
      | blood glucose  | 0     | mmol/L  | mmol/L | Hypoglycemia             |

  Scenario Outline: A result on the plausible limit is graded: <name> of <value> <unit> is grade <grade>
    The limits are plausible values: haemoglobin 1-300 g/L (0.1-30 g/dL), platelets 0-10000
    x10^9/L, creatinine 5-10000 umol/L.

    Given a female patient
    And a <name> of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "<term>" is <grade>
    And the rule is "<rule>"
    And no issue mentions "implausible"

    Examples:
      | name           | value | unit    | lln  | uln | term                     | grade | rule                                |
      | haemoglobin    | 1     | g/L     | 120  | 160 | Anemia                   | 3     | ctcae5.anemia.g3                    |
      | platelet count | 10000 | x10^9/L | 150  | 400 | Platelet count decreased | 0     | ctcae5.platelet_count_decreased.g0  |
      | platelet count | 0     | x10^9/L | 150  | 400 | Platelet count decreased | 4     | ctcae5.platelet_count_decreased.g4  |
      | creatinine     | 5     | umol/L  | 44   | 80  | Creatinine increased     | 0     | ctcae5.creatinine_increased.g0      |

  Scenario Outline: Only an implausible creatinine before the next cycle: labs needed, never proceed (creatinine <creatinine> mg/dL)
    Creatinine 0 used to make Cockcroft-Gault divide by zero. An implausible creatinine is not a
    creatinine: the cycle needs one, and the creatinine clearance that Cockcroft-Gault would give.

    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And a creatinine of <creatinine> mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | creatinine | recommendation       | rule                      |
      | 0          | "labs-needed"        | lutathera.labs.creatinine |
      | 0          | "labs-needed"        | lutathera.labs.crcl       |
      | -0.8       | "labs-needed"        | lutathera.labs.creatinine |
      | 0.8        | "proceed" at 7.4 GBq | lutathera.proceed         |

  Scenario Outline: A birth date of <born> gives no age and no clearance
    Born 0001-01-01, Cockcroft-Gault gave (140 - 2023) x 70 / (72 x 0.8) x 0.85 = -1679.6 mL/min,
    read as severe renal impairment (withhold). Now the birth date lies outside the plausible window,
    or the age outside 0-120 years: the age is unknown and the clearance is asked for.

    Given a female patient born <born>
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And the pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "labs-needed"
    And the recommendation for cycle 3 asks for the creatinine clearance
    And there is an issue mentioning "<issue>"

    Examples:
      | born       | issue                                                 |
      | 0001-01-01 | birthDate outside the plausible window 1900-01-01 to  |
      | 1899-12-31 | birthDate outside the plausible window 1900-01-01 to  |
      | 1903-04-22 | birthDate gives an age outside 0-120 years             |
      | 2024-01-03 | birthDate gives an age outside 0-120 years             |

  Scenario: A patient 120 years old on the day of the last labs still has an age
    (140 - 120) x 70 / (72 x 0.8) x 0.85 = 20.7 mL/min: below 40, the cycle is withheld.

    Given a female patient born 1903-04-23
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And the pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then no issue mentions "birthDate"
    And the recommendation for cycle 3 is "withhold"
    And the recommendation for cycle 3 cites "lutathera.renal.crcl" with a value of 20.7

  Scenario Outline: An administration dated <day> is no cycle and does not stop the evaluation
    These dates overflowed the date arithmetic (the service answered 500). The cycles numbered are
    the two of 2024; the administration of <day> is an issue.

    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And a PRRT administration recorded on <day>
    And the pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And there is an issue mentioning "date outside the plausible window 1900-01-01 to"

    Examples:
      | day        |
      | 0001-01-01 |
      | 1899-12-31 |
      | 9999-12-20 |

  Scenario Outline: Cycle 3 recorded as given on <day>, the rules evaluated on 2024-04-29: <outcome>
    A completed administration dated after the day decided on cannot have been given by then (a date
    entered wrongly, a clock ahead, a planned administration recorded as completed). It stays counted
    as given, since leaving it out could recommend a cycle that may already have been given: the next
    cycle is 4. An issue names it; an administration on the day itself was given that day.

    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on <day> with 7.4 GBq
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And the recommendation for cycle 4 is "labs-needed"
    And <issue> "<text>"

    Examples:
      | day        | outcome                        | issue                        | text                                                                                                        |
      | 2024-04-29 | given that day, no issue       | no issue mentions            | after the day decided on                                                                                    |
      | 2024-04-30 | counted as given, and an issue | there is an issue mentioning | cycle 3 administered on 2024-04-30, after the day decided on (2024-04-29): counted as given; verify its date |

  Scenario Outline: A laboratory result dated <day> is <outcome>
    Given a female patient
    And a platelet count of 60 x10^9/L with a lower limit of 150 on <day>
    When the rules are evaluated
    Then <then>

    Examples:
      | day        | outcome  | then                                                                      |
      | 1900-01-01 | graded   | the grade for "Platelet count decreased" is 2                            |
      | 1899-12-31 | not used | there is an issue mentioning "date outside the plausible window"         |
      | 9999-12-20 | not used | there is an issue mentioning "date outside the plausible window"         |

  Scenario Outline: A body <what> of <value> <unit> is an issue and never enters Cockcroft-Gault
    Given a female patient born 1962-05-14
    And a body <what> of <value> <unit> on 2024-01-02
    When the rules are evaluated
    Then there is an issue mentioning "<issue>"

    Examples:
      | what   | value | unit | issue                                               |
      | weight | 0     | kg   | weight is not positive                              |
      | weight | 701   | kg   | weight is implausible: 701 kg (plausible 0.2 to 700 kg) |
      | weight | 150   | g    | weight is implausible: 150 g (plausible 0.2 to 700 kg)  |
      | height | 301   | cm   | height is implausible: 301 cm (plausible 20 to 300 cm)  |
      | height | 0.19  | m    | height is implausible: 0.19 m (plausible 20 to 300 cm)  |

  Scenario Outline: A body <what> on the plausible limit is read: <value> <unit>
    Given a female patient born 1962-05-14
    And a body <what> of <value> <unit> on 2024-01-02
    When the rules are evaluated
    Then there are no issues

    Examples:
      | what   | value | unit |
      | weight | 700   | kg   |
      | weight | 0.2   | kg   |
      | height | 300   | cm   |
      | height | 0.2   | m    |
