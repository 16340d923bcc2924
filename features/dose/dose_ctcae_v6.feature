Feature: Lutathera dose before the next cycle, graded by CTCAE v6.0
  The dose-modification table of the Lutathera label (rules/lutathera_dose.toml) read against CTCAE
  v6.0 grades ([ctcae_versions."6.0"]): "Thrombocytopenia" (v5.0 "Platelet count decreased") is the
  thrombocytopenia class and withholds from grade 2, as before; neutropenia withholds below 1.0 x10^9/L
  as the label's row was written (v5.0 grade 3), which is v6.0 grade 2 (grade_shift); hyperglycemia grade 3-4 is "any other grade 3 or 4"; a creatinine clearance is the renal
  class; CD4 lymphocytes decreased stays exempt, and v6.0 has no low-lymphocyte grade at all.

  Two cycles were given at full activity and cycle 3 is due 8 weeks after cycle 2, on 2024-04-29; its
  labs are taken on 2024-04-22.

  Background:
    Given CTCAE version "6.0"
    And a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: Thrombocytopenia: platelets <platelets> x10^9/L before cycle 3 are grade <grade>, the cycle is <action>
    CTCAE v6.0 grade 2 is "<75.0 - 50.0 x 10^9/L" and grade 4 "<10.0 x 10^9/L": 75 is grade 1 and
    does not modify the dose; 74.9 (grade 2), 10 (grade 3) and 9.9 (grade 4) withhold until grade 0-1.

    Given a platelet count of <platelets> x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Thrombocytopenia" is <grade>
    And the rule is "<grading>"
    And the recommendation for cycle 3 is <recommendation>
    And the indicator for cycle 3 is "<indicator>"
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | platelets | grade | grading                    | action   | recommendation       | indicator | decision                            | rule                               |
      | 150       | 0     | ctcae6.thrombocytopenia.g0 | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed                   | lutathera.proceed                  |
      | 75        | 1     | ctcae6.thrombocytopenia.g1 | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed                   | lutathera.proceed                  |
      | 74.9      | 2     | ctcae6.thrombocytopenia.g2 | withheld | "withhold"           | critical  | lutathera.thrombocytopenia.withhold | lutathera.thrombocytopenia.trigger |
      | 10        | 3     | ctcae6.thrombocytopenia.g3 | withheld | "withhold"           | critical  | lutathera.thrombocytopenia.withhold | lutathera.thrombocytopenia.trigger |
      | 9.9       | 4     | ctcae6.thrombocytopenia.g4 | withheld | "withhold"           | critical  | lutathera.thrombocytopenia.withhold | lutathera.thrombocytopenia.trigger |

  Scenario Outline: Neutropenia on the label's bands: neutrophils <anc> x10^9/L, v6.0 grade <grade>, the cycle is <action>
    CTCAE v6.0 moved neutropenia down one band: grade 2 is "<1.0 - 0.5 x 10^9/L", which v5.0, the bands
    of the label's row, calls grade 3. The label withholds "grade 3 or 4" anemia or neutropenia, ANC
    < 1.0 x10^9/L: a v6.0 grade g acts as grade g + 1 (grade_shift in rules/lutathera_dose.toml, the
    conservative reading). 1.0 is v6.0 grade 1 and does not modify the dose; 0.99 (v6.0 grade 2), 0.49
    (grade 3) and 0.09 (grade 4) withhold until the count is 1.0 or more. The grade written is v6.0's.

    Given an absolute neutrophil count of <anc> x10^9/L with a lower limit of 2.0 and an upper limit of 7.0 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Neutrophil count decreased" is <grade>
    And the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | anc  | grade | action   | recommendation       | decision                              | rule                                 |
      | 1.5  | 0     | proceed  | "proceed" at 7.4 GBq | lutathera.proceed                     | lutathera.proceed                    |
      | 1.0  | 1     | proceed  | "proceed" at 7.4 GBq | lutathera.proceed                     | lutathera.proceed                    |
      | 0.99 | 2     | withheld | "withhold"           | lutathera.anemia_neutropenia.withhold | lutathera.anemia_neutropenia.trigger |
      | 0.49 | 3     | withheld | "withhold"           | lutathera.anemia_neutropenia.withhold | lutathera.anemia_neutropenia.trigger |
      | 0.09 | 4     | withheld | "withhold"           | lutathera.anemia_neutropenia.withhold | lutathera.anemia_neutropenia.trigger |

  Scenario: A v6.0 neutropenia grade 2 says how it was read
    Given an absolute neutrophil count of 0.7 x10^9/L with a lower limit of 2.0 and an upper limit of 7.0 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "withhold"
    And the text output shows "CTCAE v6.0 grade 2 acts as grade 3 of the label's row"

  Scenario Outline: Hyperglycemia is any other grade 3 or 4: glucose <glucose> mmol/L is grade <grade>, the cycle is <action>
    Given a glucose of <glucose> mmol/L with a lower limit of 3.9 and an upper limit of 5.6 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Hyperglycemia" is <grade>
    And the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | glucose | grade | action   | recommendation       | decision                 | rule                    |
      | 13.9    | 0     | proceed  | "proceed" at 7.4 GBq | lutathera.proceed        | lutathera.proceed       |
      | 14.0    | 3     | withheld | "withhold"           | lutathera.other.withhold | lutathera.other.trigger |
      | 27.9    | 4     | withheld | "withhold"           | lutathera.other.withhold | lutathera.other.trigger |

  Scenario: A creatinine clearance graded 3 is the renal class, not "any other grade 3"
    The renal row of the label withholds below 40 mL/min, a stricter cut than the grade 3 of
    "Creatinine clearance decreased" (10 - 25 mL/min): the clearance is counted once, by the renal class.

    Given a measured creatinine clearance of 25 mL/min on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Creatinine clearance decreased" is 3
    And the rule is "ctcae6.creatinine_clearance_decreased.g3"
    And the recommendation for cycle 3 is "withhold"
    And the recommendation for cycle 3 cites "lutathera.renal.crcl"
    And the recommendation for cycle 3 does not cite "lutathera.other.trigger"

  Scenario: CD4 lymphocytes decreased grade 3 stays exempt in v6.0
    Given a CD4 count of 0.19 x10^9/L with a lower limit of 0.5 and an upper limit of 1.5 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "CD4 lymphocytes decreased" is 3
    And the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And the recommendation for cycle 3 cites "lutathera.exempt"
    And the reason "lutathera.exempt" of cycle 3 cites the source "lymphopenia alone does not modify the dose"

  Scenario Outline: A lymphocytosis grade 3 is not lymphopenia: lymphocytes <lymphocytes> x10^9/L, the cycle is <action>
    The label's exemption is for toxicity "due solely to lymphopenia" (S4); a lymphocyte count above
    20 x10^9/L (Lymphocyte count increased grade 3, ">20,000/mm3") is "any other grade 3 or 4".
    It was: exempt, and the cycle read "proceed at 7.4 GBq".

    Given an absolute lymphocyte count of <lymphocytes> x10^9/L with a lower limit of 1.0 and an upper limit of 4.0 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Lymphocyte count increased" is <grade>
    And the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 does not cite "lutathera.exempt"

    Examples:
      | lymphocytes | grade | action   | recommendation       |
      | 20          | 2     | given    | "proceed" at 7.4 GBq |
      | 20.1        | 3     | withheld | "withhold"           |

  Scenario: A low lymphocyte count has no CTCAE v6.0 grade and does not modify the dose
    Given an absolute lymphocyte count of 0.19 x10^9/L with a lower limit of 1.0 and an upper limit of 4.0 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And the recommendation for cycle 3 does not cite "lutathera.exempt"
