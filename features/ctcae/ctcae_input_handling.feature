Feature: How laboratory results reach the CTCAE grading
  Which limits of normal a result is graded against (the Observation's reference range, else the
  documented default range by analyte and sex), which cycle it belongs to, and what cannot be graded:
  a unit that cannot be converted, a missing value, a missing limit of normal. Nothing is guessed: a
  result that cannot be graded says why.

  Scenario: The limits of normal come from the Observation's reference range
    Given a female patient
    And a platelet count of 160 x10^9/L with a lower limit of 150 and an upper limit of 400
    When the rules are evaluated
    Then the grade for "Platelet count decreased" is 0
    And the range source is "observation"

  Scenario: A one-sided reference range is completed from the default range
    Given a female patient
    And a platelet count of 160 x10^9/L with a lower limit of 170
    When the rules are evaluated
    Then the grade for "Platelet count decreased" is 1
    And the range source is "mixed"

  Scenario: Without a reference range the default range applies (platelets 165-415 x10^9/L)
    Given a female patient
    And a platelet count of 160 x10^9/L
    When the rules are evaluated
    Then the grade for "Platelet count decreased" is 1
    And the range source is "default"

  Scenario Outline: The default hemoglobin range depends on the sex: <value> g/dL for a <sex> patient is grade <grade>
    The default range is 133-162 g/L for men and 120-158 g/L for women; with the sex unknown, the
    narrowest (133-158 g/L), so that no low value is missed for want of the sex.

    Given <patient>
    And a hemoglobin of <value> g/dL
    When the rules are evaluated
    Then the grade for "Anemia" is <grade>
    And the range source is "default"

    Examples:
      | patient                  | sex     | value | grade |
      | a female patient         | female  | 12.0  | 0     |
      | a female patient         | female  | 11.9  | 1     |
      | a male patient           | male    | 13.3  | 0     |
      | a male patient           | male    | 13.2  | 1     |
      | a patient of unknown sex | unknown | 13.2  | 1     |
      | a patient of unknown sex | unknown | 13.3  | 0     |

  Scenario: With the sex unknown, the default hemoglobin upper limit is the lower of the two
    Given a patient of unknown sex
    And a hemoglobin of 15.9 g/dL
    When the rules are evaluated
    Then the grade for "Hemoglobin increased" is 1
    And the range source is "default"

  Scenario: The default creatinine range for a man
    Given a male patient born 1958-03-02
    And PRRT cycle 1 was given on 2024-01-08
    And a creatinine of 1.25 mg/dL
    When the rules are evaluated
    Then the grade for "Creatinine increased" is 1
    And the rule is "ctcae5.creatinine_increased.g1"
    And the range source is "default"

  Scenario Outline: A result in a unit that cannot be converted is not graded: <name> in <unit>
    Given a female patient
    And <name> of <value> <unit>
    When the rules are evaluated
    Then "<term>" is not gradable because "is not convertible"
    And there is an issue mentioning "not convertible"

    Examples:
      | name              | value | unit  | term                     |
      | a platelet count  | 74    | mg/dL | Platelet count decreased |
      | a hemoglobin      | 9.1   | K/uL  | Anemia                   |
      | a creatinine      | 1.2   | U/L   | Creatinine increased     |
      | a serum calcium   | 2.1   | g/dL  | Hypocalcemia             |

  Scenario Outline: A unit written as a lab feed writes it is converted: <value> <unit>
    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08
    And a total bilirubin of <value> <unit> with a lower limit of <lln> and an upper limit of <uln>
    When the rules are evaluated
    Then the grade for "Blood bilirubin increased" is 2

    Examples:
      | value | unit    | lln | uln |
      | 2.0   | mg/dl   | 0.3 | 1.2 |
      | 34    | µmol/L  | 5   | 21  |

  Scenario: A result without a value is not graded
    Given a female patient
    And a platelet count without a value
    When the rules are evaluated
    Then "Platelet count decreased" is not gradable because "no valueQuantity"
    And there is an issue mentioning "no valueQuantity"

  Scenario Outline: Without a lower limit of normal, only the absolute criteria grade: platelets <value> x10^9/L
    A reference range whose lower limit is 0 gives no LLN (a limit of 0 cannot scale a criterion):
    grade 1 ("<LLN - 75.0") cannot be decided, grades 2-4 still can.

    Given a female patient
    And a platelet count of <value> x10^9/L with a lower limit of 0 and an upper limit of 400
    When the rules are evaluated
    Then the grade for "Platelet count decreased" is <grade>
    And the rule is "ctcae5.platelet_count_decreased.g<grade>"

    Examples:
      | value | grade |
      | 60    | 2     |
      | 40    | 3     |
      | 20    | 4     |

  Scenario: Without a lower limit of normal, a platelet count above 75 x10^9/L cannot be graded
    Given a female patient
    And a platelet count of 100 x10^9/L with a lower limit of 0 and an upper limit of 400
    When the rules are evaluated
    Then the grade for "Platelet count decreased" is not gradable because "no lower limit of normal"

  Scenario: Each result is placed in the cycle whose window holds it
    A cycle's window runs from its administration day to the day before the next administration;
    results before the first administration are in cycle 0.

    Given a female patient
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And PRRT cycle 2 was given on 2024-03-04 with 7400 MBq
    And a platelet count of 210 x10^9/L with a lower limit of 150 on 2024-01-07
    And a platelet count of 140 x10^9/L with a lower limit of 150 on 2024-01-08
    And a platelet count of 70 x10^9/L with a lower limit of 150 on 2024-03-03
    And a platelet count of 45 x10^9/L with a lower limit of 150 on 2024-03-04
    When the rules are evaluated
    Then the grade for "Platelet count decreased" on 2024-01-07 is 0
    And the lab is in cycle 0
    And the grade for "Platelet count decreased" on 2024-01-08 is 1
    And the lab is in cycle 1
    And the grade for "Platelet count decreased" on 2024-03-03 is 2
    And the lab is in cycle 1
    And the grade for "Platelet count decreased" on 2024-03-04 is 3
    And the lab is in cycle 2
    And the grade for "Platelet count decreased" is 3

  Scenario: Without a PRRT cycle the earliest result is the baseline
    Given a female patient
    And an INR of 1.0 on 2024-02-01
    And an INR of 1.1 on 2024-02-15
    When the rules are evaluated
    Then the grade for "INR increased" is 1
    And the rule is "ctcae5.inr_increased.g1.baseline"
    And the lab is in cycle 0
