Feature: Lutathera dose over a course: reduce, return to full activity, discontinue
  The label gives 7.4 GBq every 8 weeks for 4 cycles. A toxicity withholds the next cycle; once it
  has resolved the course resumes at 3.7 GBq, and if that reduced cycle causes no recurrence the next
  one returns to 7.4 GBq. A recurrence after the reduction, or a toxicity that requires a delay of 16
  weeks (112 days) or more after the due date, discontinues Lutathera permanently.

  Every cycle given is checked after the fact, on its administration day, from the labs since the
  previous cycle; the next cycle due (8 weeks after the last one) is decided on its due date, or on
  the evaluation day when that is later. Cycles here: 2024-01-08, 2024-03-04, then due 2024-04-29
  and 2024-06-24, each with pre-cycle labs a week before.

  One toxicity of each class of the label's table (rules/lutathera_dose.toml):

  | class              | toxicity                                      | resolved                       |
  | thrombocytopenia   | platelets 70 x10^9/L (grade 2)                | 100 x10^9/L (grade 1)          |
  | anemia_neutropenia | hemoglobin 7.5 g/dL (grade 3), ANC 0.8 (3)    | 10.5 g/dL (1), ANC 1.6 (1)     |
  | renal              | creatinine 1.2 mg/dL, 1.5 x baseline 0.8      | 0.85 mg/dL                     |
  | hepatic            | total bilirubin 4.0 mg/dL, 3.3 x ULN 1.2      | 1.0 mg/dL                      |
  | other              | white blood cells 1.5 x10^9/L (grade 3)       | 3.5 x10^9/L (grade 1)          |

  A bilirubin above 3 x ULN is also CTCAE grade 3, so the "other" class follows it as well.

  Background:
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal

  Scenario: A course without toxicity proceeds at 7.4 GBq every cycle, for 4 cycles
    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And the pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    And the pre-cycle labs of 2024-06-17 are normal
    And PRRT cycle 4 was given on 2024-06-24 with 7.4 GBq
    When the rules are evaluated
    Then the recommendation for cycle 1 is "proceed" at 7.4 GBq
    And the recommendation for cycle 2 is "proceed" at 7.4 GBq
    And the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And the recommendation for cycle 4 is "proceed" at 7.4 GBq
    And the indicator for cycle 4 is "info"
    And the recommendation for cycle 4 cites "lutathera.proceed"
    And there is no recommendation for cycle 5

  Scenario: Grade 2 thrombocytopenia after cycle 1 withholds cycle 2
    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-02-26
    And the other pre-cycle labs of 2024-02-26 are normal
    When the rules are evaluated on 2024-03-04
    Then the recommendation for cycle 1 is "proceed" at 7.4 GBq
    And the recommendation for cycle 2 is "withhold"
    And the indicator for cycle 2 is "critical"
    And the recommendation for cycle 2 cites "lutathera.thrombocytopenia.withhold"
    And the recommendation for cycle 2 cites "lutathera.thrombocytopenia.trigger"
    And there is no recommendation for cycle 3

  Scenario Outline: <class>: after resolution cycle 3 resumes at 3.7 GBq, and cycle 4 returns to 7.4 GBq
    The toxicity appeared after cycle 2 (2024-04-01) and had resolved by the pre-cycle labs of cycle 3.
    Cycle 3 was given at the reduced activity without recurrence, so cycle 4 is back at full activity.

    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And <toxicity> on 2024-04-01
    And <resolved> on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 3.7 GBq
    And the pre-cycle labs of 2024-06-17 are normal
    And PRRT cycle 4 was given on 2024-06-24 with 7.4 GBq
    When the rules are evaluated
    Then the recommendation for cycle 2 is "proceed" at 7.4 GBq
    And the recommendation for cycle 3 is "reduce" at 3.7 GBq
    And the indicator for cycle 3 is "warning"
    And the recommendation for cycle 3 cites "lutathera.<class>.reduce"
    And the recommendation for cycle 3 cites "<trigger>"
    And the recommendation for cycle 4 is "proceed" at 7.4 GBq
    And the indicator for cycle 4 is "info"
    And the recommendation for cycle 4 cites "lutathera.<class>.escalate"
    And there is no recommendation for cycle 5

    Examples:
      | class              | toxicity                                                                                        | resolved                                                                                       | trigger                              |
      | thrombocytopenia   | a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400              | a platelet count of 100 x10^9/L with a lower limit of 150 and an upper limit of 400            | lutathera.thrombocytopenia.trigger   |
      | anemia_neutropenia | a hemoglobin of 7.5 g/dL with a lower limit of 12.0 and an upper limit of 16.0                  | a hemoglobin of 10.5 g/dL with a lower limit of 12.0 and an upper limit of 16.0                | lutathera.anemia_neutropenia.trigger |
      | anemia_neutropenia | an absolute neutrophil count of 0.8 x10^9/L with a lower limit of 2.0 and an upper limit of 7.0 | an absolute neutrophil count of 1.6 x10^9/L with a lower limit of 2.0 and an upper limit of 7.0 | lutathera.anemia_neutropenia.trigger |
      | renal              | a creatinine of 1.2 mg/dL with a lower limit of 0.5 and an upper limit of 1.1                   | a creatinine of 0.85 mg/dL with a lower limit of 0.5 and an upper limit of 1.1                 | lutathera.renal.creatinine_rise      |
      | hepatic            | a total bilirubin of 4.0 mg/dL with a lower limit of 0.3 and an upper limit of 1.2              | a total bilirubin of 1.0 mg/dL with a lower limit of 0.3 and an upper limit of 1.2             | lutathera.hepatic.bilirubin          |
      | other              | a white blood cell count of 1.5 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0    | a white blood cell count of 3.5 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0   | lutathera.other.trigger              |

  Scenario Outline: <class>: a recurrence after the reduced cycle 3 discontinues Lutathera
    The toxicity came back after the reduced cycle 3 (2024-05-27): cycle 4 is not given, even though
    it had resolved again by its pre-cycle labs.

    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And <toxicity> on 2024-04-01
    And <resolved> on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 3.7 GBq
    And <toxicity> on 2024-05-27
    And <resolved> on 2024-06-17
    And the other pre-cycle labs of 2024-06-17 are normal
    When the rules are evaluated on 2024-06-24
    Then the recommendation for cycle 3 is "reduce" at 3.7 GBq
    And the recommendation for cycle 4 is "discontinue"
    And the indicator for cycle 4 is "critical"
    And the recommendation for cycle 4 cites "lutathera.<class>.discontinue_recurrence"
    And the recommendation for cycle 4 cites "<trigger>"
    And there is no recommendation for cycle 5

    Examples:
      | class              | toxicity                                                                                        | resolved                                                                                       | trigger                              |
      | thrombocytopenia   | a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400              | a platelet count of 100 x10^9/L with a lower limit of 150 and an upper limit of 400            | lutathera.thrombocytopenia.trigger   |
      | anemia_neutropenia | a hemoglobin of 7.5 g/dL with a lower limit of 12.0 and an upper limit of 16.0                  | a hemoglobin of 10.5 g/dL with a lower limit of 12.0 and an upper limit of 16.0                | lutathera.anemia_neutropenia.trigger |
      | anemia_neutropenia | an absolute neutrophil count of 0.8 x10^9/L with a lower limit of 2.0 and an upper limit of 7.0 | an absolute neutrophil count of 1.6 x10^9/L with a lower limit of 2.0 and an upper limit of 7.0 | lutathera.anemia_neutropenia.trigger |
      | renal              | a creatinine of 1.2 mg/dL with a lower limit of 0.5 and an upper limit of 1.1                   | a creatinine of 0.85 mg/dL with a lower limit of 0.5 and an upper limit of 1.1                 | lutathera.renal.creatinine_rise      |
      | hepatic            | a total bilirubin of 4.0 mg/dL with a lower limit of 0.3 and an upper limit of 1.2              | a total bilirubin of 1.0 mg/dL with a lower limit of 0.3 and an upper limit of 1.2             | lutathera.hepatic.bilirubin          |
      | other              | a white blood cell count of 1.5 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0    | a white blood cell count of 3.5 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0   | lutathera.other.trigger              |

  Scenario Outline: <class> still present <days> days after cycle 3 was due: the cycle is <action>
    Cycle 3 was due on 2024-04-29. The toxicity was there on its pre-cycle labs and is still there on
    2024-08-12. 112 days (16 weeks) after the due date is 2024-08-19: on 2024-08-18 the cycle is still
    withheld, from 2024-08-19 Lutathera is discontinued.

    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And <toxicity> on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And <toxicity> on 2024-08-12
    And the other pre-cycle labs of 2024-08-12 are normal
    When the rules are evaluated on <day>
    Then the recommendation for cycle 3 is "<recommendation>"
    And the indicator for cycle 3 is "critical"
    And the recommendation for cycle 3 cites "<rule>"
    And the recommendation for cycle 3 cites "<trigger>"

    Examples:
      | class              | toxicity                                                                                     | day        | days | action       | recommendation | rule                                           | trigger                              |
      | thrombocytopenia   | a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400           | 2024-08-18 | 111  | withheld     | withhold       | lutathera.thrombocytopenia.withhold            | lutathera.thrombocytopenia.trigger   |
      | thrombocytopenia   | a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400           | 2024-08-19 | 112  | discontinued | discontinue    | lutathera.thrombocytopenia.discontinue_delay   | lutathera.thrombocytopenia.trigger   |
      | anemia_neutropenia | a hemoglobin of 7.5 g/dL with a lower limit of 12.0 and an upper limit of 16.0               | 2024-08-18 | 111  | withheld     | withhold       | lutathera.anemia_neutropenia.withhold          | lutathera.anemia_neutropenia.trigger |
      | anemia_neutropenia | a hemoglobin of 7.5 g/dL with a lower limit of 12.0 and an upper limit of 16.0               | 2024-08-19 | 112  | discontinued | discontinue    | lutathera.anemia_neutropenia.discontinue_delay | lutathera.anemia_neutropenia.trigger |
      | renal              | a creatinine of 1.2 mg/dL with a lower limit of 0.5 and an upper limit of 1.1                | 2024-08-18 | 111  | withheld     | withhold       | lutathera.renal.withhold                       | lutathera.renal.creatinine_rise      |
      | renal              | a creatinine of 1.2 mg/dL with a lower limit of 0.5 and an upper limit of 1.1                | 2024-08-19 | 112  | discontinued | discontinue    | lutathera.renal.discontinue_delay              | lutathera.renal.creatinine_rise      |
      | hepatic            | a total bilirubin of 4.0 mg/dL with a lower limit of 0.3 and an upper limit of 1.2           | 2024-08-18 | 111  | withheld     | withhold       | lutathera.hepatic.withhold                     | lutathera.hepatic.bilirubin          |
      | hepatic            | a total bilirubin of 4.0 mg/dL with a lower limit of 0.3 and an upper limit of 1.2           | 2024-08-19 | 112  | discontinued | discontinue    | lutathera.hepatic.discontinue_delay            | lutathera.hepatic.bilirubin          |
      | other              | a white blood cell count of 1.5 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0 | 2024-08-18 | 111  | withheld     | withhold       | lutathera.other.withhold                       | lutathera.other.trigger              |
      | other              | a white blood cell count of 1.5 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0 | 2024-08-19 | 112  | discontinued | discontinue    | lutathera.other.discontinue_delay              | lutathera.other.trigger              |

  Scenario: A thrombocytopenia that needed 16 weeks to resolve discontinues Lutathera, also once resolved
    The label discontinues when a toxicity "requires a treatment delay of 16 weeks or more". Cycle 3
    was due on 2024-04-29; the platelets were still grade 2 on 2024-08-19, 112 days after it, and had
    recovered (grade 1) only by 2024-08-26. The thrombocytopenia has required a delay of 16 weeks, so
    cycle 3 is not to be given, not even at the reduced activity.

    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-08-19
    And a platelet count of 120 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-08-26
    And the other pre-cycle labs of 2024-08-26 are normal
    When the rules are evaluated on 2024-08-26
    Then the recommendation for cycle 3 is "discontinue"
    And the recommendation for cycle 3 cites "lutathera.thrombocytopenia.discontinue_delay"

  Scenario Outline: <class> first seen resolved <days> days after cycle 3 was due: <recommendation>
    The delay a toxicity required runs from the due date to the first result that shows it resolved,
    not to the last result that still showed it: the cycle could not be given before. Cycle 3 was due
    on 2024-04-29; the toxicity was still there on 2024-08-12 (105 days) and the next labs, on <resolved
    on>, are normal. Resolved at 111 days, the course resumes at the reduced activity; resolved at 112
    days (16 weeks, ">= max_delay_days"), Lutathera is discontinued permanently.

    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And <toxicity> on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And <toxicity> on 2024-08-12
    And the other pre-cycle labs of 2024-08-12 are normal
    And the pre-cycle labs of <resolved on> are normal
    When the rules are evaluated on 2024-08-26
    Then the recommendation for cycle 3 is "<recommendation>"
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | class              | toxicity                                                                                     | resolved on | days | recommendation | rule                                           |
      | thrombocytopenia   | a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400           | 2024-08-18  | 111  | reduce         | lutathera.thrombocytopenia.reduce              |
      | thrombocytopenia   | a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400           | 2024-08-19  | 112  | discontinue    | lutathera.thrombocytopenia.discontinue_delay   |
      | anemia_neutropenia | a hemoglobin of 7.5 g/dL with a lower limit of 12.0 and an upper limit of 16.0               | 2024-08-18  | 111  | reduce         | lutathera.anemia_neutropenia.reduce            |
      | anemia_neutropenia | a hemoglobin of 7.5 g/dL with a lower limit of 12.0 and an upper limit of 16.0               | 2024-08-19  | 112  | discontinue    | lutathera.anemia_neutropenia.discontinue_delay |
      | renal              | a creatinine of 1.2 mg/dL with a lower limit of 0.5 and an upper limit of 1.1                | 2024-08-18  | 111  | reduce         | lutathera.renal.reduce                         |
      | renal              | a creatinine of 1.2 mg/dL with a lower limit of 0.5 and an upper limit of 1.1                | 2024-08-19  | 112  | discontinue    | lutathera.renal.discontinue_delay              |
      | hepatic            | a total bilirubin of 4.0 mg/dL with a lower limit of 0.3 and an upper limit of 1.2           | 2024-08-18  | 111  | reduce         | lutathera.hepatic.reduce                       |
      | hepatic            | a total bilirubin of 4.0 mg/dL with a lower limit of 0.3 and an upper limit of 1.2           | 2024-08-19  | 112  | discontinue    | lutathera.hepatic.discontinue_delay            |

  Scenario Outline: Discontinued for a 16-week delay: a normal panel weeks later does not bring back the reduction
    Cycle 3 was due on 2024-04-29; the platelets were grade 2 on 2024-04-22 and still on 2024-08-15.
    On 2024-08-20, 113 days after the due date, Lutathera is discontinued permanently. The first
    normal panel comes on 2024-09-10: the toxicity required a delay of 134 days, and the decision
    stays "discontinue" on every later day, although the last result that showed the toxicity is only
    108 days after the due date.

    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-08-15
    And the other pre-cycle labs of 2024-08-15 are normal
    And the pre-cycle labs of 2024-09-10 are normal
    When the rules are evaluated on <day>
    Then the recommendation for cycle 3 is "discontinue"
    And the indicator for cycle 3 is "critical"
    And the recommendation for cycle 3 cites "lutathera.thrombocytopenia.discontinue_delay"

    Examples:
      | day        |
      | 2024-09-12 |
      | 2024-09-20 |

  Scenario: The reduction recommended but 7.4 GBq given: a deviation, and no "return to 7.4 GBq" after it
    The course continues from what was given. Cycle 3 was to be reduced to 3.7 GBq but was given at
    7.4 GBq: its alert says so, and cycle 4 proceeds at 7.4 GBq because nothing dose-modifying was
    found since, not because "a reduced cycle caused no recurrence": no reduced cycle was given.

    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And a platelet count of 100 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    And the pre-cycle labs of 2024-06-17 are normal
    And PRRT cycle 4 was given on 2024-06-24 with 7.4 GBq
    When the rules are evaluated
    Then the recommendation for cycle 3 is "reduce" at 3.7 GBq
    And the deviation of cycle 3 says "7.4 GBq given where 3.7 GBq was recommended"
    And the recommendation for cycle 4 is "proceed" at 7.4 GBq
    And the recommendation for cycle 4 cites "lutathera.proceed"
    And no reason for cycle 4 says "reduced"
    And cycle 4 has no deviation

  Scenario Outline: The reduced cycle 3 given with <given> GBq: cycle 4 <outcome>
    A cycle counts as the reduced one only within 10% of 3.7 GBq (activity_tolerance, inclusive: 3.33
    to 4.07 GBq). Given within it, cycle 4 returns to 7.4 GBq after a reduction without recurrence;
    given beyond it, no reduction was given, and cycle 4 proceeds because nothing dose-modifying was
    found since.

    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And a platelet count of 100 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with <given> GBq
    And the pre-cycle labs of 2024-06-17 are normal
    When the rules are evaluated on 2024-06-24
    Then the recommendation for cycle 3 is "reduce" at 3.7 GBq
    And the recommendation for cycle 4 is "proceed" at 7.4 GBq
    And the recommendation for cycle 4 cites "<rule>"
    And the recommendation for cycle 4 does not cite "<not cited>"

    Examples:
      | given | outcome                                 | rule                                | not cited                           |
      | 4.07  | returns to 7.4 GBq after the reduction  | lutathera.thrombocytopenia.escalate | lutathera.proceed                   |
      | 4.08  | proceeds: no reduction was given        | lutathera.proceed                   | lutathera.thrombocytopenia.escalate |
      | 3.33  | returns to 7.4 GBq after the reduction  | lutathera.thrombocytopenia.escalate | lutathera.proceed                   |
      | 3.32  | proceeds: no reduction was given        | lutathera.proceed                   | lutathera.thrombocytopenia.escalate |

  Scenario: Thrombocytopenia again after a full cycle given in place of the reduced one: withhold, not discontinue
    The label discontinues for a recurrence "after the dose reduction". Cycle 3 was given at 7.4 GBq
    instead of 3.7 GBq, so no reduction was ever given: the new thrombocytopenia withholds cycle 4,
    and the course will resume at the reduced activity once it resolves.

    Given PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq
    And a platelet count of 70 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-01
    And a platelet count of 100 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    And PRRT cycle 3 was given on 2024-04-29 with 7.4 GBq
    And a platelet count of 60 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-06-17
    And the other pre-cycle labs of 2024-06-17 are normal
    When the rules are evaluated on 2024-06-24
    Then the recommendation for cycle 4 is "withhold"
    And the recommendation for cycle 4 cites "lutathera.thrombocytopenia.withhold"
