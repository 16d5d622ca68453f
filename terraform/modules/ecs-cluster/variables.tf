variable "name" {
  description = "Name of the ECS cluster (e.g. corpus-prod)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_-]{0,254}$", var.name))
    error_message = "name must start with a letter and hold letters, digits, hyphens or underscores (max 255)."
  }
}

variable "container_insights" {
  description = "Container Insights level: enabled or enhanced (observability with per-task metrics)."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enabled", "enhanced"], var.container_insights)
    error_message = "container_insights must be enabled or enhanced (it is never switched off)."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of the KMS key encrypting the ECS Exec session log group and sessions."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_days" {
  description = "Retention of the ECS Exec session log group in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention value CloudWatch Logs accepts."
  }
}

variable "default_capacity_provider" {
  description = "Capacity provider of the cluster's default strategy: FARGATE, FARGATE_SPOT, or EC2 (needs enable_ec2_capacity)."
  type        = string
  default     = "FARGATE"

  validation {
    condition     = contains(["FARGATE", "FARGATE_SPOT", "EC2"], var.default_capacity_provider)
    error_message = "default_capacity_provider must be FARGATE, FARGATE_SPOT or EC2."
  }
}

# ---------------------------------------------------------------------------------------
# Optional EC2 capacity
# ---------------------------------------------------------------------------------------

variable "enable_ec2_capacity" {
  description = "Add an EC2 capacity provider backed by an auto-scaling group of ECS-optimized instances."
  type        = bool
  default     = false
}

variable "vpc_id" {
  description = "VPC of the EC2 instances (required with enable_ec2_capacity)."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Private subnets of the EC2 instances (required with enable_ec2_capacity)."
  type        = list(string)
  default     = []
}

variable "instance_type" {
  description = "EC2 instance type of the capacity provider."
  type        = string
  default     = "t3.medium"
}

variable "ami_ssm_parameter" {
  description = "SSM public parameter holding the ECS-optimized AMI ID (must match instance_type's architecture)."
  type        = string
  default     = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"

  validation {
    condition     = startswith(var.ami_ssm_parameter, "/aws/service/ecs/optimized-ami/")
    error_message = "ami_ssm_parameter must be one of the /aws/service/ecs/optimized-ami/... public parameters."
  }
}

variable "asg_min_size" {
  description = "Minimum number of EC2 instances."
  type        = number
  default     = 2

  validation {
    condition     = var.asg_min_size >= 0
    error_message = "asg_min_size must not be negative."
  }
}

variable "asg_max_size" {
  description = "Maximum number of EC2 instances."
  type        = number
  default     = 4

  validation {
    condition     = var.asg_max_size >= 1 && var.asg_max_size <= 100
    error_message = "asg_max_size must be between 1 and 100."
  }
}

variable "root_volume_size" {
  description = "Root EBS volume size in GiB of the EC2 instances."
  type        = number
  default     = 30

  validation {
    condition     = var.root_volume_size >= 30
    error_message = "root_volume_size must be at least 30 GiB (the ECS-optimized AMI's snapshot size)."
  }
}

variable "ebs_kms_key_arn" {
  description = "KMS key encrypting the EC2 instances' EBS volumes. null: the account's default EBS key."
  type        = string
  default     = null
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
