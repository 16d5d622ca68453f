locals {
  notifications = concat(
    [for t in var.actual_thresholds_percent : { type = "ACTUAL", threshold = t }],
    [for t in var.forecast_thresholds_percent : { type = "FORECASTED", threshold = t }],
  )
}

# The environment's monthly cost budget; AWS Budgets notifies the e-mails and the topic when
# the actual cost passes each threshold, and when the forecast for the month does.
resource "aws_budgets_budget" "this" {
  name         = var.name
  budget_type  = "COST"
  limit_amount = format("%.2f", var.amount_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  dynamic "cost_filter" {
    for_each = length(var.cost_filter_tags) > 0 ? [1] : []

    content {
      name   = "TagKeyValue"
      values = [for k, v in var.cost_filter_tags : format("user:%s$%s", k, v)]
    }
  }

  dynamic "notification" {
    for_each = local.notifications

    content {
      notification_type          = notification.value.type
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value.threshold
      threshold_type             = "PERCENTAGE"
      subscriber_email_addresses = var.emails
      subscriber_sns_topic_arns  = var.sns_topic_arn == null ? [] : [var.sns_topic_arn]
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(var.emails) > 0 || var.sns_topic_arn != null
      error_message = "A budget needs someone to notify: emails or sns_topic_arn."
    }
  }
}
