Feature: Response, toxicity and performance status in the cohort report

  Background:
    Given these PRRT patients:
      | patient | sex    | born       | first cycle | cycles | outcome              |
      | p1      | female | 1960-03-01 | 2023-01-02  | 4      | last seen 2024-01-02 |
      | p2      | male   | 1955-07-20 | 2023-02-06  | 4      | last seen 2024-02-06 |
      | p3      | female | 1948-05-30 | 2023-03-06  | 2      | died 2023-09-01      |
      | p4      | male   | 1970-09-14 | 2023-04-03  | 4      | last seen 2024-04-03 |

  Scenario: Objective response and disease control rates with exact intervals
    Given p1 had a best overall response of CR
    And p2 had a best overall response of PR
    And p3 had a best overall response of PD
    And p4 had a best overall response of SD
    When the cohort report is built
    Then the best overall responses are 1 CR, 1 PR, 1 SD and 1 PD
    And the objective response rate is 50% with an exact 95% interval of 6.76% to 93.24%
    And the disease control rate is 75% with an exact 95% interval of 19.41% to 99.37%

  Scenario: Each patient counts once per term, at the worst grade from the first cycle on
    Given p1 had a WBC of 3.5 x10^9/L 28 days after the first cycle
    And p1 had a WBC of 2.5 x10^9/L 84 days after the first cycle
    And p2 had a WBC of 3.8 x10^9/L 28 days after the first cycle
    And p3 had a hemoglobin of 9.5 g/dL 28 days after the first cycle
    When the cohort report is built
    Then "White blood cell decreased" is grade 2 in 1 patient
    And "White blood cell decreased" is grade 1 in 1 patient
    And "Anemia" is grade 2 in 1 patient
    And no patient has a laboratory toxicity of grade 3 or higher

  Scenario: ECOG before the first cycle and after the last, in the patients with both
    Three of the four changed: too few for the exact two-sided signed-rank test to reach p < 0.05 (its
    smallest p-value with 5 changes is 0.0625), so no p-value is given, and the report says why.

    Given ECOG scores before and after treatment:
      | patient | before | after |
      | p1      | 2      | 1     |
      | p2      | 2      | 1     |
      | p3      | 1      | 2     |
      | p4      | 1      | 1     |
    When the cohort report is built
    Then the median ECOG score goes from 1.5 to 1 and the Wilcoxon signed-rank test is "not computed: 4 paired patients, 3 with a change; at least 6 with a change needed"

