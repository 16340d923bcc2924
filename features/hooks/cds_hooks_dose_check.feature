Feature: CDS Hooks: the Lutathera dose check when an order is selected or signed
  When a clinician selects or signs a Lutathera order (the order-select and order-sign hooks), the
  prrt-dose-check service checks it against the recommendation for the next cycle. A card comes only
  when the order should change: to withhold or discontinue (critical, suggesting to remove the
  order), to reduce to 3.7 GBq (warning, suggesting to change the order's activity), when laboratory
  results are needed first (warning), or when the order would go beyond the planned course. Every such
  card lets the clinician override it with a reason, and is recorded in the audit.

  Here two cycles were given at full activity, and cycle 3 is due on 2024-04-29, 8 weeks after cycle 2.

  Background:
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: Cycle 4 recorded as given on <day>, an order signed on 2024-06-24: <outcome>
    A completed administration dated after the day the order is checked on is counted as given (the
    order is then a fifth cycle, beyond the course); the card says so, so that the order is not judged
    on a date that cannot be right.

    Given the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    And the pre-cycle labs of 2024-06-17 are normal
    And PRRT cycle 4 was given on <day> with 7.4 GBq
    When a Lutathera order of 7.4 GBq is signed on 2024-06-24
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 5 is beyond the planned 4 cycles"
    And <notice> "1 Lutathera administration dated after 2024-06-24: counted as given; verify the date"

    Examples:
      | day        | outcome                    | notice              |
      | 2024-06-24 | given that day             | the card never says |
      | 2024-06-25 | counted as given, and said | the card says       |

  Scenario: Grade 2 thrombocytopenia: withhold, and the suggestion removes the order
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29
    Then the service shows one card
    And the card is critical
    And the card says "Withhold Lutathera cycle 3: Platelet count decreased grade 2"
    And the card suggests "Withhold: remove the Lutathera order"
    And the suggestion removes the order
    And the card offers reasons to override it
    And the card is recorded in the audit

  Scenario: Thrombocytopenia resolved: reduce, and the suggestion changes the order to 3.7 GBq
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq is selected on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Reduce Lutathera cycle 3 to 3.7 GBq (ordered 7.4 GBq)"
    And the card suggests "Change the order to 3.7 GBq"
    And the suggested order has an activity of 3.7 GBq
    And the card offers reasons to override it

  Scenario: Thrombocytopenia resolved and the order is already for 3.7 GBq: no card
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 3.7 GBq is signed on 2024-04-29
    Then the service shows no card

  Scenario: Nothing dose-modifying: no card
    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29
    Then the service shows no card

  Scenario: No platelet count in the two weeks before the cycle: laboratory results are needed first
    Given the pre-cycle labs of 2024-04-22 are normal
    And no platelet count was measured on 2024-04-22
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Laboratory results needed before Lutathera cycle 3"
    And the card's details show "no Platelets result from 2024-04-15 to 2024-04-29"
    And the suggestion removes the order
    And the card is recorded in the audit

  Scenario: Still grade 2 sixteen weeks after the due date: discontinue
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-08-15
    And the other pre-cycle labs of 2024-08-15 are normal
    When a Lutathera order of 7.4 GBq is signed on 2024-08-20
    Then the service shows one card
    And the card is critical
    And the card says "Discontinue Lutathera (cycle 3 not to be given)"
    And the suggestion removes the order

  Scenario: A fifth cycle after the planned four: a warning card
    Given the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    And the pre-cycle labs of 2024-06-17 are normal
    And PRRT cycle 4 was given on 2024-06-24 with 7.4 GBq
    And the pre-cycle labs of 2024-08-12 are normal
    When a Lutathera order of 7.4 GBq is signed on 2024-08-19
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 5 is beyond the planned 4 cycles"
    And the suggestion removes the order

  Scenario Outline: Accepting the reduction leaves an order that states the reduced activity in its dose and its text
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of <ordered> reading "<text>" is selected on 2024-04-29
    Then the service shows one card
    And the card says "Reduce Lutathera cycle 3 to 3.7 GBq"
    And the accepted suggestion leaves an order that states <reduced> wherever it stated the activity

    Examples:
      | ordered | text                                | reduced |
      | 7.4 GBq | 7.4 GBq (200 mCi) IV over 30 min    | 3.7 GBq |
      | 200 mCi | 200mCi = 7,4 GBq, infuse over 30 min | 100 mCi |
      | 7.4 GBq | single intravenous infusion         | 3.7 GBq |

  Scenario: A text that cannot be rewritten with certainty: no change offered, removal offered, and the card says why
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq reading "6-7.4 GBq as tolerated" is selected on 2024-04-29
    Then the service shows one card
    And the card offers no change of the order
    And the suggestion removes the order
    And the card's details show "cannot be changed to 3.7 GBq automatically"

  Scenario Outline: An ordered activity at or below 0, or above 1.5 x 7.4 GBq, is implausible whatever the labs say
    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of <ordered> is signed on 2024-04-29
    Then the service shows one card
    And the card is critical
    And the card says "Implausible ordered activity: <as ordered>"
    And the suggestion removes the order
    And the card is recorded in the audit

    Examples:
      | ordered  | as ordered           |
      | 740 GBq  | 740 GBq              |
      | -7.4 GBq | -7.4 GBq             |
      | 11.2 GBq | 11.2 GBq             |
      | 0 GBq    | 0 GBq                |
      | 301 mCi  | 301 mCi (11.137 GBq) |
      | -200 mCi | -200 mCi (-7.4 GBq)  |

  Scenario Outline: An ordered activity above 0 and at most 11.1 GBq is not implausible, yet not the 7.4 GBq allowed
    Before, such an order got no card at all: 11.1 GBq passed where the rules say 7.4 GBq.

    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of <ordered> is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "<ordered as> ordered, <side> the 7.4 GBq the rules allow"
    And the card suggests "Change the order to 7.4 GBq"
    And the card offers reasons to override it

    Examples:
      | ordered   | ordered as | side  |
      | 11.1 GBq  | 11.1 GBq   | above |
      | 0.001 GBq | 0.001 GBq  | below |
      | 300 mCi   | 11.1 GBq   | above |
      | 11100 MBq | 11.1 GBq   | above |

  Scenario Outline: Proceed at 7.4 GBq: an order up to 0.5% above, or up to 10% below, agrees (<ordered>)
    The order may exceed the recommended activity by 0.5% (TOLERANCE of the dose card), and fall short
    of it by the deviations' activity_tolerance (10%, rules/lutathera_dose.toml), inclusive.

    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of <ordered> is signed on 2024-04-29
    Then the service shows <cards>

    Examples:
      | ordered  | cards    |
      | 7.437 GBq | no card  |
      | 7.44 GBq  | one card |
      | 6.66 GBq  | no card  |
      | 6.65 GBq  | one card |
      | 200 mCi   | no card  |

  Scenario Outline: A dose whose unit code and unit text name different units cannot be verified (<code> / <text>)
    Before, the code was read and the text ignored: 3.7 with the code GBq and the text mCi passed as the
    reduced 3.7 GBq, although the order also reads 3.7 mCi (0.137 GBq).

    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of <value> with the unit code "<code>" and the unit text "<text>" is signed on 2024-04-29
    Then the service shows <cards>

    Examples:
      | value | code | text | cards    |
      | 3.7   | GBq  | mCi  | one card |
      | 100   | mCi  | GBq  | one card |
      | 3.7   | GBq  | GBq  | no card  |
      | 100   | mCi  | mCi  | no card  |

  Scenario: The card for a dose whose unit code and unit text disagree says so and offers only the removal
    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 with the unit code "GBq" and the unit text "mCi" is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 3: the ordered activity cannot be verified"
    And the card's details show "a dose states its unit twice, as different units"
    And the card offers no change of the order
    And the suggestion removes the order

  Scenario Outline: An order whose text names another activity than its dose cannot be verified ("<text>")
    The dose and the text may differ by 0.5% (a rounding), not more. Before, the text was never compared:
    a dose of 3.7 GBq with the text "7.4 GBq (200 mCi)" passed as the reduced activity. A text the
    service cannot read with certainty (a range, a bound, a number whose separator may group thousands)
    does not state one activity either: before, it was left out, and "6-7.4 GBq" passed beside 7.4 GBq.

    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq reading "<text>" is signed on 2024-04-29
    Then the service shows <cards>

    Examples:
      | text                             | cards    |
      | 7.4 GBq (200 mCi) IV over 30 min | no card  |
      | 7437 MBq IV                      | no card  |
      | 7.44 GBq IV                      | one card |
      | 3.7 GBq (100 mCi) IV             | one card |
      | 740 GBq IV                       | one card |
      | 6-7.4 GBq as tolerated           | one card |
      | 7.4 to 8 GBq                     | one card |
      | max <7.4 GBq                     | one card |
      | 7.437 GBq IV                     | one card |

  Scenario: A dose of 7.4 GBq beside a range "6-7.4 GBq": the card names where the range stands, never its text
    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq reading "6-7.4 GBq as tolerated" is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 3: the ordered activity cannot be verified; the rules allow 7.4 GBq"
    And the card's details show "it states an activity the service cannot read with certainty"
    And the card's details show "dosageInstruction\[0\].text"
    And the card's details never show "6-7.4"
    And the suggestion removes the order

  Scenario: Under a kidney dose limit, the card of an activity that cannot be verified asks for the lower activity
    Two cycles of 9 Gy each at an effective half-life of 20 h, with hypertension: the kidney BED limit
    allows at most 1.7 GBq for cycle 3. Before, the card asked for "at most 7.4 GBq", the dose rules'
    activity, which the kidney limit does not allow.

    Given the patient has hypertension
    And a kidney absorbed dose of 9 Gy after cycle 1 with an effective half-life of 20 h
    And a kidney absorbed dose of 9 Gy after cycle 2 with an effective half-life of 20 h
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 1.7 GBq reading "Lutathera 3.7 GBq IV" is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 3: the ordered activity cannot be verified; the rules allow 1.7 GBq"
    And the card's details show "states one activity, at most 1.7 GBq: the largest activity within the kidney dose limits (set by the kidney BED limit), below the 7.4 GBq of the dose rules, or remove it"

  Scenario: A reduced dose whose text still names the full activity: the activity cannot be verified
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 3.7 GBq reading "Lutathera 7.4 GBq (200 mCi) IV over 30 min" is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 3: the ordered activity cannot be verified"
    And the card's details show "it states different activities (3.7 GBq and 7.4 GBq)"
    And the card offers no change of the order
    And the suggestion removes the order

  Scenario: An order naming its Lutathera Medication by the urn:uuid of a draft entry is checked
    The order's medicationReference is the fullUrl of a Medication sent beside it in draftOrders, as in
    a Bundle. Before, it was not recognised as a Lutathera order: a cycle to withhold got no card.

    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq naming its Medication by the draft entry's fullUrl is signed on 2024-04-29
    Then the service shows one card
    And the card is critical
    And the card says "Withhold Lutathera cycle 3: Platelet count decreased grade 2"
    And the suggestion removes the order

  Scenario Outline: An order naming "<display>" by a reference to a Medication not sent is <what>
    Before, an order whose Medication was neither in the order nor among the draft orders was no
    Lutathera order, whatever the reference's name: no card. Here no FHIR server is named to read it
    from: one whose reference names Lutathera is checked from that name, and said not fully checked; one
    naming another medication is taken as that medication.

    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq naming "<display>" by a reference to a Medication not sent is signed on 2024-04-29
    Then the service shows <cards>

    Examples:
      | display                             | what                                  | cards    |
      | Lutathera (lutetium Lu 177 dotatate) | checked, and said not fully checked   | one card |
      | Amoxicillin 500 mg                  | not a Lutathera order                 | no card  |

  Scenario: An order naming its Medication by a reference without a name, which the FHIR server holds, is checked
    The Medication is neither in the order, among the draft orders nor in the prefetch: the service reads
    it from the EHR's FHIR server. Before, it was not read, the order was no Lutathera order, and a
    cycle to withhold got no card.

    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq naming its Medication by a reference without a name is signed on 2024-04-29, with the Medication on the FHIR server
    Then the service shows one card
    And the card is critical
    And the card says "Withhold Lutathera cycle 3: Platelet count decreased grade 2"
    And the suggestion removes the order

  Scenario: An order whose Medication cannot be read, and whose reference names none, is said not fully checked
    Nothing tells what the order is. In a patient with cycles recorded it may be cycle 3, which is to be
    withheld: before, the answer was no card, which reads as "the order agrees".

    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq naming its Medication by a reference without a name is signed on 2024-04-29, with a FHIR server that does not hold it
    Then the service shows one card
    And the card is warning
    And the card says "Order MedicationRequest/lutathera-order not fully checked: its Medication could not be read; if Lutathera, cycle 3: withhold"
    And the card's details show "if this order is Lutathera, it was **not checked**"
    And the card offers reasons to override it
    And the card is recorded in the audit

  Scenario: A reduced cycle ordered at 0.37 GBq, a decimal slip: the change to 3.7 GBq is offered, not recommended
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 0.37 GBq is signed on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "0.37 GBq ordered, below the 3.7 GBq the rules allow"
    And the card suggests "Change the order to 3.7 GBq"

  Scenario: An implausible order with laboratory results too old to decide: still the implausible-activity card
    When a Lutathera order of 740 GBq is signed on 2024-04-29
    Then the service shows one card
    And the card is critical
    And the card says "Implausible ordered activity: 740 GBq"
    And the card's details show "laboratory results needed first"

  Scenario Outline: A fifth cycle ordered with labs <age> old: <outcome>
    The card beyond the planned course states the date and age of the latest results; older than 14
    days (labs_max_age_days), its summary says so.

    Given the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    And the pre-cycle labs of 2024-06-17 are normal
    And PRRT cycle 4 was given on 2024-06-24 with 7.4 GBq
    And the pre-cycle labs of 2024-08-12 are normal
    When a Lutathera order of 7.4 GBq is signed on <day>
    Then the service shows one card
    And the card says "Lutathera cycle 5 is beyond the planned 4 cycles<summary>"
    And the card's details show "Latest laboratory results: labs of 2024-08-12, <age> old on <day>"

    Examples:
      | day        | age        | outcome                   | summary                              |
      | 2024-08-26 | 14 days    | recent enough             |                                      |
      | 2024-08-27 | 15 days    | said in the summary       | ; labs 15 days old (2024-08-12)      |
      | 2026-12-01 | 2.3 years  | said in the summary       | ; labs 2.3 years old (2024-08-12)    |

  Scenario: Resolved thrombocytopenia: the reduce card cites the recovered count, its date, and sources in full
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29
    Then the service shows one card
    And the card's details show "| Resolved: resume at the reduced activity (3.7 GBq) | 250 x10^9/L; latest result: Platelets 250 x10^9/L on 2024-04-22 | 2024-04-22 |"
    And the card's details show "Lutathera US Prescribing Information 4/2024 section 2.3 (via AJR Am J Roentgenol 2023;220(5):619-629, Table 1"
    And the card's details never show "S6"
    And the card's details never show "S10"
    And the card's details never show "10\*9"

  Scenario: Creatinine clearance below 40 mL/min: the renal reason shows the clearance and its formula
    (140 - 61) x 70 / (72 x 1.7) x 0.85 = 38.4 mL/min, and 1.7 / 0.8 = 2.125 x the baseline creatinine.

    Given a creatinine of 1.7 mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of 7.4 GBq is signed on 2024-04-29
    Then the service shows one card
    And the card is critical
    And the card's details show "38.4 mL/min (Cockcroft-Gault); Cockcroft-Gault, actual body weight: (140 - 61 years) x 70 kg / (72 x 1.70 mg/dL creatinine) x 0.85 = 38.4 mL/min"
    And the card's details show "x baseline clearance; creatinine clearance 38.4 mL/min on 2024-04-22 vs"
    And the card's details show "2.125 x baseline; creatinine 1.7 mg/dL on 2024-04-22 vs 0.8 mg/dL at baseline (2024-01-02)"

  Scenario Outline: An order planned <days> days after cycle 2: <outcome>
    The label gives every 8 weeks (+/- 1 week): the earliest day is 49 days after the previous cycle
    (min_interval_days, rules/lutathera_dose.toml). Before, an order planned for day 48 got no card,
    although the course review then records the cycle as given early.

    Given the pre-cycle labs of 2024-04-18 are normal
    When a Lutathera order of 7.4 GBq planned for <planned> is signed on 2024-04-18
    Then the service shows <cards>

    Examples:
      | days | planned    | outcome                       | cards    |
      | 48   | 2024-04-21 | a warning, planned too early  | one card |
      | 49   | 2024-04-22 | no card, the earliest day     | no card  |

  Scenario: An order planned too early says when the cycle may be given, and offers to remove it
    Given the pre-cycle labs of 2024-04-18 are normal
    When a Lutathera order of 7.4 GBq planned for 2024-04-21 is signed on 2024-04-18
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 3 planned on 2024-04-21, 48 days after cycle 2: earliest 2024-04-22"
    And the suggestion removes the order
    And the card offers reasons to override it
    And the card is recorded in the audit

  Scenario: The labs' age on an order planned before the due date is measured to its planned day
    The rules decide cycle 3 on its due date, 2024-04-29; the order plans the infusion for 2024-04-22
    (the earliest day). Before, the card said the labs of 2024-04-19 were 10 days old, their age on the
    due date, not the 3 days they will be when given.

    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-19 are normal
    When a Lutathera order of 7.4 GBq planned for 2024-04-22 is signed on 2024-04-20
    Then the service shows one card
    And the card says "Reduce Lutathera cycle 3 to 3.7 GBq"
    And the card's details show "labs of 2024-04-19, 3 days old on 2024-04-22, the order's planned day (10 days old on 2024-04-29, the date the rules decide on)"

  Scenario Outline: An order signed ahead for <planned>, with labs of 2024-04-20: <outcome>
    On the due date the labs are 9 days old and the rules say proceed; the order is given on its planned
    day, when they may be older than 14 days (labs_max_age_days). Before, no card whatever the planned day.

    Given the pre-cycle labs of 2024-04-20 are normal
    When a Lutathera order of 7.4 GBq planned for <planned> is signed on 2024-04-25
    Then the service shows <cards>

    Examples:
      | planned    | outcome                                 | cards    |
      | 2024-05-04 | 14 days old when given, no card         | no card  |
      | 2024-05-06 | 16 days old when given, labs needed     | one card |

  Scenario: An order signed ahead for a day when its labs will be too old says so, and offers to remove it
    Given the pre-cycle labs of 2024-04-20 are normal
    When a Lutathera order of 7.4 GBq planned for 2024-05-06 is signed on 2024-04-25
    Then the service shows one card
    And the card is warning
    And the card says "Laboratory results needed before Lutathera cycle 3 on 2024-05-06; labs 16 days old (2024-04-20)"
    And the card's details show "The laboratory results will be too old on the planned day"
    And the suggestion removes the order
    And the card is recorded in the audit
