# PostgreSQL of the documents data. Its security group admits 5432 only from the task
# groups, through rules the services root adds (the task groups are created there).
data "terraform_remote_state" "base" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/base/terraform.tfstate" })
}

data "terraform_remote_state" "network" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/network/terraform.tfstate" })
}

locals {
  db = local.config.database
}

# The master password: Secrets Manager generates one (an ephemeral value, never in the
# state) that the module writes to its secret and the instance when
# master_password_version changes. (RDS cannot manage it: blue/green updates and read
# replicas both rule the RDS-managed secret out.)
ephemeral "aws_secretsmanager_random_password" "master" {
  password_length     = 40
  exclude_punctuation = true
}

module "rds_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-rds"
  description        = "PostgreSQL storage, snapshots, Performance Insights and master secret of ${local.env}"
  service_principals = ["rds", "secretsmanager"]

  tags = { Service = "database" }
}

module "postgres" {
  source = "../../../modules/rds-postgres"

  identifier            = local.name_prefix
  vpc_id                = data.terraform_remote_state.network.outputs.vpc_id
  subnet_ids            = data.terraform_remote_state.network.outputs.private_subnet_ids
  engine_version        = local.db.engine_version
  instance_class        = local.db.instance_class
  allocated_storage     = local.db.allocated_storage
  max_allocated_storage = local.db.max_allocated_storage
  kms_key_arn           = module.rds_key.key_arn
  log_kms_key_arn       = data.terraform_remote_state.base.outputs.kms_key_arns.logs
  multi_az              = local.db.multi_az
  deletion_protection   = local.db.deletion_protection
  skip_final_snapshot   = local.db.skip_final_snapshot
  backup_retention_days = local.db.backup_retention_days
  backup_window         = local.db.backup_window
  maintenance_window    = local.db.maintenance_window
  emulator_compatible   = var.emulator

  # Engine, parameter, class and storage changes through an RDS Blue/Green Deployment
  # (docs/runbook-database.md); not together with the read replica.
  blue_green_update = try(local.db.blue_green_update, false)

  read_replica            = try(local.db.read_replica, false)
  master_password_wo      = ephemeral.aws_secretsmanager_random_password.master.random_password
  master_password_version = try(local.db.master_password_version, 1)
  alarm_actions           = [data.terraform_remote_state.base.outputs.alarm_topic_arn]

  tags = { Service = "database" }
}
