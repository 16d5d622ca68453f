# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {}

variables {
  name          = "corpus-prod-monthly-cost"
  amount_usd    = 500
  emails        = ["ops@example.com"]
  sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:corpus-prod-alarms"
}

run "monthly_cost_budget_with_actual_and_forecast_alerts" {
  command = apply

  assert {
    condition     = aws_budgets_budget.this.budget_type == "COST" && aws_budgets_budget.this.time_unit == "MONTHLY" && aws_budgets_budget.this.limit_amount == "500.00" && aws_budgets_budget.this.limit_unit == "USD"
    error_message = "A monthly cost budget of the configured amount."
  }

  assert {
    condition     = toset([for n in aws_budgets_budget.this.notification : "${n.notification_type}:${n.threshold}"]) == toset(["ACTUAL:80", "ACTUAL:100", "FORECASTED:100"])
    error_message = "Alerts at 80% and 100% of the actual cost and at 100% of the forecast."
  }

  assert {
    condition     = alltrue([for n in aws_budgets_budget.this.notification : n.subscriber_sns_topic_arns == toset([var.sns_topic_arn]) && n.subscriber_email_addresses == toset(var.emails) && n.comparison_operator == "GREATER_THAN" && n.threshold_type == "PERCENTAGE"])
    error_message = "Every alert goes to the alarm topic and the monitoring e-mails."
  }

  assert {
    condition     = length(aws_budgets_budget.this.cost_filter) == 0
    error_message = "Without tag filters the budget covers the whole account (one environment per account)."
  }
}

run "one_environment_of_a_shared_account" {
  command = plan

  variables {
    cost_filter_tags = { Environment = "prod" }
  }

  assert {
    condition     = one(aws_budgets_budget.this.cost_filter).name == "TagKeyValue" && one(aws_budgets_budget.this.cost_filter).values == tolist(["user:Environment$prod"])
    error_message = "A tag filter counts only the environment's resources."
  }
}

run "refuses_a_budget_nobody_hears_about" {
  command = plan

  variables {
    emails        = []
    sns_topic_arn = null
  }

  expect_failures = [aws_budgets_budget.this]
}
