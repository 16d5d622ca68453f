variable "name" {
  description = "Name of the budget (e.g. corpus-prod-monthly-cost)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{1,100}$", var.name))
    error_message = "name must be 1-100 letters, digits, '_', '.' or '-'."
  }
}

variable "amount_usd" {
  description = "Monthly budget in US dollars (config/<env>.yaml monitoring.monthly_budget_usd)."
  type        = number

  validation {
    condition     = var.amount_usd > 0
    error_message = "amount_usd must be positive."
  }
}

variable "actual_thresholds_percent" {
  description = "Notify when the month's actual cost passes each of these percentages of the budget."
  type        = list(number)
  default     = [80, 100]

  validation {
    condition     = length(var.actual_thresholds_percent) >= 1 && alltrue([for t in var.actual_thresholds_percent : t > 0 && t <= 1000])
    error_message = "actual_thresholds_percent must hold at least one percentage between 0 and 1000."
  }
}

variable "forecast_thresholds_percent" {
  description = "Notify when the month's forecasted cost passes each of these percentages of the budget."
  type        = list(number)
  default     = [100]

  validation {
    condition     = length(var.forecast_thresholds_percent) >= 1 && alltrue([for t in var.forecast_thresholds_percent : t > 0 && t <= 1000])
    error_message = "forecast_thresholds_percent must hold at least one percentage between 0 and 1000."
  }
}

variable "emails" {
  description = "Addresses notified directly by AWS Budgets (at most 10)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.emails) <= 10
    error_message = "AWS Budgets takes at most 10 e-mail subscribers per notification."
  }
}

variable "sns_topic_arn" {
  description = "Topic notified as well (the alarm topic; its policy must let budgets.amazonaws.com publish and its key let Budgets use it). null: e-mail only."
  type        = string
  default     = null
}

variable "cost_filter_tags" {
  description = "Count only the cost of resources with these tags (cost allocation tags, activated in the billing console), e.g. {Environment = \"prod\"} when environments share an account. {}: the whole account."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags of the budget."
  type        = map(string)
  default     = {}
}
