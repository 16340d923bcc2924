Feature: The waterfall of best tumour change in the cohort report
  For every patient with measurable disease (a target lesion at baseline), the waterfall bar is the best
  (most negative) percentage change of the sum of target diameters from baseline over the follow-up time
  points (RECIST 1.1 section 4.3.2), sorted from the largest increase to the largest decrease. Patients
  without a complete follow-up measurement, or without measurable disease, have no bar and are counted.

  Background:
    Given these PRRT patients:
      | patient | sex    | born       | first cycle | cycles | outcome              |
      | w1      | female | 1960-03-01 | 2023-01-02  | 4      | last seen 2024-01-02 |
      | w2      | male   | 1955-07-20 | 2023-02-06  | 4      | last seen 2024-02-06 |
      | w3      | female | 1948-05-30 | 2023-03-06  | 2      | last seen 2024-03-06 |
      | w4      | male   | 1970-09-14 | 2023-04-03  | 4      | last seen 2024-04-03 |

  Scenario: The best change is the largest decrease, not the last one
    Given w1's target lesion measured 50 mm at baseline, then 30, 25 and 35 mm
    And w2's target lesion measured 40 mm at baseline, then 44 and 50 mm
    And w3's target lesion measured 40 mm at baseline, then 40 mm
    When the cohort report is built
    Then the waterfall has 3 bars
    And the waterfall bars are w2 at 10.0%, w3 at 0.0% and w1 at -50.0%
    And the waterfall counts 0 patients without a follow-up measurement and 1 without measurable disease

  Scenario: A patient measured only at baseline has no bar and is counted
    Given w1's target lesion measured 50 mm at baseline, then 35 mm
    And w2's target lesion measured 40 mm at baseline
    When the cohort report is built
    Then the waterfall has 1 bar
    And the waterfall bars are w1 at -30.0%
    And the waterfall counts 1 patient without a follow-up measurement and 2 without measurable disease
    And the results text says "Of 1 patient with measurable disease and a follow-up measurement, 1 had a best decrease"
