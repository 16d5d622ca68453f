variable "name" {
  description = "Topic name (corpus-<env>-alarms)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,256}$", var.name))
    error_message = "name must be a valid SNS topic name."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key encrypting the topic; its policy must let cloudwatch.amazonaws.com use it (kms-key module, service_principals = [\"cloudwatch\", \"sns\"])."
  type        = string
}

variable "emails" {
  description = "Addresses subscribed to the topic (each confirms by email)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "emails must hold email addresses."
  }
}

variable "tags" {
  description = "Tags added to the topic."
  type        = map(string)
  default     = {}
}
