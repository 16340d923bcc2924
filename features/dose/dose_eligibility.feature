Feature: Lutathera eligibility before the first cycle
  The US label has no numeric eligibility thresholds; rules/lutathera_dose.toml uses the NETTER-1
  exclusion criteria and Cancers 2023 (the stricter where they differ). Before cycle 1 the cycle is
  withheld for a hemoglobin below 8.0 g/dL, white blood cells below 2.0 x10^9/L, platelets below
  75 x10^9/L, a creatinine clearance below 50 mL/min (Cockcroft-Gault), a serum creatinine above
  150 umol/L (1.7 mg/dL), a total bilirubin above 3 x ULN, or an albumin below 30 g/L with an INR
  above its upper limit. These thresholds apply before cycle 1 only; from cycle 2 on the toxicity
  rows of the label apply instead.

  Cycle 1 is decided on 2024-01-08 from the labs of 2024-01-02.

  Scenario Outline: Blood counts and bilirubin before cycle 1: <lab>, the cycle is <action>
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And <lab> on 2024-01-02
    And the other pre-cycle labs of 2024-01-02 are normal
    When the rules are evaluated on 2024-01-08
    Then the recommendation for cycle 1 is <recommendation>
    And the indicator for cycle 1 is "<indicator>"
    And the recommendation for cycle 1 cites "<rule>"

    Examples:
      | lab                                                                                       | action   | recommendation       | indicator | rule                             |
      | a hemoglobin of 7.9 g/dL with a lower limit of 12.0 and an upper limit of 16.0            | withheld | "withhold"           | critical  | lutathera.eligibility.hemoglobin |
      | a hemoglobin of 8.0 g/dL with a lower limit of 12.0 and an upper limit of 16.0            | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed                |
      | a white blood cell count of 1.99 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0 | withheld | "withhold"           | critical  | lutathera.eligibility.wbc        |
      | a white blood cell count of 2.0 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0  | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed                |
      | a platelet count of 74.9 x10^9/L with a lower limit of 150 and an upper limit of 400      | withheld | "withhold"           | critical  | lutathera.eligibility.platelets  |
      | a platelet count of 75 x10^9/L with a lower limit of 150 and an upper limit of 400        | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed                |
      | a total bilirubin of 3.61 mg/dL with a lower limit of 0.3 and an upper limit of 1.2       | withheld | "withhold"           | critical  | lutathera.eligibility.bilirubin  |
      | a total bilirubin of 3.6 mg/dL with a lower limit of 0.3 and an upper limit of 1.2        | proceed  | "proceed" at 7.4 GBq | info      | lutathera.proceed                |

  Scenario Outline: Creatinine clearance below 50 mL/min before cycle 1: <worked> mL/min, the cycle is <action>
    A woman of 61 (born 1962-05-14), 70 kg. Both creatinines are below 150 umol/L (1.35 mg/dL is
    119 umol/L).

    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And a creatinine of <creatinine> mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-01-02
    And the other pre-cycle labs of 2024-01-02 are normal
    When the rules are evaluated on 2024-01-08
    Then the recommendation for cycle 1 is <recommendation>
    And the recommendation for cycle 1 cites <cites>

    Examples:
      | creatinine | worked                                      | action   | recommendation       | cites                                             |
      | 1.35       | (140 - 61) x 70 / (72 x 1.35) x 0.85 = 48.4 | withheld | "withhold"           | "lutathera.eligibility.crcl" with a value of 48.4 |
      | 1.3        | (140 - 61) x 70 / (72 x 1.3) x 0.85 = 50.2  | proceed  | "proceed" at 7.4 GBq | "lutathera.proceed"                               |

  Scenario Outline: A creatinine clearance of exactly 50 mL/min before cycle 1: <worked> mL/min, the cycle is <action>
    A man of 68 (born 1955-06-01), 60 kg: (140 - 68) x 60 / 72 = 60 / creatinine, so 1.2 mg/dL (106
    umol/L) is exactly 50.0 mL/min, not below 50.

    Given a male patient born 1955-06-01
    And a body weight of 60 kg on 2024-01-02
    And a creatinine of <creatinine> mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-01-02
    And the other pre-cycle labs of 2024-01-02 are normal
    When the rules are evaluated on 2024-01-08
    Then the recommendation for cycle 1 is <recommendation>
    And the recommendation for cycle 1 cites <cites>

    Examples:
      | creatinine | worked                              | action   | recommendation       | cites                                             |
      | 1.2        | (140 - 68) x 60 / (72 x 1.2) = 50.0 | proceed  | "proceed" at 7.4 GBq | "lutathera.proceed"                               |
      | 1.21       | (140 - 68) x 60 / (72 x 1.21) = 49.6 | withheld | "withhold"           | "lutathera.eligibility.crcl" with a value of 49.6 |

  Scenario Outline: Serum creatinine above 150 umol/L before cycle 1: <creatinine> umol/L, the cycle is <action>
    A man of 30 (born 1993-06-01) weighing 120 kg: his clearance stays far above 50 mL/min (151 umol/L
    is 1.708 mg/dL: 110 x 120 / (72 x 1.708) = 107.4 mL/min), so the creatinine alone decides.

    Given a male patient born 1993-06-01
    And a body weight of 120 kg on 2024-01-02
    And a creatinine of <creatinine> umol/L with a lower limit of 62 and an upper limit of 106 on 2024-01-02
    And the other pre-cycle labs of 2024-01-02 are normal
    When the rules are evaluated on 2024-01-08
    Then the recommendation for cycle 1 is <recommendation>
    And the recommendation for cycle 1 cites <cites>

    Examples:
      | creatinine | action   | recommendation       | cites                                                  |
      | 151        | withheld | "withhold"           | "lutathera.eligibility.creatinine" with a value of 151 |
      | 150        | proceed  | "proceed" at 7.4 GBq | "lutathera.proceed"                                    |

  Scenario Outline: Albumin <albumin> g/L with an INR of <inr> (upper limit 1.1) before cycle 1: the cycle is <action>
    NETTER-1 excluded an albumin below 3.0 g/dL unless the prothrombin time was normal; the INR stands
    in for the prothrombin time: above its upper limit of normal, the albumin excludes.

    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And a serum albumin of <albumin> g/L with a lower limit of 35 and an upper limit of 50 on 2024-01-02
    And an INR of <inr> with a lower limit of 0.9 and an upper limit of 1.1 on 2024-01-02
    And the other pre-cycle labs of 2024-01-02 are normal
    When the rules are evaluated on 2024-01-08
    Then the recommendation for cycle 1 is <recommendation>
    And the recommendation for cycle 1 cites "<rule>"

    Examples:
      | albumin | inr | action   | recommendation       | rule                          |
      | 29      | 1.2 | withheld | "withhold"           | lutathera.eligibility.albumin |
      | 29      | 1.1 | proceed  | "proceed" at 7.4 GBq | lutathera.proceed             |
      | 30      | 1.2 | proceed  | "proceed" at 7.4 GBq | lutathera.proceed             |

  Scenario: Albumin below 30 g/L before cycle 1 without an INR asks for an INR
    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And a serum albumin of 2.9 g/dL with a lower limit of 3.5 and an upper limit of 5.0 on 2024-01-02
    And the other pre-cycle labs of 2024-01-02 are normal
    When the rules are evaluated on 2024-01-08
    Then the recommendation for cycle 1 is "labs-needed"
    And the indicator for cycle 1 is "warning"
    And the recommendation for cycle 1 asks for the INR

  Scenario: Without a body weight the creatinine clearance cannot be calculated
    Cockcroft-Gault needs the weight: with none recorded, the clearance is asked for, never assumed.

    Given a female patient born 1962-05-14
    And the pre-cycle labs of 2024-01-02 are normal
    When the rules are evaluated on 2024-01-08
    Then the recommendation for cycle 1 is "labs-needed"
    And the recommendation for cycle 1 asks for the creatinine clearance

  Scenario: After cycle 1 the eligibility thresholds no longer apply
    The same clearance of 45 mL/min that would have excluded the patient before cycle 1 does not
    modify cycle 2: it is above 40 mL/min, and neither 40% change from baseline is reached (baseline
    1.3 mg/dL, 50.2 mL/min; on 2024-02-26 1.45 mg/dL, 1.12 x, and 79 x 70 / (72 x 1.45) x 0.85 =
    45.0 mL/min, 0.90 x).

    Given a female patient born 1962-05-14
    And a body weight of 70 kg on 2024-01-02
    And a creatinine of 1.3 mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-01-02
    And the other pre-cycle labs of 2024-01-02 are normal
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And a creatinine of 1.45 mg/dL with a lower limit of 0.5 and an upper limit of 1.1 on 2024-02-26
    And the other pre-cycle labs of 2024-02-26 are normal
    When the rules are evaluated on 2024-03-04
    Then the recommendation for cycle 1 is "proceed" at 7.4 GBq
    And the recommendation for cycle 2 is "proceed" at 7.4 GBq
    And the recommendation for cycle 2 cites "lutathera.proceed"
