Feature: CTCAE v5.0 blood counts
  Grading of the full blood count after 177Lu-DOTATATE, as CTCAE v5.0 writes it: a value exactly on a
  band's boundary takes the milder grade ("<75.0 - 50.0 x 10e9/L" is grade 2 for 50 <= platelets < 75).
  Grade 1 of the "decreased" terms is "<LLN": it needs the laboratory's lower limit of normal.

  Background:
    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq

  Scenario Outline: Platelet count decreased: <value> x10^9/L is grade <grade>
    Given a platelet count of <value> x10^9/L with a lower limit of 150 and an upper limit of 400
    When the rules are evaluated
    Then the grade for "Platelet count decreased" is <grade>
    And the rule is "<rule>"
    And the criterion set is "si"
    And the lab is in cycle 1

    Examples:
      | value | grade | rule                                |
      | 150   | 0     | ctcae5.platelet_count_decreased.g0 |
      | 149.9 | 1     | ctcae5.platelet_count_decreased.g1 |
      | 75    | 1     | ctcae5.platelet_count_decreased.g1 |
      | 74.9  | 2     | ctcae5.platelet_count_decreased.g2 |
      | 50    | 2     | ctcae5.platelet_count_decreased.g2 |
      | 49.9  | 3     | ctcae5.platelet_count_decreased.g3 |
      | 25    | 3     | ctcae5.platelet_count_decreased.g3 |
      | 24.9  | 4     | ctcae5.platelet_count_decreased.g4 |

  Scenario Outline: Platelet count reported in <unit>: <value> is grade <grade>
    Given a platelet count of <value> <unit> with a lower limit of <lln>
    When the rules are evaluated
    Then the grade for "Platelet count decreased" is <grade>
    And the rule is "<rule>"
    And the range source is "mixed"

    Examples:
      | value | unit    | lln    | grade | rule                                |
      | 74.9  | 10*9/L  | 150    | 2     | ctcae5.platelet_count_decreased.g2 |
      | 74.9  | 10*3/uL | 150    | 2     | ctcae5.platelet_count_decreased.g2 |
      | 74.9  | K/uL    | 150    | 2     | ctcae5.platelet_count_decreased.g2 |
      | 75    | K/uL    | 150    | 1     | ctcae5.platelet_count_decreased.g1 |
      | 74900 | /uL     | 150000 | 2     | ctcae5.platelet_count_decreased.g2.per_mm3 |
      | 75000 | /uL     | 150000 | 1     | ctcae5.platelet_count_decreased.g1.per_mm3 |
      | 25000 | /uL     | 150000 | 3     | ctcae5.platelet_count_decreased.g3.per_mm3 |
      | 24999 | /uL     | 150000 | 4     | ctcae5.platelet_count_decreased.g4.per_mm3 |

  Scenario Outline: Neutrophil count decreased: <value> <unit> is grade <grade>
    Given a neutrophil count of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Neutrophil count decreased" is <grade>
    And the rule is "<rule>"

    Examples: in x10^9/L
      | value | unit    | lln | uln | grade | rule                                  |
      | 2.0   | x10^9/L | 2.0 | 7.5 | 0     | ctcae5.neutrophil_count_decreased.g0 |
      | 1.9   | x10^9/L | 2.0 | 7.5 | 1     | ctcae5.neutrophil_count_decreased.g1 |
      | 1.5   | x10^9/L | 2.0 | 7.5 | 1     | ctcae5.neutrophil_count_decreased.g1 |
      | 1.49  | x10^9/L | 2.0 | 7.5 | 2     | ctcae5.neutrophil_count_decreased.g2 |
      | 1.0   | x10^9/L | 2.0 | 7.5 | 2     | ctcae5.neutrophil_count_decreased.g2 |
      | 0.99  | x10^9/L | 2.0 | 7.5 | 3     | ctcae5.neutrophil_count_decreased.g3 |
      | 0.5   | x10^9/L | 2.0 | 7.5 | 3     | ctcae5.neutrophil_count_decreased.g3 |
      | 0.49  | x10^9/L | 2.0 | 7.5 | 4     | ctcae5.neutrophil_count_decreased.g4 |

    Examples: in other units
      | value | unit    | lln  | uln  | grade | rule                                  |
      | 1500  | /uL     | 2000 | 7500 | 1     | ctcae5.neutrophil_count_decreased.g1.per_mm3 |
      | 1490  | /uL     | 2000 | 7500 | 2     | ctcae5.neutrophil_count_decreased.g2.per_mm3 |
      | 1.0   | K/uL    | 2.0  | 7.5  | 2     | ctcae5.neutrophil_count_decreased.g2 |
      | 0.5   | 10*3/uL | 2.0  | 7.5  | 3     | ctcae5.neutrophil_count_decreased.g3 |
      | 499   | /uL     | 2000 | 7500 | 4     | ctcae5.neutrophil_count_decreased.g4.per_mm3 |

  Scenario Outline: White blood cell decreased: <value> x10^9/L is grade <grade>
    Given a white blood cell count of <value> x10^9/L with a lower limit of 4.0 and an upper limit of 10.0
    When the rules are evaluated
    Then the grade for "White blood cell decreased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                  |
      | 4.0   | 0     | ctcae5.white_blood_cell_decreased.g0 |
      | 3.9   | 1     | ctcae5.white_blood_cell_decreased.g1 |
      | 3.0   | 1     | ctcae5.white_blood_cell_decreased.g1 |
      | 2.9   | 2     | ctcae5.white_blood_cell_decreased.g2 |
      | 2.0   | 2     | ctcae5.white_blood_cell_decreased.g2 |
      | 1.9   | 3     | ctcae5.white_blood_cell_decreased.g3 |
      | 1.0   | 3     | ctcae5.white_blood_cell_decreased.g3 |
      | 0.9   | 4     | ctcae5.white_blood_cell_decreased.g4 |

  Scenario Outline: Leukocytosis: a white blood cell count of <value> <unit> is grade <grade>
    Given a white blood cell count of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Leukocytosis" is <grade>
    And the rule is "<rule>"

    Examples:
      | value  | unit    | lln  | uln   | grade | rule                    |
      | 100    | x10^9/L | 4.0  | 10.0  | 0     | ctcae5.leukocytosis.g0 |
      | 100.1  | x10^9/L | 4.0  | 10.0  | 3     | ctcae5.leukocytosis.g3 |
      | 100000 | /uL     | 4000 | 10000 | 0     | ctcae5.leukocytosis.g0 |
      | 100100 | /uL     | 4000 | 10000 | 3     | ctcae5.leukocytosis.g3.per_mm3 |

  Scenario Outline: Lymphocyte count decreased: <value> x10^9/L is grade <grade>
    Given a lymphocyte count of <value> x10^9/L with a lower limit of 1.0 and an upper limit of 4.0
    When the rules are evaluated
    Then the grade for "Lymphocyte count decreased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | grade | rule                                  |
      | 1.0   | 0     | ctcae5.lymphocyte_count_decreased.g0 |
      | 0.9   | 1     | ctcae5.lymphocyte_count_decreased.g1 |
      | 0.8   | 1     | ctcae5.lymphocyte_count_decreased.g1 |
      | 0.79  | 2     | ctcae5.lymphocyte_count_decreased.g2 |
      | 0.5   | 2     | ctcae5.lymphocyte_count_decreased.g2 |
      | 0.49  | 3     | ctcae5.lymphocyte_count_decreased.g3 |
      | 0.2   | 3     | ctcae5.lymphocyte_count_decreased.g3 |
      | 0.19  | 4     | ctcae5.lymphocyte_count_decreased.g4 |

  Scenario Outline: Lymphocyte count increased: <value> x10^9/L is grade <grade>, whatever the laboratory's range
    Given a lymphocyte count of <value> x10^9/L with a lower limit of 1.0 and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Lymphocyte count increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | uln | grade | rule                                  |
      | 4.0   | 3.5 | 0     | ctcae5.lymphocyte_count_increased.g0 |
      | 4.1   | 3.5 | 2     | ctcae5.lymphocyte_count_increased.g2 |
      | 4.5   | 5.0 | 2     | ctcae5.lymphocyte_count_increased.g2 |
      | 20    | 3.5 | 2     | ctcae5.lymphocyte_count_increased.g2 |
      | 20.1  | 3.5 | 3     | ctcae5.lymphocyte_count_increased.g3 |

  Scenario Outline: A <count> of <value> <unit> is graded by CTCAE's <set> column: "<term>" grade <grade>
    CTCAE writes the cell counts both per mm3 and in x10e9/L: a count reported per mm3 (/uL, cells/uL)
    is graded by the /mm3 figures, one reported in x10^9/L (or 10^3/uL, the same unit) by the x10e9/L
    ones, on both sides of each boundary.

    Given a <count> of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "<term>" is <grade>
    And the rule is "<rule>"
    And the criterion set is "<set>"
    And the value was graded in the unit it was reported in

    Examples:
      | count                   | value | unit     | lln  | uln   | term                       | grade | set  | rule                                         |
      | white blood cell count  | 3999  | /uL      | 4000 | 10000 | White blood cell decreased | 1     | /mm3 | ctcae5.white_blood_cell_decreased.g1.per_mm3 |
      | white blood cell count  | 3000  | /uL      | 4000 | 10000 | White blood cell decreased | 1     | /mm3 | ctcae5.white_blood_cell_decreased.g1.per_mm3 |
      | white blood cell count  | 2999  | /uL      | 4000 | 10000 | White blood cell decreased | 2     | /mm3 | ctcae5.white_blood_cell_decreased.g2.per_mm3 |
      | white blood cell count  | 1999  | cells/uL | 4000 | 10000 | White blood cell decreased | 3     | /mm3 | ctcae5.white_blood_cell_decreased.g3.per_mm3 |
      | white blood cell count  | 1000  | /mm3     | 4000 | 10000 | White blood cell decreased | 3     | /mm3 | ctcae5.white_blood_cell_decreased.g3.per_mm3 |
      | white blood cell count  | 999   | /mm3     | 4000 | 10000 | White blood cell decreased | 4     | /mm3 | ctcae5.white_blood_cell_decreased.g4.per_mm3 |
      | neutrophil count        | 999   | /uL      | 2000 | 7500  | Neutrophil count decreased | 3     | /mm3 | ctcae5.neutrophil_count_decreased.g3.per_mm3 |
      | lymphocyte count        | 999   | /uL      | 1000 | 4000  | Lymphocyte count decreased | 1     | /mm3 | ctcae5.lymphocyte_count_decreased.g1.per_mm3 |
      | lymphocyte count        | 799   | /uL      | 1000 | 4000  | Lymphocyte count decreased | 2     | /mm3 | ctcae5.lymphocyte_count_decreased.g2.per_mm3 |
      | lymphocyte count        | 499   | /uL      | 1000 | 4000  | Lymphocyte count decreased | 3     | /mm3 | ctcae5.lymphocyte_count_decreased.g3.per_mm3 |
      | lymphocyte count        | 200   | /uL      | 1000 | 4000  | Lymphocyte count decreased | 3     | /mm3 | ctcae5.lymphocyte_count_decreased.g3.per_mm3 |
      | lymphocyte count        | 199   | /uL      | 1000 | 4000  | Lymphocyte count decreased | 4     | /mm3 | ctcae5.lymphocyte_count_decreased.g4.per_mm3 |
      | lymphocyte count        | 4000  | /uL      | 1000 | 3500  | Lymphocyte count increased | 0     | /mm3 | ctcae5.lymphocyte_count_increased.g0         |
      | lymphocyte count        | 4001  | /uL      | 1000 | 3500  | Lymphocyte count increased | 2     | /mm3 | ctcae5.lymphocyte_count_increased.g2.per_mm3 |
      | lymphocyte count        | 20001 | /uL      | 1000 | 3500  | Lymphocyte count increased | 3     | /mm3 | ctcae5.lymphocyte_count_increased.g3.per_mm3 |
      | CD4 count               | 0.69  | 10^9/L   | 0.7  | 1.5   | CD4 lymphocytes decreased  | 1     | si   | ctcae5.cd4_lymphocytes_decreased.g1          |
      | CD4 count               | 0.49  | 10^9/L   | 0.7  | 1.5   | CD4 lymphocytes decreased  | 2     | si   | ctcae5.cd4_lymphocytes_decreased.g2          |
      | CD4 count               | 0.2   | 10^9/L   | 0.7  | 1.5   | CD4 lymphocytes decreased  | 2     | si   | ctcae5.cd4_lymphocytes_decreased.g2          |
      | CD4 count               | 0.199 | 10^9/L   | 0.7  | 1.5   | CD4 lymphocytes decreased  | 3     | si   | ctcae5.cd4_lymphocytes_decreased.g3          |
      | CD4 count               | 0.049 | 10*3/uL  | 0.7  | 1.5   | CD4 lymphocytes decreased  | 4     | si   | ctcae5.cd4_lymphocytes_decreased.g4          |

  Scenario Outline: CD4 lymphocytes decreased: <value> cells/uL is grade <grade>
    Given a CD4 count of <value> /uL with a lower limit of 700 and an upper limit of 1500
    When the rules are evaluated
    Then the grade for "CD4 lymphocytes decreased" is <grade>
    And the rule is "<rule>"
    And the criterion set is "/mm3"
    And the value was graded in the unit it was reported in

    Examples:
      | value | grade | rule                                        |
      | 700   | 0     | ctcae5.cd4_lymphocytes_decreased.g0         |
      | 699   | 1     | ctcae5.cd4_lymphocytes_decreased.g1.per_mm3 |
      | 500   | 1     | ctcae5.cd4_lymphocytes_decreased.g1.per_mm3 |
      | 499   | 2     | ctcae5.cd4_lymphocytes_decreased.g2.per_mm3 |
      | 200   | 2     | ctcae5.cd4_lymphocytes_decreased.g2.per_mm3 |
      | 199   | 3     | ctcae5.cd4_lymphocytes_decreased.g3.per_mm3 |
      | 50    | 3     | ctcae5.cd4_lymphocytes_decreased.g3.per_mm3 |
      | 49    | 4     | ctcae5.cd4_lymphocytes_decreased.g4.per_mm3 |

  Scenario Outline: Anemia: hemoglobin <value> <unit> is grade <grade>
    Given a hemoglobin of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Anemia" is <grade>
    And the rule is "<rule>"
    And the value was graded in the unit it was reported in

    Examples: in g/dL
      | value | unit | lln  | uln  | grade | rule              |
      | 12.0  | g/dL | 12.0 | 16.0 | 0     | ctcae5.anemia.g0 |
      | 11.9  | g/dL | 12.0 | 16.0 | 1     | ctcae5.anemia.g1.g_dl |
      | 10.0  | g/dL | 12.0 | 16.0 | 1     | ctcae5.anemia.g1.g_dl |
      | 9.9   | g/dL | 12.0 | 16.0 | 2     | ctcae5.anemia.g2.g_dl |
      | 8.0   | g/dL | 12.0 | 16.0 | 2     | ctcae5.anemia.g2.g_dl |
      | 7.9   | g/dL | 12.0 | 16.0 | 3     | ctcae5.anemia.g3.g_dl |

    Examples: in g/L
      | value | unit | lln | uln | grade | rule              |
      | 120   | g/L  | 120 | 160 | 0     | ctcae5.anemia.g0 |
      | 100   | g/L  | 120 | 160 | 1     | ctcae5.anemia.g1 |
      | 99.9  | g/L  | 120 | 160 | 2     | ctcae5.anemia.g2 |
      | 80    | g/L  | 120 | 160 | 2     | ctcae5.anemia.g2 |
      | 79.9  | g/L  | 120 | 160 | 3     | ctcae5.anemia.g3 |

  Scenario Outline: Anemia in mmol/L is graded by the mmol/L column only: <value> mmol/L is grade <grade>
    CTCAE's mmol/L cut-offs are not exact conversions of its g/L ones (6.2 mmol/L is 99.9 g/L, 4.9
    mmol/L is 79.0 g/L): a result reported in mmol/L is graded as CTCAE writes it in mmol/L, on both
    sides of each boundary.

    Given a hemoglobin of <value> mmol/L with a lower limit of 7.4 and an upper limit of 9.9
    When the rules are evaluated
    Then the grade for "Anemia" is <grade>
    And the rule is "<rule>"
    And the criterion set is "mmol/L"
    And the value was graded in the unit it was reported in

    Examples:
      | value | grade | rule                    |
      | 7.4   | 0     | ctcae5.anemia.g0        |
      | 7.3   | 1     | ctcae5.anemia.g1.mmol_l |
      | 6.2   | 1     | ctcae5.anemia.g1.mmol_l |
      | 6.1   | 2     | ctcae5.anemia.g2.mmol_l |
      | 4.9   | 2     | ctcae5.anemia.g2.mmol_l |
      | 4.8   | 3     | ctcae5.anemia.g3.mmol_l |

  Scenario Outline: Hemoglobin increased: <value> <unit> above an upper limit of <uln> is grade <grade>
    Given a hemoglobin of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Hemoglobin increased" is <grade>
    And the rule is "<rule>"

    Examples:
      | value | unit | lln  | uln  | grade | rule                            |
      | 16.0  | g/dL | 12.0 | 16.0 | 0     | ctcae5.hemoglobin_increased.g0 |
      | 16.1  | g/dL | 12.0 | 16.0 | 1     | ctcae5.hemoglobin_increased.g1.g_dl |
      | 18.0  | g/dL | 12.0 | 16.0 | 1     | ctcae5.hemoglobin_increased.g1.g_dl |
      | 18.1  | g/dL | 12.0 | 16.0 | 2     | ctcae5.hemoglobin_increased.g2.g_dl |
      | 20.0  | g/dL | 12.0 | 16.0 | 2     | ctcae5.hemoglobin_increased.g2.g_dl |
      | 20.1  | g/dL | 12.0 | 16.0 | 3     | ctcae5.hemoglobin_increased.g3.g_dl |
      | 180   | g/L  | 120  | 160  | 1     | ctcae5.hemoglobin_increased.g1 |
      | 180.1 | g/L  | 120  | 160  | 2     | ctcae5.hemoglobin_increased.g2 |
      | 200   | g/L  | 120  | 160  | 2     | ctcae5.hemoglobin_increased.g2 |
      | 200.1 | g/L  | 120  | 160  | 3     | ctcae5.hemoglobin_increased.g3 |

  Scenario: A neutrophil percentage becomes an absolute count with the white blood cell count of the same time
    Given a white blood cell count of 2.0 x10^9/L with a lower limit of 4.0 and an upper limit of 10.0
    And a neutrophil percentage of 40 %
    When the rules are evaluated
    Then the grade for "Neutrophil count decreased" is 3
    And the rule is "ctcae5.neutrophil_count_decreased.g3"
    And the range source is "default"
    And the grade for "White blood cell decreased" is 2

  Scenario: A neutrophil percentage without a white blood cell count cannot be graded
    Given a neutrophil percentage of 40 %
    When the rules are evaluated
    Then "Neutrophil count decreased" is not gradable because "percent differential without a WBC"
    And there is an issue mentioning "percent differential without a WBC"
