variable "name" {
  description = "Name of the schedule, its group, role, dead-letter queue and alarms (e.g. corpus-prod-ingest-reconcile)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}$", var.name))
    error_message = "name must be 2-51 lower case letters, digits or hyphens, starting with a letter."
  }
}

variable "schedule_expression" {
  description = "When the task runs: rate(...), cron(...) or at(...) in EventBridge Scheduler syntax (e.g. rate(5 minutes))."
  type        = string

  validation {
    condition     = can(regex("^(rate|cron|at)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be rate(...), cron(...) or at(...)."
  }
}

variable "schedule_timezone" {
  description = "Time zone of cron(...) and at(...) expressions."
  type        = string
  default     = "UTC"
}

variable "enabled" {
  description = "Whether the schedule runs (false: the schedule exists, DISABLED, and the missed-run alarm is not created)."
  type        = bool
  default     = true
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster the task runs in."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/", var.cluster_arn))
    error_message = "cluster_arn must be an ECS cluster ARN."
  }
}

variable "task_definition_family" {
  description = "Task definition family the task runs. The schedule names the family without a revision, so every run uses its latest ACTIVE revision (the one the pipeline registered with the release's image)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,255}$", var.task_definition_family))
    error_message = "task_definition_family must be a task definition family name (no ARN, no revision)."
  }
}

variable "container_name" {
  description = "Container of the task definition whose command is overridden."
  type        = string
}

variable "command" {
  description = "Command the container runs instead of its own (e.g. [\"reconcile\"] for the ingest image). It must exit when done."
  type        = list(string)

  validation {
    condition     = length(var.command) >= 1 && alltrue([for c in var.command : c != ""])
    error_message = "command must hold at least one non-empty word."
  }
}

variable "execution_role_arn" {
  description = "Execution role of the task definition (the scheduler's role may pass it, and nothing else but task_role_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.execution_role_arn))
    error_message = "execution_role_arn must be an IAM role ARN."
  }
}

variable "task_role_arn" {
  description = "Task role of the task definition: the runs' role unless task_role_policy_jsons gives them one of their own."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.task_role_arn))
    error_message = "task_role_arn must be an IAM role ARN."
  }
}

variable "task_role_policy_jsons" {
  description = "Policies of a task role of the runs' own, passed to RunTask as its taskRoleArn override: a scheduled command of a shared task definition then runs with what it needs, not with the definition's role. Empty (the default): the runs use task_role_arn. Give every statement the tracing sidecar (if any) needs too."
  type        = list(string)
  default     = []
}

variable "subnet_ids" {
  description = "Private subnets of the task."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "At least one subnet is required."
  }
}

variable "security_group_ids" {
  description = "Security groups of the task."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) >= 1 && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "security_group_ids must hold at least one security group ID (sg-...)."
  }
}

variable "capacity_provider_strategy" {
  description = "Capacity provider strategy of the task. null: launch type FARGATE."
  type = list(object({
    capacity_provider = string
    weight            = optional(number, 1)
    base              = optional(number, 0)
  }))
  default = null
}

variable "group" {
  description = "ECS task group of the runs (the `group` field of their task state change events)."
  type        = string
  default     = null
}

variable "maximum_retry_attempts" {
  description = "How often EventBridge Scheduler retries a RunTask call that failed (throttling, capacity, a bad parameter) before the invocation goes to the dead-letter queue."
  type        = number
  default     = 3

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 185
    error_message = "maximum_retry_attempts must be between 0 and 185."
  }
}

variable "maximum_event_age_seconds" {
  description = "How long an invocation may keep being retried before it goes to the dead-letter queue (60-86400). Keep it below the schedule's period so runs do not pile up."
  type        = number
  default     = 240

  validation {
    condition     = var.maximum_event_age_seconds >= 60 && var.maximum_event_age_seconds <= 86400
    error_message = "maximum_event_age_seconds must be between 60 and 86400."
  }
}

variable "missed_runs_window_minutes" {
  description = "The missed-run alarm fires when no invocation was attempted for this long (make it at least twice the schedule's period). null: no such alarm."
  type        = number
  default     = 30

  validation {
    condition     = var.missed_runs_window_minutes == null || try(var.missed_runs_window_minutes >= 5 && var.missed_runs_window_minutes % 5 == 0, false)
    error_message = "missed_runs_window_minutes must be null or a multiple of 5, at least 5."
  }
}

variable "alarm_actions" {
  description = "SNS topics notified when an alarm fires or recovers, and of every run that stopped with a non-zero exit code or failed to start."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}
