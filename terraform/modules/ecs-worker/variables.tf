variable "name_prefix" {
  description = "Prefix of every resource name, usually <project>-<env> (e.g. corpus-test)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name_prefix))
    error_message = "name_prefix must be 2-21 lower case letters, digits or hyphens, starting with a letter."
  }
}

variable "service_name" {
  description = "Name of the service: the ECS service name and the container name the appspec refers to (e.g. documents)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.service_name))
    error_message = "service_name must be 2-21 lower case letters, digits or hyphens, starting with a letter."
  }
}

variable "cluster_name" {
  description = "Name of the ECS cluster."
  type        = string
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecs:", var.cluster_arn))
    error_message = "cluster_arn must be an ECS cluster ARN."
  }
}

variable "vpc_id" {
  description = "ID of the VPC."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "vpc_cidr_block" {
  description = "CIDR of the VPC: destination of the egress ports listed in egress_vpc_ports (e.g. PostgreSQL)."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr_block, 0))
    error_message = "vpc_cidr_block must be a valid IPv4 CIDR block."
  }
}

variable "subnet_ids" {
  description = "Private subnets the tasks run in."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "At least one subnet is required."
  }
}

variable "egress_internet_ports" {
  description = "TCP ports the tasks may reach anywhere (443: AWS APIs, ECR, HTTPS callbacks)."
  type        = list(number)
  default     = [443]
}

variable "egress_vpc_ports" {
  description = "Further TCP ports the tasks may reach anywhere inside the VPC. The database is better reached through database_security_group_ids."
  type        = list(number)
  default     = []
}

variable "database_security_group_ids" {
  description = "Security groups of the databases these tasks use (rds-postgres security_group_id). For each, the module adds the rule letting these tasks in on database_port and the matching egress rule: the port opens to exactly this service."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.database_security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "database_security_group_ids must hold security group IDs (sg-...)."
  }
}

variable "database_port" {
  description = "Port of the databases in database_security_group_ids."
  type        = number
  default     = 5432
}

variable "capacity_provider_strategy" {
  description = "Capacity provider strategy of the service (e.g. [{capacity_provider = <ecs-cluster ec2_capacity_provider_name>}] to run on the cluster's EC2 Auto Scaling group). null: Fargate (launch type FARGATE), the default."
  type = list(object({
    capacity_provider = string
    weight            = optional(number, 1)
    base              = optional(number, 0)
  }))
  default = null

  validation {
    condition     = var.capacity_provider_strategy == null || try(length(var.capacity_provider_strategy) >= 1 && alltrue([for s in var.capacity_provider_strategy : length(s.capacity_provider) > 0 && s.weight >= 0 && s.base >= 0]), false)
    error_message = "capacity_provider_strategy must be null or hold at least one named capacity provider (is the cluster's EC2 capacity enabled?) with non-negative weight and base."
  }
}

variable "cpu" {
  description = "Task CPU units (Fargate: 256, 512, 1024, 2048, 4096, ...)."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "memory" {
  description = "Task memory in MiB (must be valid for the chosen cpu on Fargate)."
  type        = number
  default     = 512

  validation {
    condition     = var.memory >= 512 && var.memory <= 122880
    error_message = "memory must be between 512 and 122880 MiB."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the task: X86_64 or ARM64 (must match the images)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "environment" {
  description = "Plain environment variables of the container."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secret environment variables: name => ARN of an SSM parameter or Secrets Manager secret (optionally with :json-key:: suffix). Passed as ECS secrets, never as plain values."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for v in values(var.secrets) : can(regex("^arn:aws[a-z-]*:(ssm|secretsmanager):", v))])
    error_message = "Every secrets value must be an SSM parameter or Secrets Manager secret ARN."
  }
}

variable "secrets_kms_key_arns" {
  description = "KMS keys encrypting the secrets (SSM SecureString / Secrets Manager); the execution role may decrypt with them."
  type        = list(string)
  default     = []
}

variable "ecr_repository_arns" {
  description = "ECR repositories the execution role may pull from."
  type        = list(string)
  default     = []
}

variable "enable_execute_command" {
  description = "ECS Exec into the tasks (operators' shell and SSM port forwarding, no SSH): the ssmmessages permissions on the task role, writable volumes for the agent, and with exec_kms_key_arn / exec_log_group_arn the session key and transcript log group."
  type        = bool
  default     = true
}

variable "exec_kms_key_arn" {
  description = "KMS key of the cluster's ECS Exec sessions (ecs-cluster log_kms_key_arn): the task role may decrypt with it. null: sessions not KMS-encrypted."
  type        = string
  default     = null

  validation {
    condition     = var.exec_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.exec_kms_key_arn))
    error_message = "exec_kms_key_arn must be null or a KMS key ARN."
  }
}

variable "exec_log_group_arn" {
  description = "ARN of the cluster's ECS Exec log group (ecs-cluster exec_log_group_arn): the task role may write session transcripts to it. null: no transcript permissions."
  type        = string
  default     = null

  validation {
    condition     = var.exec_log_group_arn == null || can(regex("^arn:aws[a-z-]*:logs:", var.exec_log_group_arn))
    error_message = "exec_log_group_arn must be null or a CloudWatch Logs log group ARN."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of the KMS key encrypting the service's CloudWatch log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_days" {
  description = "Retention of the service's log group in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention value CloudWatch Logs accepts."
  }
}

variable "image" {
  description = "Image of the bootstrap task definition revision. The default is a tiny public busybox that idles, so the service exists before any image is built; the pipeline's ECS deploy action registers the real revisions."
  type        = string
  default     = "public.ecr.aws/docker/library/busybox:1.36"
}

variable "command" {
  description = "Container command (e.g. [\"work\"] for the ingest image). null: an idle loop when image is the default, else the image's own CMD."
  type        = list(string)
  default     = null
}

variable "task_role_policy_json" {
  description = "IAM policy document (JSON) of the task role: exactly what the worker may do (e.g. its queue, table and allowed buckets)."
  type        = string
}

variable "queue_name" {
  description = "Name of the SQS queue whose depth (ApproximateNumberOfMessagesVisible) drives the scaling."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,80}(\\.fifo)?$", var.queue_name))
    error_message = "queue_name must be an SQS queue name (not a URL or ARN)."
  }
}

variable "min_capacity" {
  description = "Minimum number of worker tasks (0 lets the worker scale to zero when the queue is empty)."
  type        = number
  default     = 1

  validation {
    condition     = var.min_capacity >= 0
    error_message = "min_capacity must not be negative."
  }
}

variable "max_capacity" {
  description = "Maximum number of worker tasks."
  type        = number
  default     = 4

  validation {
    condition     = var.max_capacity >= 1
    error_message = "max_capacity must be at least 1."
  }
}

variable "scale_out_steps" {
  description = "Visible-message thresholds of the scale-out steps: above each one, one more task is added (e.g. [1, 100, 1000] adds 1, 2 or 3 tasks)."
  type        = list(number)
  default     = [1, 100, 1000]

  validation {
    condition     = length(var.scale_out_steps) >= 1 && alltrue([for i, v in var.scale_out_steps : i == 0 || v > var.scale_out_steps[max(i - 1, 0)]]) && var.scale_out_steps[0] >= 1
    error_message = "scale_out_steps must be a strictly increasing list of thresholds, the first at least 1."
  }
}

variable "scale_in_empty_minutes" {
  description = "Minutes the queue must stay empty before the worker scales in to min_capacity."
  type        = number
  default     = 15

  validation {
    condition     = var.scale_in_empty_minutes >= 1 && var.scale_in_empty_minutes <= 1440
    error_message = "scale_in_empty_minutes must be between 1 and 1440."
  }
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified when a service alarm fires or recovers."
  type        = list(string)
  default     = []
}

variable "emulator_compatible" {
  description = "Skip what the local AWS emulator cannot create (see ../EMULATOR.md). Never true in a real account."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "tracing" {
  description = "Run the OpenTelemetry collector sidecar (AWS distribution) exporting the service's traces to X-Ray, and point the service at it (OTEL_EXPORTER_OTLP_ENDPOINT)."
  type        = bool
  default     = true
}

variable "otel_collector_image" {
  description = "The collector image, pinned to an exact version (see ../otel-sidecar)."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0"
}
