Feature: Lutathera dose before the next cycle: renal toxicity
  The label's renal toxicity row is not a CTCAE grade: a creatinine clearance below 40 mL/min, a
  serum creatinine 40% or more above baseline, or a creatinine clearance 40% or more below baseline
  withholds the cycle until resolution (rules/lutathera_dose.toml; "40%" is read as inclusive, the
  conservative reading). The clearance is Cockcroft-Gault with the actual body weight (the latest
  weight on or before the creatinine):

    CrCl (mL/min) = (140 - age in completed years) x weight (kg) / (72 x creatinine in mg/dL), x 0.85 for a woman

  The baseline creatinine is the latest on or before the day of cycle 1; the baseline clearance is
  computed from it with the weight of its day. Here two cycles were given and cycle 3 is due on
  2024-04-29; its labs are taken on 2024-04-22.

  Background:
    Given the pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And the pre-cycle labs of 2024-02-26 are normal
    And PRRT cycle 2 was given on 2024-03-04 with 7.4 GBq

  Scenario Outline: Creatinine clearance below 40 mL/min: <worked> mL/min, the cycle is <action>
    The creatinine before treatment was already <baseline> mg/dL, so neither 40% change from baseline
    is reached: only the clearance itself decides. The woman is 61 on 2024-04-22 (born 1962-05-14),
    the man 74 (born 1950-02-01); the man of 68 (born 1955-06-01) has a clearance of exactly 40.0
    mL/min with 1.5 mg/dL, not below 40, and 50.0 mL/min at baseline (1.25 x, 0.8 x baseline).

    Given a <sex> patient born <born>
    And a body weight of <weight> kg on 2024-01-02
    And a creatinine of <baseline> mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-01-02
    And a creatinine of <baseline> mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-02-26
    And a creatinine of <creatinine> mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites <cites>

    Examples:
      | sex    | born       | weight | baseline | creatinine | worked                                     | action   | recommendation       | cites                                         |
      | female | 1962-05-14 | 70     | 1.3      | 1.7        | (140 - 61) x 70 / (72 x 1.7) x 0.85 = 38.4 | withheld | "withhold"           | "lutathera.renal.crcl" with a value of 38.4 |
      | female | 1962-05-14 | 70     | 1.3      | 1.6        | (140 - 61) x 70 / (72 x 1.6) x 0.85 = 40.8 | proceed  | "proceed" at 7.4 GBq | "lutathera.proceed"                           |
      | male   | 1950-02-01 | 65     | 1.2      | 1.5        | (140 - 74) x 65 / (72 x 1.5) = 39.7        | withheld | "withhold"           | "lutathera.renal.crcl" with a value of 39.7 |
      | male   | 1950-02-01 | 65     | 1.2      | 1.4        | (140 - 74) x 65 / (72 x 1.4) = 42.6        | proceed  | "proceed" at 7.4 GBq | "lutathera.proceed"                           |
      | male   | 1955-06-01 | 60     | 1.2      | 1.5        | (140 - 68) x 60 / (72 x 1.5) = 40.0        | proceed  | "proceed" at 7.4 GBq | "lutathera.proceed"                           |
      | male   | 1955-06-01 | 60     | 1.2      | 1.51       | (140 - 68) x 60 / (72 x 1.51) = 39.7       | withheld | "withhold"           | "lutathera.renal.crcl" with a value of 39.7 |

  Scenario Outline: Serum creatinine 40% above baseline: <creatinine> mg/dL after 0.8 mg/dL, the cycle is <action>
    1.12 mg/dL is exactly 1.4 x the baseline of 0.8 mg/dL (a 40% increase), 1.11 mg/dL 1.39 x. The
    clearance stays above 40 mL/min and above 0.6 x baseline (1.12 mg/dL: 58.3 mL/min against 81.6).

    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And a creatinine of <creatinine> mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites <cites>

    Examples:
      | creatinine | action   | recommendation       | decision                 | cites                                                 |
      | 1.12       | withheld | "withhold"           | lutathera.renal.withhold | "lutathera.renal.creatinine_rise" with a value of 1.4 |
      | 1.11       | proceed  | "proceed" at 7.4 GBq | lutathera.proceed        | "lutathera.proceed"                                   |

  Scenario Outline: Creatinine clearance 40% below baseline: <weight> kg and 1.04 mg/dL, the cycle is <action>
    The baseline clearance (2024-01-02, 61 years, 70 kg, 0.8 mg/dL) is 79 x 70 / (72 x 0.8) x 0.85 =
    81.6 mL/min. By 2024-04-22 the patient has lost weight and the creatinine is 1.04 mg/dL (1.3 x
    baseline, under the 40% rise): with 54.6 kg the clearance is 79 x 54.6 / (72 x 1.04) x 0.85 =
    49.0 mL/min, exactly 0.6 x baseline (a 40% decrease); with 54.7 kg it is 49.1 mL/min, 0.601 x.
    Both stay above 40 mL/min.

    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And a body weight of <weight> kg on 2024-04-20
    And a creatinine of 1.04 mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-04-22
    And the other pre-cycle labs of 2024-04-22 are normal
    When the rules are evaluated on 2024-04-29
    Then the recommendation for cycle 3 is <recommendation>
    And the recommendation for cycle 3 cites "<decision>"
    And the recommendation for cycle 3 cites <cites>

    Examples:
      | weight | action   | recommendation       | decision                 | cites                                           |
      | 54.6   | withheld | "withhold"           | lutathera.renal.withhold | "lutathera.renal.crcl_fall" with a value of 0.6 |
      | 54.7   | proceed  | "proceed" at 7.4 GBq | lutathera.proceed        | "lutathera.proceed"                             |
