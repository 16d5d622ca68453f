variable "name_prefix" {
  description = "Prefix of alarm and dashboard names (corpus-<env>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be lower-case letters, digits and '-'."
  }
}

variable "alarm_topic_arn" {
  description = "SNS topic the alarms notify. null: the module creates <name_prefix>-alarms itself (encrypted with topic_kms_key_arn, emails subscribed)."
  type        = string
  default     = null
}

variable "topic_kms_key_arn" {
  description = "KMS key of the topic the module creates (when alarm_topic_arn is null)."
  type        = string
  default     = null
}

variable "alarm_emails" {
  description = "Addresses subscribed to the topic the module creates."
  type        = list(string)
  default     = []
}

variable "rds" {
  description = "PostgreSQL instance to watch (null: none) and its thresholds."
  type = object({
    identifier                 = string
    cpu_percent                = optional(number, 80)
    disk_queue_depth           = optional(number, 3)
    read_latency_seconds       = optional(number, 0.02)
    write_latency_seconds      = optional(number, 0.05)
    freeable_memory_bytes      = optional(number, 268435456)
    swap_usage_bytes           = optional(number, 268435456)
    total_iops                 = optional(number, 2500)
    network_throughput_bytes_s = optional(number, 52428800)
  })
  default = null
}

variable "alb" {
  description = "Load balancer to watch (null: none): ARN suffix and the target groups' ARN suffixes by name."
  type = object({
    arn_suffix             = string
    target_groups          = map(string)
    elb_5xx_per_minute     = optional(number, 10)
    target_5xx_per_minute  = optional(number, 10)
    p99_latency_seconds    = optional(number, 2)
    unhealthy_host_minimum = optional(number, 1)
  })
  default = null
}

variable "ecs" {
  description = "ECS services to watch (null: none): cluster and service names."
  type = object({
    cluster_name   = string
    services       = list(string)
    cpu_percent    = optional(number, 85)
    memory_percent = optional(number, 85)
  })
  default = null
}

variable "sqs" {
  description = "Queue and dead-letter queue to watch (null: none)."
  type = object({
    queue_name             = string
    dlq_name               = string
    oldest_message_seconds = optional(number, 900)
  })
  default = null
}

variable "dynamodb" {
  description = "Tables to watch for throttling (null: none)."
  type = object({
    table_names = list(string)
  })
  default = null
}

variable "tags" {
  description = "Tags added to the alarms and the topic."
  type        = map(string)
  default     = {}
}
