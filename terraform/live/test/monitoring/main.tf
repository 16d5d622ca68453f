# Alarms on every stateful and traffic-carrying piece of the environment, notifying the base
# root's topic, and one dashboard.
data "terraform_remote_state" "base" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/base/terraform.tfstate" })
}

data "terraform_remote_state" "data" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/data/terraform.tfstate" })
}

data "terraform_remote_state" "database" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/database/terraform.tfstate" })
}

data "terraform_remote_state" "cluster" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/cluster/terraform.tfstate" })
}

data "terraform_remote_state" "services" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/services/terraform.tfstate" })
}

locals {
  data     = data.terraform_remote_state.data.outputs
  services = data.terraform_remote_state.services.outputs
}

module "monitoring" {
  source = "../../../modules/monitoring"

  name_prefix     = local.name_prefix
  alarm_topic_arn = data.terraform_remote_state.base.outputs.alarm_topic_arn

  rds = { identifier = data.terraform_remote_state.database.outputs.identifier }
  alb = {
    arn_suffix    = local.services.alb_arn_suffix
    target_groups = local.services.target_group_arn_suffixes
  }
  ecs = {
    cluster_name = data.terraform_remote_state.cluster.outputs.cluster_name
    services     = local.services.service_names
  }
  sqs = {
    queue_name = local.data.queue_name
    dlq_name   = local.data.dlq_name
  }
  dynamodb = { table_names = [local.data.table_name] }

  tags = { Service = "monitoring" }
}

# The environment's monthly cost budget (AWS Budgets has no emulator: real accounts only).
module "budget" {
  source = "../../../modules/budget"
  count  = var.emulator ? 0 : 1

  name          = "${local.name_prefix}-monthly-cost"
  amount_usd    = local.config.monitoring.monthly_budget_usd
  emails        = try(local.config.monitoring.alarm_emails, [])
  sns_topic_arn = data.terraform_remote_state.base.outputs.alarm_topic_arn

  tags = { Service = "cost" }
}
