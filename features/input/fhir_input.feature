Feature: The patient record a scenario writes
  The Given steps build the FHIR R4 resources of the input profile (docs/fhir-input-profile.md):
  PRRT administrations, body measures, performance status and tumour assessments. Scenarios about
  RECIST responses and dose alerts use the same steps; here it is checked that the record they build
  is read without any issue.

  Scenario: A complete PRRT course is read without issues
    Given a male patient born 1957-11-23
    And a body weight of 72.5 kg on 2024-01-02
    And a height of 178 cm on 2024-01-02
    And an ECOG performance status of 1 on 2024-01-02
    And a Karnofsky performance status of 80 on 2024-01-02
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And PRRT cycle 2 was given on 2024-03-04 with 7400 MBq
    And PRRT cycle 3 was given on 2024-04-29 with 200 mCi
    And PRRT cycle 4 was given on 2024-06-24
    And a platelet count of 98 x10^9/L with a lower limit of 150 and an upper limit of 400 on 2024-04-15
    When the rules are evaluated
    Then there are no issues
    And the grade for "Platelet count decreased" is 1
    And the lab is in cycle 2

  Scenario: Tumour assessments in the shapes of the input profile are read without issues
    A complete RECIST 1.1 record: every baseline lesion is assessed again at each follow-up (an
    unassessed lesion is rightly reported as an issue). Steps of one date need not be together.

    Given a female patient
    And a target lesion "L1" in the liver measuring 32 mm on 2024-01-03
    And a target lesion "L2" in the pancreas measuring 2.1 cm on 2024-01-03
    And a target lymph node "N1" in the mesentery with a short axis of 18 mm on 2024-01-03
    And a non-target lesion "NT1" in the bone is present on 2024-01-03
    And PRRT cycle 1 was given on 2024-01-08 with 7.4 GBq
    And a target lesion "L1" in the liver measuring 21 mm on 2024-04-02
    And a target lesion "L2" in the pancreas measuring 1.5 cm on 2024-04-02
    And a target lymph node "N1" in the mesentery with a short axis of 9 mm on 2024-04-02
    And a non-target lesion "NT1" in the bone is absent on 2024-04-02
    And a non-target lesion "NT2" in the lung measuring 8 mm on 2024-01-03
    And a non-target lesion "NT2" in the lung measuring 8 mm on 2024-04-02
    And a target lesion "L1" in the liver measuring 22 mm on 2024-07-01
    And a target lesion "L2" in the pancreas measuring 1.6 cm on 2024-07-01
    And a target lymph node "N1" in the mesentery with a short axis of 9 mm on 2024-07-01
    And a non-target lesion "NT2" in the lung is present on 2024-07-01
    And a non-target lesion "NT1" in the bone is unequivocally progressing on 2024-07-01
    And a new lesion on 2024-07-01
    And a new lesion "X1" in the liver on 2024-07-01
    When the rules are evaluated
    Then there are no issues
