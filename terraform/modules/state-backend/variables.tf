variable "bucket_name" {
  description = "Name of the bucket holding every root's state (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name."
  }
}

variable "lock_table_name" {
  description = "Name of the DynamoDB table holding state locks."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "lock_table_name must be a valid DynamoDB table name."
  }
}

variable "key_name" {
  description = "Name (alias) of the KMS key encrypting state and locks."
  type        = string
}

variable "state_reader_arns" {
  description = "IAM roles of other accounts (one per environment's deployer) allowed to read and write state and locks."
  type        = list(string)
  default     = []
}

variable "tls_only_policy" {
  description = "Passed to the s3-bucket module: off only on the emulator (see terraform/README.md)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to the resources."
  type        = map(string)
  default     = {}
}
