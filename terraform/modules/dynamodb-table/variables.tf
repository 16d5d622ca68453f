variable "name" {
  description = "Table name (corpus-<env>-<purpose>)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.name))
    error_message = "name must be a valid DynamoDB table name."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for server-side encryption."
  type        = string
}

variable "ttl_attribute" {
  description = "Attribute holding the expiry time (epoch seconds) of an item."
  type        = string
  default     = "ttl"
}

variable "deletion_protection" {
  description = "Refuse DeleteTable calls (on in prod)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to the table."
  type        = map(string)
  default     = {}
}
