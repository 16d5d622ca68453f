variable "name" {
  description = "Queue name (corpus-<env>-<purpose>); the dead-letter queue is <name>-dlq."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,76}$", var.name))
    error_message = "name must be 1-76 letters, digits, '_' or '-' (room is left for the -dlq suffix)."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key encrypting both queues."
  type        = string
}

variable "visibility_timeout_seconds" {
  description = "How long a received message stays hidden; longer than the slowest message's processing."
  type        = number
  default     = 300

  validation {
    condition     = var.visibility_timeout_seconds >= 0 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 0 and 43200."
  }
}

variable "max_receive_count" {
  description = "Receives before a message moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1
    error_message = "max_receive_count must be at least 1."
  }
}

variable "message_retention_seconds" {
  description = "How long the main queue keeps a message."
  type        = number
  default     = 345600
}

variable "dlq_message_retention_seconds" {
  description = "How long the dead-letter queue keeps a message (the maximum: time to investigate)."
  type        = number
  default     = 1209600
}

variable "source_bucket_arns" {
  description = "S3 buckets allowed to send event notifications to the queue."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to the queues."
  type        = map(string)
  default     = {}
}
