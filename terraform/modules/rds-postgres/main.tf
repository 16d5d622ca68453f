data "aws_partition" "current" {}

locals {
  major_version       = split(".", var.engine_version)[0]
  monitoring_interval = var.enhanced_monitoring_interval
  log_exports         = ["postgresql", "upgrade"]
  replica_identifier  = "${var.identifier}-replica"
}

resource "aws_db_subnet_group" "this" {
  name_prefix = "${var.identifier}-"
  description = "Private subnets of ${var.identifier}"
  subnet_ids  = var.subnet_ids

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# ---------------------------------------------------------------------------------------
# Security group: 5432 from the given task security groups only; no egress at all.
# ---------------------------------------------------------------------------------------

resource "aws_security_group" "this" {
  name_prefix = "${var.identifier}-db-"
  description = "PostgreSQL ${var.identifier}: 5432 from the application task groups only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.identifier}-db" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "postgres" {
  # count, not for_each: the IDs may be unknown at plan time when created in the same root.
  count = length(var.allowed_security_group_ids)

  security_group_id = aws_security_group.this.id
  # The emulator drops descriptions of rules referencing a group (a perpetual diff there).
  description                  = var.emulator_compatible ? null : "PostgreSQL from application tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = var.allowed_security_group_ids[count.index]

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# Parameters: TLS required, connections and slow/DDL statements logged, logical
# replication on (a major-version blue/green deployment replicates logically).
#
# The family follows the major version of engine_version, and so does the name: a major
# upgrade creates the new family's group first (create_before_destroy), the instance moves
# to it (the green instance of the blue/green deployment is created with it), and only then
# is the old family's group deleted.
# ---------------------------------------------------------------------------------------

resource "aws_db_parameter_group" "this" {
  # The emulator does not read custom parameters back (a perpetual diff): skipped there.
  count = var.emulator_compatible ? 0 : 1

  name_prefix = "${var.identifier}-pg${local.major_version}-"
  description = "PostgreSQL ${local.major_version} parameters of ${var.identifier}"
  family      = "postgres${local.major_version}"

  # RDS blue/green deployments replicate logically when the green runs a higher major
  # version: the blue needs rds.logical_replication = 1 (RDS User Guide, "Preparing an RDS
  # for PostgreSQL DB instance for a blue/green deployment"). A static parameter: it takes
  # effect at the next reboot (docs/runbook-database.md, pre-checks).
  parameter {
    name         = "rds.logical_replication"
    value        = "1"
    apply_method = "pending-reboot"
  }

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_ms)
  }

  parameter {
    name  = "log_lock_waits"
    value = "1"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# Created before the instance so the exported logs are KMS-encrypted and expire.
resource "aws_cloudwatch_log_group" "exports" {
  for_each = toset(local.log_exports)

  name              = "/aws/rds/instance/${var.identifier}/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "replica_exports" {
  for_each = var.read_replica ? toset(local.log_exports) : toset([])

  name              = "/aws/rds/instance/${local.replica_identifier}/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# Enhanced monitoring role
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = local.monitoring_interval > 0 ? 1 : 0

  name_prefix        = "${substr(var.identifier, 0, 24)}-rds-mon-"
  description        = "RDS enhanced monitoring of ${var.identifier}"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  # AWS managed policies exist in the emulator only when it loads them
  # (MOTO_IAM_LOAD_MANAGED_POLICIES=true); the attachment is skipped there.
  count = local.monitoring_interval > 0 && !var.emulator_compatible ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

# ---------------------------------------------------------------------------------------
# Instance
# ---------------------------------------------------------------------------------------

resource "aws_db_instance" "this" {
  identifier     = var.identifier
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class
  db_name        = var.db_name
  port           = 5432

  # Self-managed, write-only (never in the state): RDS Blue/Green Deployments and read
  # replicas both refuse an instance whose master password RDS manages in Secrets Manager.
  username            = var.master_username
  password_wo         = var.master_password_wo
  password_wo_version = var.master_password_version

  iam_database_authentication_enabled = true

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage > var.allocated_storage ? var.max_allocated_storage : null
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.this.id]
  publicly_accessible    = false
  multi_az               = var.multi_az
  parameter_group_name   = one(aws_db_parameter_group.this[*].name)
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  # Changes of the engine version, parameter group, instance class or storage (any change
  # but deletion protection, the password and tags) go through an RDS Blue/Green
  # Deployment: green copy, switchover (about a minute of refused connections), old
  # instance deleted. Needs automated backups (backup_retention_days is at least 1)
  # and no read replica (variables.tf).
  dynamic "blue_green_update" {
    for_each = var.blue_green_update ? [true] : []
    content {
      enabled = true
    }
  }

  auto_minor_version_upgrade = true
  # A major version is accepted only through blue/green: without it, RDS refuses a major
  # engine_version change instead of upgrading in place (an outage of the whole upgrade).
  allow_major_version_upgrade = var.blue_green_update
  apply_immediately           = var.apply_immediately
  maintenance_window          = var.maintenance_window

  backup_retention_period   = var.backup_retention_days
  backup_window             = var.backup_window
  copy_tags_to_snapshot     = true
  delete_automated_backups  = false
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = var.skip_final_snapshot ? null : "${var.identifier}-final"

  enabled_cloudwatch_logs_exports = local.log_exports

  # The emulator does not store Performance Insights settings (a perpetual diff there).
  performance_insights_enabled          = var.emulator_compatible ? false : true
  performance_insights_kms_key_id       = var.emulator_compatible ? null : var.kms_key_arn
  performance_insights_retention_period = var.emulator_compatible ? null : var.performance_insights_retention_days

  monitoring_interval = local.monitoring_interval
  monitoring_role_arn = local.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null

  tags = merge(var.tags, { Name = var.identifier })

  depends_on = [aws_cloudwatch_log_group.exports, aws_iam_role_policy_attachment.monitoring]

  timeouts {
    # A blue/green update runs inside one update: green created (a major upgrade included),
    # in sync, switched over, old instance deleted. The provider's default (80m) is short
    # for that; a timeout before the switchover deletes the green and leaves the blue as it was.
    update = "4h"
  }
}

# ---------------------------------------------------------------------------------------
# Master password kept by this module: the root passes a generated one (an ephemeral
# value, e.g. ephemeral "aws_secretsmanager_random_password"); it reaches the secret and
# the instance through write-only arguments and is never stored in the Terraform state.
# Bump master_password_version to set a new one in both in one apply.
# ---------------------------------------------------------------------------------------

resource "aws_secretsmanager_secret" "master" {
  # checkov:skip=CKV2_AWS_57:Rotation by Secrets Manager needs the RDS-managed secret, which RDS Blue/Green Deployments and read replicas rule out; the password is rotated by bumping master_password_version (docs/runbook-database.md).
  name_prefix             = "${var.identifier}-master-"
  description             = "Master user of ${var.identifier} (username, password), kept by Terraform: RDS Blue/Green Deployments and read replicas rule out the RDS-managed secret"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 7

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "master" {
  secret_id                = aws_secretsmanager_secret.master.id
  secret_string_wo         = jsonencode({ username = var.master_username, password = var.master_password_wo })
  secret_string_wo_version = var.master_password_version
}

# The secret used to exist only with a read replica (count); states from then keep it.
moved {
  from = aws_secretsmanager_secret.master[0]
  to   = aws_secretsmanager_secret.master
}

moved {
  from = aws_secretsmanager_secret_version.master[0]
  to   = aws_secretsmanager_secret_version.master
}

# ---------------------------------------------------------------------------------------
# Read replica (same region, same subnets and security group): the documents service's
# DATABASE_READ_URL. Physical replication: same users and passwords as the primary.
# ---------------------------------------------------------------------------------------

resource "aws_db_instance" "replica" {
  # checkov:skip=CKV_AWS_133:The primary keeps the automated backups (backup_retention_days) and point-in-time recovery; a replica is recreated from the primary, never restored.
  # checkov:skip=CKV_AWS_157:The replica serves reads only; the primary is Multi-AZ, and if the replica fails the documents service is pointed back at the primary (docs/runbook-alarms.md). A Multi-AZ replica would double its cost.
  count = var.read_replica ? 1 : 0

  identifier          = local.replica_identifier
  replicate_source_db = aws_db_instance.this.identifier
  instance_class      = coalesce(var.replica_instance_class, var.instance_class)
  port                = 5432

  iam_database_authentication_enabled = true

  max_allocated_storage = var.max_allocated_storage > var.allocated_storage ? var.max_allocated_storage : null
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.this.id]
  publicly_accessible    = false
  multi_az               = false
  parameter_group_name   = one(aws_db_parameter_group.this[*].name)
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  auto_minor_version_upgrade = true
  apply_immediately          = var.apply_immediately
  maintenance_window         = var.maintenance_window

  # Backups are the primary's; a replica is rebuilt from it, not restored.
  backup_retention_period = 0
  copy_tags_to_snapshot   = true
  deletion_protection     = var.deletion_protection
  skip_final_snapshot     = true

  enabled_cloudwatch_logs_exports = local.log_exports

  performance_insights_enabled          = var.emulator_compatible ? false : true
  performance_insights_kms_key_id       = var.emulator_compatible ? null : var.kms_key_arn
  performance_insights_retention_period = var.emulator_compatible ? null : var.performance_insights_retention_days

  monitoring_interval = local.monitoring_interval
  monitoring_role_arn = local.monitoring_interval > 0 ? aws_iam_role.monitoring[0].arn : null

  tags = merge(var.tags, { Name = local.replica_identifier })

  depends_on = [aws_cloudwatch_log_group.replica_exports]
}

resource "aws_cloudwatch_metric_alarm" "replica_lag" {
  count = var.read_replica ? 1 : 0

  alarm_name          = "${var.identifier}-replica-lag"
  alarm_description   = "The read replica ${local.replica_identifier} is more than ${var.replica_lag_alarm_seconds} s behind the primary: DATABASE_READ_URL reads miss recent writes. Runbook: docs/runbook-alarms.md."
  namespace           = "AWS/RDS"
  metric_name         = "ReplicaLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  threshold           = var.replica_lag_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  # A replica that stops reporting lag has stopped replicating.
  treat_missing_data = "breaching"

  dimensions = {
    DBInstanceIdentifier = aws_db_instance.replica[0].identifier
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}
