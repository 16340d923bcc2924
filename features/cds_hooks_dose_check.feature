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

  Scenario Outline: An ordered activity above 0 and at most 11.1 GBq is not implausible
    Given the pre-cycle labs of 2024-04-22 are normal
    When a Lutathera order of <ordered> is signed on 2024-04-29
    Then the service shows no card

    Examples:
      | ordered   |
      | 11.1 GBq  |
      | 0.001 GBq |
      | 300 mCi   |
      | 11100 MBq |

  Scenario: An implausible order with laboratory results too old to decide: still the implausible-activity card
    When a Lutathera order of 740 GBq is signed on 2024-04-29
    Then the service shows one card
    And the card is critical
    And the card says "Implausible ordered activity: 740 GBq"
    And the card's details show "laboratory results needed first"
