Feature: Lutathera dose: what was given is compared with what was recommended
  Every cycle given is checked after the fact, on its administration day, and its alert says where
  what was given departs from the recommendation at that point (docs/outputs.md, `deviation`):
  an activity other than the recommended one (beyond a tolerance of 10%, inclusive: 7.4 GBq +/- 0.74,
  3.7 GBq +/- 0.37), a cycle given while the recommendation was to withhold or after Lutathera was to
  be discontinued, a cycle given before the label's earliest interval (every 8 weeks +/- 1 week: 49
  days after the previous cycle), and an activity that cannot be a dose (0 or less, or above 11.1 GBq,
  1.5 x the full activity). The settings are in rules/lutathera_dose.toml, [deviations].

  Background:
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: Proceed at 7.4 GBq, <given> GBq given: <outcome>
    Given the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with <given> GBq
    When the rules are evaluated
    Then the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And <then>

    Examples:
      | given | outcome                 | then                                                                                  | rule                         |
      | 8.14  | within 10%, as advised  | cycle 3 has no deviation                                                              |                              |
      | 8.15  | more than 10% above     | the deviation of cycle 3 is "activity" by rule "lutathera.deviation.activity"         | lutathera.deviation.activity |
      | 6.66  | within 10%, as advised  | cycle 3 has no deviation                                                              |                              |
      | 6.65  | more than 10% below     | the deviation of cycle 3 is "activity" by rule "lutathera.deviation.activity"         | lutathera.deviation.activity |
      | 3.7   | reduced without a cause | the deviation of cycle 3 says "3.7 GBq given where 7.4 GBq was recommended"           | lutathera.deviation.activity |

  Scenario Outline: Thrombocytopenia resolved, reduce to 3.7 GBq, <given> GBq given: <outcome>
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And the other pre-cycle labs of 2024-04-01 are normal
    And the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with <given> GBq
    When the rules are evaluated
    Then the recommendation for cycle 3 is "reduce" at 3.7 GBq
    And <then>

    Examples:
      | given | outcome             | then                                                                          | rule                         |
      | 4.07  | within 10%          | cycle 3 has no deviation                                                      |                              |
      | 4.08  | more than 10% above | the deviation of cycle 3 is "activity" by rule "lutathera.deviation.activity" | lutathera.deviation.activity |
      | 3.33  | within 10%          | cycle 3 has no deviation                                                      |                              |
      | 3.32  | more than 10% below | the deviation of cycle 3 is "activity" by rule "lutathera.deviation.activity" | lutathera.deviation.activity |
      | 7.4   | the full activity   | the deviation of cycle 3 says "7.4 GBq given where 3.7 GBq was recommended"   | lutathera.deviation.activity |

  Scenario Outline: Grade 2 thrombocytopenia before cycle 3, given all the same at <given> GBq
    Given a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with <given> GBq
    When the rules are evaluated
    Then the recommendation for cycle 3 is "withhold"
    And the deviation of cycle 3 is "given-while-withheld" by rule "<rule>"
    And the deviation of cycle 3 says "given while the recommendation was to withhold"

    Examples:
      | given | rule                                   |
      | 7.4   | lutathera.deviation.given_while_withheld |
      | 3.7   | lutathera.deviation.given_while_withheld |

  Scenario Outline: Thrombocytopenia for 16 weeks after the due date, cycle 3 given all the same
    Cycle 3 was due on 2024-04-29; the platelets were grade 2 on 2024-04-22 and still on 2024-08-19.
    On 2024-08-26, 119 days after the due date, Lutathera is to be discontinued.

    Given a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-08-19
    And the other pre-cycle labs of 2024-08-19 are normal
    And PRRT cycle 3 was given on 2024-08-26 with 3.7 GBq
    When the rules are evaluated
    Then the recommendation for cycle 3 is "discontinue"
    And the deviation of cycle 3 is "given-after-discontinue" by rule "<rule>"
    And the deviation of cycle 3 says "to be discontinued permanently (from cycle 3)"
    And the recommendation for cycle 4 is "discontinue"

    Examples:
      | rule                                        |
      | lutathera.deviation.given_after_discontinue |

  Scenario Outline: Cycle 3 given <days> days after cycle 2: <outcome>
    The label gives every 8 weeks (+/- 1 week): the earliest interval is 7 weeks, 49 days.

    Given the pre-cycle labs of <labs> are normal
    And PRRT cycle 3 was given on <day> with 7.4 GBq
    When the rules are evaluated
    Then the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And <then>

    Examples:
      | days | day        | labs       | outcome  | then                                                                       | rule                      |
      | 49   | 2024-04-22 | 2024-04-15 | on time  | cycle 3 has no deviation                                                   |                           |
      | 48   | 2024-04-21 | 2024-04-15 | early    | the deviation of cycle 3 is "early" by rule "lutathera.deviation.early"    | lutathera.deviation.early |
      | 48   | 2024-04-21 | 2024-04-15 | early    | the deviation of cycle 3 says "given 48 days after cycle 2"                | lutathera.deviation.early |

  Scenario Outline: Cycle 3 recorded as given with <given> GBq: <outcome>
    Given the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with <given> GBq
    When the rules are evaluated
    Then <then>

    Examples:
      | given | outcome                      | then                                                                                                   | rule                                     |
      | 0     | not a dose                   | the deviation of cycle 3 is "implausible-activity" by rule "lutathera.deviation.implausible_activity" | lutathera.deviation.implausible_activity |
      | -7.4  | not a dose                   | the deviation of cycle 3 is "implausible-activity" by rule "lutathera.deviation.implausible_activity" | lutathera.deviation.implausible_activity |
      | 11.2  | above the plausible maximum  | the deviation of cycle 3 says "11.2 GBq recorded as given: not a plausible activity"                  | lutathera.deviation.implausible_activity |
      | 11.1  | plausible, but not 7.4 GBq   | the deviation of cycle 3 is "activity" by rule "lutathera.deviation.activity"                          | lutathera.deviation.activity             |
      | 0.1   | plausible, but not 7.4 GBq   | the deviation of cycle 3 is "activity" by rule "lutathera.deviation.activity"                          | lutathera.deviation.activity             |
      | 7400  | MBq taken for GBq            | the deviation of cycle 3 is "implausible-activity" by rule "lutathera.deviation.implausible_activity" | lutathera.deviation.implausible_activity |

  Scenario: Early and at the wrong activity: every deviation is listed, the more severe first
    Given the pre-cycle labs of 2024-04-15 are normal
    And PRRT cycle 3 was given on 2024-04-21 with 3.7 GBq
    When the rules are evaluated
    Then the deviation of cycle 3 is "early"
    And cycle 3 also deviates as "activity"

  Scenario Outline: Cycle 3 given with labs <age> days old: <outcome>
    No decision is possible without the labs of the 14 days before the cycle (labs_max_age_days): a
    cycle given all the same says so, never "as recommended".

    Given the pre-cycle labs of <labs> are normal
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    When the rules are evaluated
    Then the recommendation for cycle 3 is <recommendation>
    And <then>

    Examples:
      | labs       | age | outcome             | recommendation       | then                                                                                            | rule                                   |
      | 2024-04-15 | 14  | decided, as advised | "proceed" at 7.4 GBq | cycle 3 has no deviation                                                                        |                                        |
      | 2024-04-14 | 15  | given without labs  | "labs-needed"        | the deviation of cycle 3 is "given-without-labs" by rule "lutathera.deviation.given_without_labs" | lutathera.deviation.given_without_labs |

  Scenario Outline: Cycle 3 given <recorded>: <outcome>
    Given the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 <administration>
    When the rules are evaluated
    Then the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And <then>

    Examples:
      | recorded         | administration                        | outcome          | then                                                                                                    | rule                                      |
      | with 7.4 GBq     | was given on 2024-04-29 with 7.4 GBq  | as advised       | cycle 3 has no deviation                                                                                |                                           |
      | with no activity | was given on 2024-04-29               | activity unknown | the deviation of cycle 3 is "activity-not-recorded" by rule "lutathera.deviation.activity_not_recorded" | lutathera.deviation.activity_not_recorded |
