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

  Scenario: The latest tumour response is on the card
    Given a target lesion "L1" in the liver measuring 32 mm on 2024-01-03
    And a target lesion "L1" in the liver measuring 20 mm on 2024-04-15
    And the pre-cycle labs of 2024-04-22 are normal
    When the clinician opens the patient's chart on 2024-04-29
    Then the service shows one card
    And the card says "RECIST PR on 2024-04-15"
    And the card's details show "latest time point 2024-04-15: **PR**"
