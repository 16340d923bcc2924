Feature: The demo cohort reproduces the published 16-patient 177Lu-DOTATATE series
  A researcher runs `prrt-cds demo` with the defaults and reads the report as the results section of
  the paper it is shaped like.

  Background:
    Given the demo cohort of 16 patients

  Scenario: Patients, cycles and activity
    When the cohort report is built
    Then the series has 16 patients, 8 women and 8 men
    And the median age at the first cycle is 60.5 years, range 24 to 74
    And the median number of cycles is 3.5, range 1 to 7
    And the median cumulative activity is 20.35 GBq, range 7.4 to 49.95

  Scenario: Best overall response
    When the cohort report is built
    Then the best overall responses are 2 CR, 11 PR, 1 SD and 2 PD
    And the objective response rate is 81.25% with an exact 95% interval of 54.35% to 95.95%
    And the disease control rate is 87.5% with an exact 95% interval of 61.65% to 98.45%

  Scenario: Overall survival with the interval the paper prints
    When the cohort report is built with the symmetric interval
    Then 3 patients died
    And 3 deaths and 13 censored patients enter the overall survival analysis
    And the median overall survival is 23 months
    And the median overall survival is 700 days
    And the symmetric 95% interval of the median overall survival is 7.90 to 38.09 months

  Scenario: The interval methods read from the band do not reach an upper limit in this series
    When the cohort report is built
    Then the log-log 95% interval of the median overall survival is 12.32 to NA months
    And the log 95% interval of the median overall survival is 23.00 to NA months

  Scenario: Haematological toxicity of grades I-II only
    When the cohort report is built
    Then "White blood cell decreased" is grade 1 in 5 patients
    And "White blood cell decreased" is grade 2 in 3 patients
    And "Anemia" is grade 1 in 6 patients
    And "Anemia" is grade 2 in 2 patients
    And no patient has a laboratory toxicity of grade 3 or higher

  Scenario: Performance status improves, at p < 0.05 by the asymptotic test the paper's figure reads as
    7 improved and 1 worsened by one point, 8 unchanged: the normal approximation (SPSS's asymptotic
    significance) gives p = 0.034.

    When the cohort report is built with the asymptotic performance test
    Then the median ECOG score goes from 1.5 to 1 with a Wilcoxon signed-rank p below 0.05
    And the median Karnofsky score goes from 75 to 80 with a Wilcoxon signed-rank p below 0.05

  Scenario: By the exact test, the report's default, the same change is not below 0.05
    The exact permutation distribution of those tied differences gives p = 0.070: the conservative reading.

    When the cohort report is built
    Then the median ECOG score goes from 1.5 to 1 with a Wilcoxon signed-rank p above 0.05
    And the median Karnofsky score goes from 75 to 80 with a Wilcoxon signed-rank p above 0.05
