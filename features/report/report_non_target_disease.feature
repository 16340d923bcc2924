Feature: non-CR/non-PD in the cohort report
  docs/outputs.md: report.json's best_overall_response counts non-CR/non-PD (RECIST 1.1 Table 2, a
  patient with non-target disease only) under its own key, the tables and figures show it apart from SD,
  and DCR = (CR + PR + SD + non-CR/non-PD) / n, which the results text states. ORR = (CR + PR) / n.
  non-CR/non-PD needs the minimum duration of SD (42 days after the first cycle) to count.

  Background:
    Given these PRRT patients:
      | patient | sex    | born       | first cycle | cycles | outcome              |
      | p1      | female | 1960-03-01 | 2023-01-02  | 4      | last seen 2024-01-02 |
      | p2      | male   | 1955-07-20 | 2023-02-06  | 4      | last seen 2024-02-06 |
      | p3      | female | 1948-05-30 | 2023-03-06  | 2      | died 2023-09-01      |
      | p4      | male   | 1970-09-14 | 2023-04-03  | 4      | last seen 2024-04-03 |
      | p5      | female | 1966-11-23 | 2023-05-01  | 4      | last seen 2024-05-01 |

  Scenario: non-CR/non-PD has its own count and is part of disease control
    Given p1 had a best overall response of CR
    And p2 had a best overall response of PR
    And p3 had a best overall response of PD
    And p4 had a best overall response of SD
    And p5 had a best overall response of non-CR/non-PD
    When the cohort report is built
    Then the best overall responses are 1 CR, 1 PR, 1 SD, 1 non-CR/non-PD, 1 PD and 0 NE
    And report.json counts 1 "non-CR/non-PD" in the best overall response, 4 in disease control
    And the objective response rate is 40% with an exact 95% interval of 5.27% to 85.34%
    And the disease control rate is 80% with an exact 95% interval of 28.36% to 99.49%
    And the results text says "non-CR/non-PD (non-target disease only) in 1 (20.0%)"
    And the results text says "disease control rate (CR + PR + SD + non-CR/non-PD) of 80.0%"
    And the response table counts 1 patient in the row "non-CR/non-PD (neither complete response nor progression, non-target disease only)"
    And the response table counts 4 patients in the row "disease control rate (CR + PR + SD + non-CR/non-PD)"

  Scenario Outline: non-CR/non-PD counts for disease control from 42 days after the first cycle (<days> days)
    Given p1 had a best overall response of CR
    And p2 had a best overall response of PR
    And p3 had a best overall response of PD
    And p4 had a best overall response of SD
    And p5 had non-target disease only, still present <days> days after the first cycle
    When the cohort report is built
    Then the best overall responses are 1 CR, 1 PR, 1 SD, <non_cr_non_pd> non-CR/non-PD, 1 PD and <ne> NE
    And report.json counts <non_cr_non_pd> "non-CR/non-PD" in the best overall response, <dcr> in disease control
    And the disease control rate is <rate>% with an exact 95% interval of <low>% to <high>%

    Examples:
      | days | non_cr_non_pd | ne | dcr | rate | low   | high  |
      | 41   | 0             | 1  | 3   | 60   | 14.66 | 94.73 |
      | 42   | 1             | 0  | 4   | 80   | 28.36 | 99.49 |

  Scenario: With no patient of non-target disease only the count is 0 and the text does not name it
    Given p1 had a best overall response of CR
    And p2 had a best overall response of PR
    And p3 had a best overall response of PD
    And p4 had a best overall response of SD
    And p5 had a best overall response of SD
    When the cohort report is built
    Then report.json counts 0 "non-CR/non-PD" in the best overall response, 4 in disease control
    And the results text says "stable disease in 2 (40.0%) and progressive disease in 1 (20.0%)"
