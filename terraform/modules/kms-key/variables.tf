variable "name" {
  description = "Name of the key; the alias is alias/<name> (e.g. corpus-test-data)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,200}$", var.name)) && !startswith(var.name, "aws/")
    error_message = "name may hold letters, digits, '/', '_' and '-' and must not start with aws/."
  }
}

variable "description" {
  description = "What the key protects (shown in the KMS console)."
  type        = string
}

variable "service_principals" {
  description = "AWS services allowed to use the key on behalf of this account, by short name (logs, rds, s3, dynamodb, sqs, ssm, sns, cloudwatch, events, secretsmanager, ecr, codepipeline, codebuild, lambda, cloudfront, delivery.logs, codestar-notifications, budgets)."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([for s in var.service_principals : contains([
      "logs", "rds", "s3", "dynamodb", "sqs", "ssm", "sns", "cloudwatch", "events",
      "secretsmanager", "ecr", "codepipeline", "codebuild", "lambda", "cloudfront", "delivery.logs",
      "codestar-notifications", "budgets",
    ], s)])
    error_message = "service_principals holds an unknown service name."
  }
}

variable "user_principal_arns" {
  description = "IAM principals (roles) of this or another account allowed to encrypt and decrypt with the key directly (for example a cross-account pipeline role)."
  type        = list(string)
  default     = []
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled deletion completes."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "tags" {
  description = "Tags added to the key."
  type        = map(string)
  default     = {}
}
