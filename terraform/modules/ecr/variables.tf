variable "names" {
  description = "Repository names to create (e.g. corpus/documents)."
  type        = list(string)

  validation {
    condition     = length(var.names) > 0 && alltrue([for n in var.names : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", n))])
    error_message = "names must be non-empty valid ECR repository names."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key encrypting the images."
  type        = string
}

variable "keep_tagged_images" {
  description = "How many commit-tagged images each repository keeps (older ones expire)."
  type        = number
  default     = 50

  validation {
    condition     = var.keep_tagged_images >= 5
    error_message = "keep_tagged_images must be at least 5 so rollbacks have images to go back to."
  }
}

variable "untagged_expiry_days" {
  description = "Days after which untagged images expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiry_days >= 1
    error_message = "untagged_expiry_days must be at least 1."
  }
}

variable "pull_account_ids" {
  description = "Other AWS accounts (one per environment) whose ECS tasks may pull the images."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to the repositories."
  type        = map(string)
  default     = {}
}
