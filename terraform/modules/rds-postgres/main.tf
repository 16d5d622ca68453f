data "aws_partition" "current" {}

locals {
  major_version       = split(".", var.engine_version)[0]
  monitoring_interval = var.enhanced_monitoring_interval
  log_exports         = ["postgresql", "upgrade"]
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
# Parameters: TLS required, connections and slow/DDL statements logged.
# ---------------------------------------------------------------------------------------

resource "aws_db_parameter_group" "this" {
  # The emulator does not read custom parameters back (a perpetual diff): skipped there.
  count = var.emulator_compatible ? 0 : 1

  name_prefix = "${var.identifier}-pg${local.major_version}-"
  description = "PostgreSQL ${local.major_version} parameters of ${var.identifier}"
  family      = "postgres${local.major_version}"

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

  username                      = var.master_username
  manage_master_user_password   = true
  master_user_secret_kms_key_id = var.kms_key_arn

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

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
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
}
