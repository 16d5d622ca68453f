variable "identifier" {
  description = "DB instance identifier and name prefix of its companions (e.g. corpus-prod)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,49}[a-z0-9]$", var.identifier)) && !strcontains(var.identifier, "--")
    error_message = "identifier must be 2-51 lower case letters, digits or hyphens, start with a letter, not end with a hyphen nor contain two consecutive hyphens."
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

variable "subnet_ids" {
  description = "Private subnets (at least two AZs) of the DB subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "A DB subnet group needs subnets in at least two AZs."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups (the services' and workers' task groups) allowed to connect on 5432. Nothing else may."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.allowed_security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "allowed_security_group_ids must hold security group IDs (sg-...)."
  }
}

variable "engine_version" {
  description = "PostgreSQL version: a major version (\"16\", \"17\") to get the default minor, or a full one (\"16.4\"). The parameter group's family follows its major version. A major-version change needs blue_green_update (docs/runbook-database.md)."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^1[5-7](\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be PostgreSQL 15, 16 or 17, e.g. \"16\" or \"17.4\"."
  }
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must be a DB instance class such as db.t4g.micro."
  }
}

variable "allocated_storage" {
  description = "Initial storage in GiB (gp3)."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536
    error_message = "allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB (0 disables autoscaling)."
  type        = number
  default     = 100
}

variable "db_name" {
  description = "Name of the database created at launch."
  type        = string
  default     = "corpus"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must start with a letter and hold lower case letters, digits or underscores (max 63)."
  }
}

variable "master_username" {
  description = "Master user name. Its password is master_password_wo, kept in this module's Secrets Manager secret."
  type        = string
  default     = "corpus_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && !contains(["admin", "postgres", "rdsadmin"], var.master_username)
    error_message = "master_username must start with a letter, hold lower case letters, digits or underscores, and not be a reserved name."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting storage, snapshots, Performance Insights and the master user secret."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of the KMS key encrypting the exported PostgreSQL log groups (its policy must allow logs.<region>.amazonaws.com)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_days" {
  description = "Retention of the exported PostgreSQL log groups in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention value CloudWatch Logs accepts."
  }
}

variable "multi_az" {
  description = "Run a synchronous standby in a second AZ (true in prod)."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (true in prod)."
  type        = bool
  default     = true
}

variable "skip_final_snapshot" {
  description = "Skip the final snapshot on deletion (only for throw-away environments; false in prod)."
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time restore window). At least 7 in prod."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

variable "backup_window" {
  description = "Daily backup window (UTC, hh24:mi-hh24:mi, at least 30 minutes), must not overlap the maintenance window."
  type        = string
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "backup_window must look like 02:00-03:00 (UTC, hh24:mi-hh24:mi)."
  }
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC, ddd:hh24:mi-ddd:hh24:mi, at least 30 minutes)."
  type        = string
  default     = "sun:03:30-sun:04:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must look like sun:03:30-sun:04:30 (UTC, lower-case day)."
  }
}

variable "performance_insights_retention_days" {
  description = "Performance Insights retention: 7 (free tier) or a multiple of 31 up to 731."
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_days == 7 || var.performance_insights_retention_days == 731 || (var.performance_insights_retention_days % 31 == 0 && var.performance_insights_retention_days <= 713)
    error_message = "performance_insights_retention_days must be 7, 731 or a multiple of 31."
  }
}

variable "enhanced_monitoring_interval" {
  description = "Enhanced monitoring interval in seconds (0 disables it; 1, 5, 10, 15, 30 or 60)."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.enhanced_monitoring_interval)
    error_message = "enhanced_monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."
  }
}

variable "log_min_duration_ms" {
  description = "Statements slower than this many milliseconds are logged (log_min_duration_statement)."
  type        = number
  default     = 500
}

variable "blue_green_update" {
  description = "Apply changes of the engine version (major versions included), parameter group, instance class and storage through an RDS Blue/Green Deployment (green copy, switchover of about a minute, old instance deleted) instead of modifying the instance in place. Needs automated backups; not with read_replica (the provider does not support low-downtime updates of an instance with replicas)."
  type        = bool
  default     = false

  validation {
    condition     = !(var.blue_green_update && var.read_replica)
    error_message = "blue_green_update cannot be combined with read_replica: the AWS provider's low-downtime (blue/green) updates do not support instances with read replicas. Turn the replica off for the upgrade (docs/runbook-database.md)."
  }
}

variable "apply_immediately" {
  description = "Apply modifications now instead of in the next maintenance window."
  type        = bool
  default     = false
}

variable "read_replica" {
  description = "Create a read replica <identifier>-replica (same region, subnets, security group, key, parameters)."
  type        = bool
  default     = false
}

variable "replica_instance_class" {
  description = "Instance class of the read replica. null: instance_class."
  type        = string
  default     = null

  validation {
    condition     = var.replica_instance_class == null || can(regex("^db\\.", var.replica_instance_class))
    error_message = "replica_instance_class must be null or an RDS instance class (db.*)."
  }
}

variable "replica_lag_alarm_seconds" {
  description = "The replica lag alarm fires when ReplicaLag stays above this many seconds for 5 minutes."
  type        = number
  default     = 30

  validation {
    condition     = var.replica_lag_alarm_seconds > 0
    error_message = "replica_lag_alarm_seconds must be positive."
  }
}

variable "master_password_version" {
  description = "Version of the master password: change it to write master_password_wo to the instance and the secret in one apply (a rotation)."
  type        = number
  default     = 1

  validation {
    condition     = var.master_password_version >= 1 && floor(var.master_password_version) == var.master_password_version
    error_message = "master_password_version must be a whole number, at least 1."
  }
}

variable "master_password_wo" {
  description = "Master password: an ephemeral value (e.g. from ephemeral \"aws_secretsmanager_random_password\"), written to the instance and the module's secret only when master_password_version changes; never stored in state."
  type        = string
  ephemeral   = true
  sensitive   = true

  validation {
    condition     = var.master_password_wo != null
    error_message = "master_password_wo is required: the module keeps the master password (RDS Blue/Green Deployments and read replicas rule out the RDS-managed one)."
  }
}

variable "alarm_actions" {
  description = "SNS topics notified when the replica lag alarm fires or recovers."
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
