Feature: Lutathera dose before the next cycle: hepatotoxicity
  The label's hepatotoxicity row: a total bilirubin above 3 x ULN, or a serum albumin below 30 g/L
  (3.0 g/dL) with a raised coagulation test, withholds the cycle until resolution. The label's
  coagulation partner of albumin is unresolved (rules/lutathera_dose.toml): an INR above 1.5 is used,
  and an albumin below 30 g/L without an INR asks for one ("labs-needed", never "proceed").

  Here two cycles were given and cycle 3 is due on 2024-04-29; its labs are taken on 2024-04-22.

  Background:
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: Total bilirubin above 3 x ULN: <bilirubin> mg/dL with an upper limit of 1.2, the cycle is <action>
    3.6 mg/dL is exactly 3 x ULN, 3.61 mg/dL 3.008 x ULN. Above 3 x ULN the bilirubin is also CTCAE
    grade 3 (the baseline, 0.6 mg/dL, was normal), so the "any other grade 3" row withholds as well.

    Given a total bilirubin of <bilirubin> mg/dL with a lower limit of 0.3 and an upper limit of 1.2 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the grade for "Blood bilirubin increased" is <grade>
    And the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites <cites>

    Examples:
      | bilirubin | grade | action   | recommendation       | decision                   | cites                                               |
      | 3.61      | 3     | withheld | "withhold"           | lutathera.hepatic.withhold | "lutathera.hepatic.bilirubin" with a value of 3.008 |
      | 3.61      | 3     | withheld | "withhold"           | lutathera.other.withhold   | "lutathera.other.trigger"                           |
      | 3.6       | 2     | proceed  | "proceed" at 7.4 GBq | lutathera.proceed          | "lutathera.proceed"                                 |

  Scenario Outline: A total bilirubin whose laboratory upper limit is <uln> mg/dL: <recommendation>
    With an upper limit of 0 the bilirubin cannot be set against its ULN: the hepatic row cannot be
    read, and the result is asked for again (it was left out, and 4.0 mg/dL, 3.3 x the default ULN,
    read "proceed").

    Given a total bilirubin of 4.0 mg/dL with a lower limit of 0 and an upper limit of <uln> on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | uln | recommendation | rule                       |
      | 0   | "labs-needed"  | lutathera.labs.bilirubin   |
      | 1.2 | "withhold"     | lutathera.hepatic.withhold |

  Scenario Outline: Albumin <albumin> g/L with an INR of <inr>: the cycle is <action>
    Both are needed: albumin below 30 g/L and an INR above 1.5. Neither albumin 29 g/L (CTCAE grade 2)
    nor an INR of 1.6 (grade 2) modifies the dose on its own.

    Given a serum albumin of <albumin> g/L with a lower limit of 35 and an upper limit of 50 on 2024-04-22
    And an INR of <inr> with a lower limit of 0.9 and an upper limit of 1.1 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is <recommendation>
    And the indicator for cycle 3 is "<indicator>"
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites "<rule>"

    Examples:
      | albumin | inr | action   | recommendation       | indicator | decision                   | rule                           |
      | 29      | 1.6 | withheld | "withhold"           | critical  | lutathera.hepatic.withhold | lutathera.hepatic.albumin_inr |
      | 29      | 1.5 | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed          | lutathera.proceed              |
      | 30      | 1.6 | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed          | lutathera.proceed              |

  Scenario: Albumin below 30 g/L without an INR asks for an INR
    Given a serum albumin of 29 g/L with a lower limit of 35 and an upper limit of 50 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "labs-needed"
    And the indicator for cycle 3 is "warning"
    And the recommendation for cycle 3 asks for the INR

  Scenario: Albumin of 30 g/L needs no INR
    Given a serum albumin of 3.0 g/dL with a lower limit of 3.5 and an upper limit of 5.0 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is "proceed" at 7.4 GBq
    And the recommendation for cycle 3 cites "lutathera.proceed"
