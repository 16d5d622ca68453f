variable "shared_tags" {
  description = "Tags of every environment (config/shared.yaml `tags`: Project, ManagedBy, ...)."
  type        = map(string)
  default     = {}
}

variable "env_tags" {
  description = "The environment's tags (config/<env>.yaml `tags`): must hold Owner (who answers for its cost and alarms); CostCenter and others are passed through."
  type        = map(string)
  default     = {}
}

variable "environment" {
  description = "Environment name (shared, test, prod, local): the Environment tag, whatever the config says."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.environment))
    error_message = "environment must be lower-case letters, digits and '-'."
  }
}

variable "root" {
  description = "The live root (<env>/<resource>): the Root tag."
  type        = string
}

variable "service" {
  description = "Default Service tag of the root's resources (module calls set their own Service, which wins over a provider default tag)."
  type        = string

  validation {
    condition     = length(var.service) > 0
    error_message = "service must not be empty."
  }
}
