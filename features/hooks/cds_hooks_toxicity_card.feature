Feature: CDS Hooks: the PRRT toxicity card when a clinician opens the chart
  When a clinician opens the chart of a patient treated with 177Lu-DOTATATE (the patient-view hook),
  the prrt-toxicity service shows one card: the recommendation for the next cycle, the worst CTCAE
  v5.0 grade per laboratory term in the current cycle, and the latest RECIST 1.1 response. The card's
  colour follows the next cycle: info to proceed; warning to reduce, or when laboratory results are
  needed first; critical to withhold or discontinue. Its details give the evidence: values, dates,
  grades, thresholds and the sources of the rules.

  Here two cycles were given at full activity, and cycle 3 is due on 2024-04-29, 8 weeks after cycle 2.

  Background:
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario: Nothing dose-modifying: an info card to proceed at 7.4 GBq
    Given the pre-cycle labs of 2024-04-22 are normal
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card is info
    And the card says "Lutathera cycle 3: proceed at 7.4 GBq"
    And the card says "cycle 2: no CTCAE grade 1 or higher"
    And the card is recorded in the audit

  Scenario: Grade 2 thrombocytopenia before cycle 3: a critical card to withhold
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card is critical
    And the card says "Lutathera cycle 3: withhold"
    And the card says "cycle 2: worst CTCAE grade 2 Platelet count decreased"
    And the card's details show "Thrombocytopenia grade 2 or higher: withhold until grade 0-1"
    And the card's details show "150 to 400"
    And the card's details show "Lutathera US Prescribing Information 4/2024 section 2.3 (via AJR Am J Roentgenol 2023"
    And the card's details never show "S6"
    And the card offers reasons to override it
    And the card is recorded in the audit

  Scenario: Thrombocytopenia resolved before cycle 3: a warning card to reduce to 3.7 GBq
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 3: reduce to 3.7 GBq"
    And the card's details show "Resolved: resume at the reduced activity (3.7 GBq)"

  Scenario: The latest labs are more than two weeks old: a warning card asking for results
    Given the pre-cycle labs of 2024-04-01 are normal
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 3: laboratory results needed first"
    And the card's details show "no Hemoglobin result from 2024-04-15 to 2024-04-29"

  Scenario: Still grade 2 sixteen weeks after the due date: a critical card to discontinue
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-08-15
    And the other pre-cycle labs of 2024-08-15 are normal
    When the clinician opens the patient's chart on 2024-08-20
    Then the service shows one card
    And the card is critical
    And the card says "Lutathera cycle 3: discontinue"
    And the card's details show "delay of 16 weeks or more"

  Scenario: A result dated after the day the rules decide on is not read, and the card says so
    A result of 2024-05-10 on a chart opened on 2024-04-29 (a clock ahead of the service's, a date
    entered wrongly) is graded on the card, but the dose rules decide on 2024-04-29 and do not read it:
    the card never reads "proceed" as information beside it.

    Given the pre-cycle labs of 2024-04-22 are normal
    And a platelet count of 20 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-05-10
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card is warning
    And the card says "Lutathera cycle 3: proceed at 7.4 GBq"
    And the card says "1 laboratory result dated after 2024-04-29 not read"
    And the card's details show "**Laboratory results dated after 2024-04-29** are not read for the recommendation above"
    And the card offers reasons to override it

  Scenario Outline: Cycle 4 recorded as given on <day>, the chart opened on 2024-06-24: <outcome>
    A completed administration dated after the day decided on (a date entered wrongly, a clock ahead
    of the service's, a planned administration recorded as completed) is counted as given, so that no
    cycle that may already have been given is recommended again. The card says so and is a warning,
    never "course complete" as information; an administration on the day itself was given that day.

    Given the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    And the pre-cycle labs of 2024-06-17 are normal
    And PRRT cycle 4 was given on <day> with 7.4 GBq
    When the clinician opens the patient's chart on 2024-06-24
    Then the service shows one card
    And the card is <indicator>
    And the card says "Lutathera course complete (4 of 4 cycles given)"
    And <notice> "1 Lutathera administration dated after 2024-06-24: counted as given; verify the date"
    And the card's details <detail> "**Lutathera administrations dated after 2024-06-24**"

    Examples:
      | day        | outcome                          | indicator | notice              | detail     |
      | 2024-06-24 | given that day, an info card     | info      | the card never says | never show |
      | 2024-06-25 | counted as given, and said so    | warning   | the card says       | show       |

  Scenario: The latest tumour response is on the card
    Given a target lesion "L1" in the liver measuring 32 mm on 2024-01-03
    And a target lesion "L1" in the liver measuring 20 mm on 2024-04-15
    And the pre-cycle labs of 2024-04-22 are normal
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card says "RECIST PR on 2024-04-15"
    And the card's details show "latest time point 2024-04-15: **PR**"

  Scenario: The worst grade per term over the course with its cycle, then the current cycle, grade 0 folded
    A grade 2 thrombocytopenia in cycle 1 stays on the card after it has resolved; the terms graded 0
    are counted on one line rather than listed. Cycle 2 was given at 7.4 GBq where the rules asked for
    3.7 GBq, and the card says so.

    Given a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-02-05
    And the pre-cycle labs of 2024-04-22 are normal
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card's details show "Worst CTCAE grade per term over the course (cycles 1 to 2)"
    And the card's details show "| Platelet count decreased | 2 | 1 | 70 x10^9/L | 2024-02-05 |"
    And the card's details show "other terms grade 0."
    And the card's details show "Current cycle 2 (given 2024-03-04, 7.4 GBq)"
    And the card's details never show "| 0 |"
    And the card's details show "7.4 GBq given where 3.7 GBq was recommended"

  Scenario: A confirmed partial response reads "PR (confirmed)"
    Given a target lesion "L1" in the liver measuring 32 mm on 2024-01-03
    And a target lesion "L1" in the liver measuring 20 mm on 2024-02-20
    And a target lesion "L1" in the liver measuring 19 mm on 2024-04-15
    And the pre-cycle labs of 2024-04-22 are normal
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card's details show "Best overall response: PR (confirmed)."
    And the card's details never show "unconfirmed"

  Scenario Outline: The labs of the next cycle are <age> days old on the day it is due: <outcome>
    The table allows results up to 14 days old (labs_max_age_days): the card states their date and
    age, and from 15 days on it says in its summary that they are too old.

    Given the pre-cycle labs of <day> are normal
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card's details show "Laboratory results used: labs of <day>, <age> days old on 2024-04-29"
    And the card says "<summary>"

    Examples:
      | day        | age | outcome               | summary                                          |
      | 2024-04-15 | 14  | recent enough         | Lutathera cycle 3: proceed at 7.4 GBq            |
      | 2024-04-14 | 15  | said in the summary   | labs 15 days old (2024-04-14)                    |

  Scenario Outline: After the planned course, platelets of <value> x10^9/L (grade <grade>): <indicator>
    No cycle is decided after the planned course, so no recommendation sets the card's colour; a CTCAE
    grade of 3 or higher since the last cycle (after_course_warning_grade of rules/lutathera_dose.toml)
    still makes it a warning.

    Given the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    And the pre-cycle labs of 2024-06-17 are normal
    And PRRT cycle 4 was given on 2024-06-24 with 7.4 GBq
    And a platelet count of <value> x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-07-15
    And the other pre-cycle labs of 2024-07-15 are normal
    When the clinician opens the patient's chart on 2024-07-20
    Then the service shows one card
    And the card is <indicator>
    And the card says "Lutathera course complete (4 of 4 cycles given); cycle 4: worst CTCAE grade <grade> Platelet count decreased"

    Examples:
      | value | grade | indicator |
      | 50    | 2     | info      |
      | 49.9  | 3     | warning   |
