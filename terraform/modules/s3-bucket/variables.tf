variable "name" {
  description = "Bucket name (globally unique; corpus-<env>-<purpose>[-<account>])."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name))
    error_message = "name must be a valid S3 bucket name (3-63 lower-case letters, digits, '.', '-')."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for default encryption (SSE-KMS with a bucket key). Null selects SSE-S3 (AES256), which only log delivery buckets need: ALB and S3 access-log delivery cannot write with SSE-KMS."
  type        = string
  default     = null
}

variable "versioning" {
  description = "Keep every version of every object."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a bucket that still holds objects (only for throw-away environments)."
  type        = bool
  default     = false
}

variable "lifecycle_rules" {
  description = "Lifecycle rules: id, optional prefix, days before current objects expire (null keeps them), days before noncurrent versions expire, days before a transition to STANDARD_IA (null for none)."
  type = list(object({
    id                                 = string
    prefix                             = optional(string, "")
    expiration_days                    = optional(number)
    noncurrent_version_expiration_days = optional(number, 90)
    transition_to_ia_days              = optional(number)
  }))
  default = [{ id = "default" }]

  validation {
    condition     = length(var.lifecycle_rules) > 0
    error_message = "At least one lifecycle rule is required (incomplete multipart uploads are always aborted by it)."
  }
}

variable "access_logging" {
  description = "Server access logging: target bucket and key prefix (defaults to <name>/); null turns it off (only for the log bucket itself). An object, so its presence is known at plan time even when the bucket name is not."
  type = object({
    bucket = string
    prefix = optional(string)
  })
  default = null
}

variable "policy_statements" {
  description = "Extra bucket policy statements, as JSON-encoded IAM policy documents (merged with the TLS-only statement)."
  type        = list(string)
  default     = []
}

variable "notification" {
  description = "Send s3:ObjectCreated:* events under the given key prefixes to an SQS queue; null for none. The queue policy must allow this bucket (sqs-queue module, source_bucket_arns)."
  type = object({
    queue_arn = string
    prefixes  = list(string)
  })
  default = null

  validation {
    condition     = var.notification == null || length(try(var.notification.prefixes, [])) > 0
    error_message = "notification.prefixes must name at least one prefix."
  }
}

variable "cors_allowed_origins" {
  description = "Origins allowed to PUT and GET objects from a browser (presigned uploads); empty for no CORS configuration."
  type        = list(string)
  default     = []
}

variable "object_ownership" {
  description = "BucketOwnerEnforced (ACLs off: the default) or BucketOwnerPreferred, which only a bucket receiving CloudFront standard logs needs (CloudFront delivers them through an ACL grant it adds itself)."
  type        = string
  default     = "BucketOwnerEnforced"

  validation {
    condition     = contains(["BucketOwnerEnforced", "BucketOwnerPreferred"], var.object_ownership)
    error_message = "object_ownership must be BucketOwnerEnforced or BucketOwnerPreferred."
  }
}

variable "tls_only_policy" {
  description = "Deny every request that is not over TLS 1.2+ (bucket policy). Only the emulator turns it off: moto evaluates policy conditions without request context, so any conditional Deny there denies everything (terraform/README.md, emulator limitations)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to the bucket."
  type        = map(string)
  default     = {}
}
