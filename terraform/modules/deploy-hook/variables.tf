variable "name_prefix" {
  description = "Prefix of the environment (corpus-<env>); the function is CodeDeployHook_<name_prefix>-deploy-hook, a name the CodeDeploy ECS service role may invoke."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be lower-case letters, digits and '-'."
  }
}

variable "probe_urls" {
  description = "URLs the hook must get a 200 from (each service's readiness through the test listener)."
  type        = list(string)

  validation {
    condition     = length(var.probe_urls) > 0 && alltrue([for u in var.probe_urls : can(regex("^https?://", u))])
    error_message = "probe_urls must hold at least one http(s) URL."
  }
}

variable "read_urls" {
  description = "URLs of one real read per service through the test listener; each must answer 200 with JSON."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for u in var.read_urls : can(regex("^https?://", u))])
    error_message = "read_urls must hold http(s) URLs."
  }
}

variable "package_file" {
  description = "Zip of the Rust hook (scripts/build-deploy-hook.sh: `bootstrap` at its root) the function is created with. The pipeline publishes each release's build over it (scripts/publish-deploy-hook.sh), so later changes of this file are ignored."
  type        = string

  validation {
    condition     = endswith(var.package_file, ".zip")
    error_message = "package_file must be the path of a .zip built by scripts/build-deploy-hook.sh."
  }
}

variable "probe_seconds" {
  description = "How long the hook keeps retrying before it fails the deployment."
  type        = number
  default     = 120

  validation {
    condition     = var.probe_seconds >= 10 && var.probe_seconds <= 840
    error_message = "probe_seconds must be between 10 and 840 (the function times out at 900)."
  }
}

variable "vpc_id" {
  description = "VPC of the function (the test listener is reachable only from inside it)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the function."
  type        = list(string)
}

variable "test_listener_port" {
  description = "Port of the test listener the probes call."
  type        = number
  default     = 8443
}

variable "kms_key_arn" {
  description = "KMS key encrypting the function's environment and its log group (its policy must allow logs)."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "alarm_actions" {
  description = "SNS topics notified when a hook alarm (errors, throttles, duration near the timeout) fires or recovers."
  type        = list(string)
  default     = []
}

variable "alarm_duration_fraction" {
  description = "The duration alarm fires when one invocation ran longer than this fraction of the function's timeout."
  type        = number
  default     = 0.8

  validation {
    condition     = var.alarm_duration_fraction > 0 && var.alarm_duration_fraction < 1
    error_message = "alarm_duration_fraction must be between 0 and 1 (exclusive)."
  }
}
