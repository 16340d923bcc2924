Feature: Lutathera dose before the next cycle: blood counts
  Before each cycle the labs since the last administration are read against the dose-modification
  table of the Lutathera label (rules/lutathera_dose.toml), graded by CTCAE v5.0: thrombocytopenia
  grade 2 or higher, anemia or neutropenia grade 3 or higher, and any other grade 3 or 4 laboratory
  toxicity withhold the cycle (indicator "critical", no activity); lymphopenia alone never modifies
  the dose. With nothing dose-modifying, the cycle proceeds at 7.4 GBq (indicator "info").

  Here two cycles were given at full activity and cycle 3 is due 8 weeks after cycle 2, on
  2024-04-29; its labs are taken on 2024-04-22.

  Background:
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: Thrombocytopenia: platelets <platelets> x10^9/L before cycle 3 are grade <grade>, the cycle is <action>
    CTCAE v5.0 grade 2 is "<75,000 - 50,000/mm3": 75 x10^9/L is grade 1 and does not modify the dose,
    74.9 is grade 2 and withholds the cycle until grade 0-1.

    Given a platelet count of <platelets> x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Platelet count decreased" is <grade>
    And the recommendation for cycle 3 is <recommendation>
    And the indicator for cycle 3 is "<indicator>"
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | platelets | grade | action   | recommendation       | indicator | decision                            | rule                               |
      | 150       | 0     | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed                   | lutathera.proceed                  |
      | 75        | 1     | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed                   | lutathera.proceed                  |
      | 74.9      | 2     | withheld | "withhold"           | critical  | lutathera.thrombocytopenia.withhold | lutathera.thrombocytopenia.trigger |
      | 49.9      | 3     | withheld | "withhold"           | critical  | lutathera.thrombocytopenia.withhold | lutathera.thrombocytopenia.trigger |
      | 24.9      | 4     | withheld | "withhold"           | critical  | lutathera.thrombocytopenia.withhold | lutathera.thrombocytopenia.trigger |

  Scenario Outline: Anemia and neutropenia: <term> grade <grade> before cycle 3, the cycle is <action>
    CTCAE v5.0 anemia grade 3 is "Hgb <8.0 g/dL": 8.0 g/dL is grade 2 and does not modify the dose,
    7.9 g/dL is grade 3. Neutrophil count decreased grade 3 is "<1000 - 500/mm3": 1.0 x10^9/L is grade
    2, 0.99 grade 3. Grade 3 or 4 withholds the cycle until grade 0-2.

    Given <lab> on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "<term>" is <grade>
    And the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | lab                                                                                            | term                       | grade | action   | recommendation       | decision                              | rule                                 |
      | a hemoglobin of 8.0 g/dL with a lower limit of 12.0 and an upper limit of 16.0                 | Anemia                     | 2     | proceed  | "proceed" at 7.4 GBq | lutathera.proceed                     | lutathera.proceed                    |
      | a hemoglobin of 7.9 g/dL with a lower limit of 12.0 and an upper limit of 16.0                 | Anemia                     | 3     | withheld | "withhold"           | lutathera.anemia_neutropenia.withhold | lutathera.anemia_neutropenia.trigger |
      | an absolute neutrophil count of 1.0 x10^9/L with a lower limit of 2.0 and an upper limit of 7.0  | Neutrophil count decreased | 2     | proceed  | "proceed" at 7.4 GBq | lutathera.proceed                     | lutathera.proceed                    |
      | an absolute neutrophil count of 0.99 x10^9/L with a lower limit of 2.0 and an upper limit of 7.0 | Neutrophil count decreased | 3     | withheld | "withhold"           | lutathera.anemia_neutropenia.withhold | lutathera.anemia_neutropenia.trigger |
      | an absolute neutrophil count of 0.49 x10^9/L with a lower limit of 2.0 and an upper limit of 7.0 | Neutrophil count decreased | 4     | withheld | "withhold"           | lutathera.anemia_neutropenia.withhold | lutathera.anemia_neutropenia.trigger |

  Scenario Outline: Any other grade 3 or 4 toxicity: <term> grade <grade> before cycle 3, the cycle is <action>
    The label's last row: any other CTCAE grade 3 or 4 adverse reaction withholds the cycle until grade
    0-2. White blood cell decreased grade 3 is "<2000 - 1000/mm3": 2.0 x10^9/L is grade 2, 1.99 grade
    3. ALT after a normal baseline (20 U/L) is grade 3 above 5.0 x ULN: 200 U/L (exactly 5 x 40) is
    grade 2, 201 U/L grade 3.

    Given <lab> on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "<term>" is <grade>
    And the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | lab                                                                                       | term                               | grade | action   | recommendation       | decision                 | rule                    |
      | a white blood cell count of 2.0 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0  | White blood cell decreased         | 2     | proceed  | "proceed" at 7.4 GBq | lutathera.proceed        | lutathera.proceed       |
      | a white blood cell count of 1.99 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0 | White blood cell decreased         | 3     | withheld | "withhold"           | lutathera.other.withhold | lutathera.other.trigger |
      | an ALT of 200 U/L with a lower limit of 7 and an upper limit of 40                          | Alanine aminotransferase increased | 2     | proceed  | "proceed" at 7.4 GBq | lutathera.proceed        | lutathera.proceed       |
      | an ALT of 201 U/L with a lower limit of 7 and an upper limit of 40                          | Alanine aminotransferase increased | 3     | withheld | "withhold"           | lutathera.other.withhold | lutathera.other.trigger |

  Scenario Outline: Lymphopenia alone never modifies the dose: lymphocytes <lymphocytes> x10^9/L are grade <grade>
    The label's footnote: no dose modification for grade 3 or 4 haematological toxicity due solely to
    lymphopenia.

    Given an absolute lymphocyte count of <lymphocytes> x10^9/L with a lower limit of 1.0 and an upper limit of 4.0 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Lymphocyte count decreased" is <grade>
    And the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And the indicator for cycle 3 is "info"
    And the recommendation for cycle 3 cites "lutathera.proceed"
    And the recommendation for cycle 3 cites "lutathera.exempt"
    And the reason "lutathera.exempt" of cycle 3 cites the source "lymphopenia alone does not modify the dose"

    Examples:
      | lymphocytes | grade |
      | 0.49        | 3     |
      | 0.19        | 4     |

  Scenario: A lymphocytosis grade 3 is not lymphopenia and withholds as any other grade 3
    The label's exemption is for toxicity "due solely to lymphopenia" (S4); Lymphocyte count increased
    grade 3 (">20,000/mm3") is "any other grade 3 or 4". It was: exempt, "proceed at 7.4 GBq".

    Given an absolute lymphocyte count of 20.1 x10^9/L with a lower limit of 1.0 and an upper limit of 4.0 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Lymphocyte count increased" is 3
    And the recommendation for cycle 3 is "withhold"
    And the recommendation for cycle 3 cites "lutathera.other.trigger"
    And the recommendation for cycle 3 does not cite "lutathera.exempt"

  Scenario Outline: An exempt lymphopenia below grade 3 is not mentioned: lymphocytes <lymphocytes> x10^9/L
    Only where the grade would otherwise have counted (grade 3-4, "any other grade 3 or 4") does the
    recommendation say the exemption applied.

    Given an absolute lymphocyte count of <lymphocytes> x10^9/L with a lower limit of 1.0 and an upper limit of 4.0 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Lymphocyte count decreased" is <grade>
    And the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And the recommendation for cycle 3 does not cite "lutathera.exempt"

    Examples:
      | lymphocytes | grade |
      | 0.5         | 2     |
      | 0.79        | 2     |
