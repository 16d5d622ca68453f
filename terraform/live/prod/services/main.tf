# The HTTP services behind the ALB (blue/green by CodeDeploy) and the queue worker.
# Listeners, listener rules and target groups are plain resources of the alb and
# ecs-service modules, with the ignore_changes that keep plan clean after a deployment
# (terraform/modules/ecs-service/README.md).
data "terraform_remote_state" "base" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/base/terraform.tfstate" })
}

data "terraform_remote_state" "network" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/network/terraform.tfstate" })
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

data "terraform_remote_state" "ecr" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "shared/ecr/terraform.tfstate" })
}

locals {
  svc      = local.config.services
  base     = data.terraform_remote_state.base.outputs
  network  = data.terraform_remote_state.network.outputs
  data     = data.terraform_remote_state.data.outputs
  database = data.terraform_remote_state.database.outputs
  cluster  = data.terraform_remote_state.cluster.outputs
  ecr      = data.terraform_remote_state.ecr.outputs

  common_environment = {
    LOG_FORMAT             = "json"
    RUST_LOG               = "info"
    SHUTDOWN_GRACE_SECONDS = "20"
    AWS_REGION             = local.config.region
  }
  # Each service logs in as its own database user, whose password it reads from its own
  # secret and follows when it rotates (database-logins.tf); lists, reads and search of the
  # documents service go to the read replica when there is one.
  documents_environment = merge(local.common_environment, {
    DATABASE_URL        = local.logins.documents.database_url
    DATABASE_SECRET_ARN = local.logins.documents.secret_arn
    },
    local.logins.documents.database_read_url == null ? {} : { DATABASE_READ_URL = local.logins.documents.database_read_url },
  )
  ingest_environment = merge(local.common_environment, {
    INGEST_TABLE           = local.data.table_name
    INGEST_QUEUE_URL       = local.data.queue_url
    INGEST_BUCKET          = local.data.landing_bucket
    INGEST_ALLOWED_BUCKETS = join(",", local.data.allowed_buckets)
    INGEST_MAX_FILE_BYTES  = tostring(local.svc.worker.max_file_bytes)
    CALLBACK_ALLOW_PRIVATE = "false"
  })
  worker_environment = merge(local.ingest_environment, {
    DATABASE_URL        = local.logins.worker.database_url
    DATABASE_SECRET_ARN = local.logins.worker.secret_arn
  })
  # Secrets the tasks get at start, from the base root's SSM parameters. (No database
  # password: the tasks read their login's secret themselves.)
  api_key  = { API_KEY_SHA256 = local.base.secret_parameter_arns["api-key-sha256"] }
  callback = { CALLBACK_SECRET = local.base.secret_parameter_arns["callback-secret"] }

  secret_keys = [local.base.kms_key_arns.ssm]

  allowed_bucket_arns = [for b in local.data.allowed_buckets : "arn:aws:s3:::${b}"]

  # Fargate (launch type) unless config asks for the cluster's EC2 capacity provider.
  capacity_provider_strategy = try(local.config.cluster.service_capacity_provider, "FARGATE") == "EC2" ? [
    { capacity_provider = try(local.cluster.ec2_capacity_provider_name, null) == null ? "" : local.cluster.ec2_capacity_provider_name, weight = 1, base = 0 },
  ] : null
}

# ---------------------------------------------------------------------------------------
# Load balancer and its certificate (origin name; CloudFront forwards /api/* to it)
# ---------------------------------------------------------------------------------------
module "origin_cert" {
  source = "../../../modules/dns-cert"

  zone_id             = local.base.zone_id
  domain_name         = local.config.dns.origin_name
  wait_for_validation = !var.emulator
  alias_records = {
    origin = {
      name            = local.config.dns.origin_name
      target_dns_name = module.alb.dns_name
      target_zone_id  = module.alb.zone_id
    }
  }

  tags = { Service = "alb" }
}

module "alb" {
  source = "../../../modules/alb"

  name              = local.name_prefix
  vpc_id            = local.network.vpc_id
  vpc_cidr_block    = local.network.vpc_cidr_block
  public_subnet_ids = local.network.public_subnet_ids
  certificate_arn   = module.origin_cert.certificate_arn
  # The deploy hook and smoke tests run in private subnets and reach this internet-facing
  # load balancer's test listener through the NAT gateways.
  test_listener_extra_cidrs = [for ip in local.network.nat_public_ips : "${ip}/32"]
  access_logs_bucket        = local.base.log_bucket
  deletion_protection       = local.svc.alb_deletion_protection
  enable_waf                = local.svc.enable_waf
  log_kms_key_arn           = local.base.kms_key_arns.logs

  tags = { Service = "alb" }
}

# ---------------------------------------------------------------------------------------
# CodeDeploy AfterAllowTestTraffic hook: readiness of the replacement task sets through the
# test listener (from inside the VPC) before production traffic moves
# ---------------------------------------------------------------------------------------
module "deploy_hook" {
  source = "../../../modules/deploy-hook"

  name_prefix        = local.name_prefix
  vpc_id             = local.network.vpc_id
  subnet_ids         = local.network.private_subnet_ids
  test_listener_port = module.alb.test_listener_port
  probe_urls = [for s in ["documents", "ingest"] :
  "https://${local.config.dns.origin_name}:${module.alb.test_listener_port}/api/${s}/readyz"]
  read_urls = [for p in ["documents/documents", "ingest/jobs"] :
  "https://${local.config.dns.origin_name}:${module.alb.test_listener_port}/api/${p}?limit=1"]
  package_file       = var.deploy_hook_package
  kms_key_arn        = local.base.kms_key_arns.logs
  log_retention_days = local.svc.log_retention_days
  alarm_actions      = [local.base.alarm_topic_arn]

  tags = { Service = "deploy-hook" }
}

# ---------------------------------------------------------------------------------------
# documents API
# ---------------------------------------------------------------------------------------
module "documents" {
  source = "../../../modules/ecs-service"

  name_prefix    = local.name_prefix
  service_name   = "documents"
  cluster_name   = local.cluster.cluster_name
  cluster_arn    = local.cluster.cluster_arn
  vpc_id         = local.network.vpc_id
  vpc_cidr_block = local.network.vpc_cidr_block
  subnet_ids     = local.network.private_subnet_ids
  # The module admits the tasks on 5432 in the database's group (and nothing else does).
  database_security_group_ids = [local.database.security_group_id]
  alb_security_group_id       = module.alb.security_group_id
  alb_arn_suffix              = module.alb.arn_suffix
  prod_listener_arn           = module.alb.https_listener_arn
  test_listener_arn           = module.alb.test_listener_arn
  listener_rule_priority      = local.svc.documents.priority
  base_path                   = "/api/documents"
  cpu                         = local.svc.documents.cpu
  memory                      = local.svc.documents.memory
  environment                 = local.documents_environment
  secrets                     = local.api_key
  secrets_kms_key_arns        = local.secret_keys
  ecr_repository_arns         = [local.ecr.repository_arns.documents]
  # ECS Exec (no SSH, no bastion): sessions KMS-encrypted and logged by the cluster.
  capacity_provider_strategy = local.capacity_provider_strategy
  enable_execute_command     = true
  exec_kms_key_arn           = local.cluster.exec_kms_key_arn
  exec_log_group_arn         = local.cluster.exec_log_group_arn
  task_role_policy_json      = data.aws_iam_policy_document.documents.json
  log_kms_key_arn            = local.base.kms_key_arns.logs
  log_retention_days         = local.svc.log_retention_days
  min_capacity               = local.svc.documents.min
  max_capacity               = local.svc.documents.max
  deployment_config_name     = local.svc.deployment_config
  termination_wait_minutes   = local.svc.termination_wait_minutes
  hook_lambda_arns           = [module.deploy_hook.function_arn]
  alarm_actions              = [local.base.alarm_topic_arn]
  emulator_compatible        = var.emulator

  tags = { Service = "documents" }
}

# ---------------------------------------------------------------------------------------
# ingest API: records jobs, enqueues files, presigns uploads
# ---------------------------------------------------------------------------------------
data "aws_iam_policy_document" "ingest" {
  statement {
    sid       = "Jobs"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:BatchWriteItem"]
    resources = [local.data.table_arn, "${local.data.table_arn}/index/*"]
  }

  statement {
    sid       = "EnqueueFiles"
    actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
    resources = [local.data.queue_arn]
  }

  statement {
    sid       = "ListJobPrefixes"
    actions   = ["s3:ListBucket"]
    resources = local.allowed_bucket_arns
  }

  statement {
    sid       = "PresignUploads"
    actions   = ["s3:PutObject"]
    resources = ["${local.data.landing_bucket_arn}/uploads/*"]
  }

  statement {
    sid       = "EncryptMessagesAndUploads"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [local.data.kms_key_arns.sqs, local.data.kms_key_arns.s3]
  }
}

module "ingest" {
  source = "../../../modules/ecs-service"

  name_prefix    = local.name_prefix
  service_name   = "ingest"
  cluster_name   = local.cluster.cluster_name
  cluster_arn    = local.cluster.cluster_arn
  vpc_id         = local.network.vpc_id
  vpc_cidr_block = local.network.vpc_cidr_block
  subnet_ids     = local.network.private_subnet_ids
  # No database_security_group_ids: the ingest API has no database login, so its tasks
  # are not admitted to the database (only documents' and the worker's are).
  alb_security_group_id  = module.alb.security_group_id
  alb_arn_suffix         = module.alb.arn_suffix
  prod_listener_arn      = module.alb.https_listener_arn
  test_listener_arn      = module.alb.test_listener_arn
  listener_rule_priority = local.svc.ingest.priority
  base_path              = "/api/ingest"
  cpu                    = local.svc.ingest.cpu
  memory                 = local.svc.ingest.memory
  environment            = local.ingest_environment
  secrets                = merge(local.api_key, local.callback)
  secrets_kms_key_arns   = local.secret_keys
  ecr_repository_arns    = [local.ecr.repository_arns.ingest]
  # ECS Exec (no SSH, no bastion): sessions KMS-encrypted and logged by the cluster.
  capacity_provider_strategy = local.capacity_provider_strategy
  enable_execute_command     = true
  exec_kms_key_arn           = local.cluster.exec_kms_key_arn
  exec_log_group_arn         = local.cluster.exec_log_group_arn
  task_role_policy_json      = data.aws_iam_policy_document.ingest.json
  log_kms_key_arn            = local.base.kms_key_arns.logs
  log_retention_days         = local.svc.log_retention_days
  min_capacity               = local.svc.ingest.min
  max_capacity               = local.svc.ingest.max
  deployment_config_name     = local.svc.deployment_config
  termination_wait_minutes   = local.svc.termination_wait_minutes
  hook_lambda_arns           = [module.deploy_hook.function_arn]
  alarm_actions              = [local.base.alarm_topic_arn]
  emulator_compatible        = var.emulator

  tags = { Service = "ingest" }
}

# ---------------------------------------------------------------------------------------
# What the pipeline needs to deploy each service, published in SSM (buildspec.yml renders
# the task definitions and appspecs from it; the migrate and roll helpers read it too).
# ---------------------------------------------------------------------------------------
locals {
  deploy_settings = {
    documents = {
      cluster          = local.cluster.cluster_name
      service          = module.documents.service_name
      family           = module.documents.task_definition_family
      container        = module.documents.container_name
      port             = module.documents.container_port
      subnets          = module.documents.subnet_ids
      security_groups  = [module.documents.security_group_id]
      application      = module.documents.codedeploy_app_name
      deployment_group = module.documents.codedeploy_deployment_group_name
      hook_function    = module.deploy_hook.function_name
      image_repo       = "documents"
      # null: Fargate (the appspec's PlatformVersion); else the appspec must carry this
      # CapacityProviderStrategy instead.
      capacity_provider_strategy = local.capacity_provider_strategy
      # The migration task runs as the master user with a role of its own, and sets the
      # services' login passwords (database-logins.tf).
      migrate = local.migrate_settings
    }
    ingest = {
      cluster                    = local.cluster.cluster_name
      service                    = module.ingest.service_name
      family                     = module.ingest.task_definition_family
      container                  = module.ingest.container_name
      port                       = module.ingest.container_port
      subnets                    = module.ingest.subnet_ids
      security_groups            = [module.ingest.security_group_id]
      application                = module.ingest.codedeploy_app_name
      deployment_group           = module.ingest.codedeploy_deployment_group_name
      hook_function              = module.deploy_hook.function_name
      image_repo                 = "ingest"
      capacity_provider_strategy = local.capacity_provider_strategy
    }
    "ingest-worker" = {
      cluster         = local.cluster.cluster_name
      service         = module.worker.service_name
      family          = module.worker.task_definition_family
      container       = module.worker.container_name
      subnets         = local.network.private_subnet_ids
      security_groups = [module.worker.security_group_id]
      command         = ["work"]
      image_repo      = "ingest"
    }
  }
}

resource "aws_ssm_parameter" "deploy" {
  # checkov:skip=CKV2_AWS_34:Deployment settings (names, subnet and security group IDs) are not secrets; a plain String parameter is the right type.
  for_each = local.deploy_settings

  name        = "/corpus/${local.env}/deploy/${each.key}"
  description = "How the pipeline deploys ${each.key} in ${local.env}"
  type        = "String"
  value       = jsonencode(each.value)
}
