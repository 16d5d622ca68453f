# The ingest worker and its reconciler (main.tf has the shared locals and the other services).

# ---------------------------------------------------------------------------------------
# ingest worker: its queue (receive, and send file and callback messages), its table, the
# allowed buckets (list, read) and its database login's secret, nothing more (the
# reconciler runs its task definition with a role of its own, below)
# ---------------------------------------------------------------------------------------
data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "ConsumeQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
    resources = [local.data.queue_arn]
  }

  # The worker lists a job's prefix and enqueues its files, and callback deliveries (the
  # outbox).
  statement {
    sid       = "EnqueueFilesAndCallbacks"
    actions   = ["sqs:SendMessage"]
    resources = [local.data.queue_arn]
  }

  statement {
    sid       = "ListJobPrefixes"
    actions   = ["s3:ListBucket"]
    resources = local.allowed_bucket_arns
  }

  statement {
    sid       = "EncryptMessages"
    actions   = ["kms:GenerateDataKey"]
    resources = [local.data.kms_key_arns.sqs]
  }

  statement {
    sid       = "TrackJobs"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]
    resources = [local.data.table_arn]
  }

  statement {
    sid       = "ReadFiles"
    actions   = ["s3:GetObject"]
    resources = [for b in local.allowed_bucket_arns : "${b}/*"]
  }

  statement {
    sid       = "DecryptMessagesAndFiles"
    actions   = ["kms:Decrypt"]
    resources = [local.data.kms_key_arns.sqs, local.data.kms_key_arns.s3]
  }

  statement {
    sid       = "DatabaseLogin"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.logins.worker.secret_arn]
  }

  statement {
    sid       = "DecryptDatabaseLogin"
    actions   = ["kms:Decrypt"]
    resources = [local.database.kms_key_arn]
  }
}

module "worker" {
  source = "../../../modules/ecs-worker"

  name_prefix    = local.name_prefix
  service_name   = "ingest-worker"
  cluster_name   = local.cluster.cluster_name
  cluster_arn    = local.cluster.cluster_arn
  vpc_id         = local.network.vpc_id
  vpc_cidr_block = local.network.vpc_cidr_block
  subnet_ids     = local.network.private_subnet_ids
  # The module admits the tasks on 5432 in the database's group (and nothing else does).
  database_security_group_ids = [local.database.security_group_id]
  cpu                         = local.svc.worker.cpu
  memory                      = local.svc.worker.memory
  environment                 = local.worker_environment
  secrets                     = merge(local.api_key, local.callback)
  secrets_kms_key_arns        = local.secret_keys
  ecr_repository_arns         = [local.ecr.repository_arns.ingest]
  # ECS Exec (no SSH, no bastion): sessions KMS-encrypted and logged by the cluster.
  capacity_provider_strategy = local.capacity_provider_strategy
  enable_execute_command     = true
  exec_kms_key_arn           = local.cluster.exec_kms_key_arn
  exec_log_group_arn         = local.cluster.exec_log_group_arn
  task_role_policy_json      = data.aws_iam_policy_document.worker.json
  log_kms_key_arn            = local.base.kms_key_arns.logs
  log_retention_days         = local.svc.log_retention_days
  queue_name                 = local.data.queue_name
  min_capacity               = local.svc.worker.min
  max_capacity               = local.svc.worker.max
  alarm_actions              = [local.base.alarm_topic_arn]
  emulator_compatible        = var.emulator

  tags = { Service = "ingest-worker" }
}

# ---------------------------------------------------------------------------------------
# ingest reconciler: `ingest reconcile` on a schedule, as a one-off task of the worker's
# task definition family (its latest revision: the release's image, environment and
# secrets), command and task role overridden; it exits when done. It works on the jobs
# table and the queue only, so it runs with a role of its own that cannot read the
# buckets, consume the queue or fetch a database login, and in a security group of its
# own that reaches AWS's APIs and not the database (the worker's group is admitted to it).
# ---------------------------------------------------------------------------------------

# Expires jobs past their deadline (fails their pending files, ends a listing, finishes
# the job) and queues callbacks the outbox has not settled in time.
data "aws_iam_policy_document" "reconcile" {
  # The tracing sidecar's X-Ray calls, when the worker's task definition has one.
  source_policy_documents = compact([module.worker.tracing_policy_json])

  statement {
    sid       = "FindDueJobs"
    actions   = ["dynamodb:Query"]
    resources = ["${local.data.table_arn}/index/by_open"]
  }

  statement {
    sid       = "ExpireJobs"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]
    resources = [local.data.table_arn]
  }

  statement {
    sid       = "QueueCallbacks"
    actions   = ["sqs:SendMessage"]
    resources = [local.data.queue_arn]
  }

  # Sending to a queue encrypted with a customer managed key takes both.
  statement {
    sid       = "EncryptMessages"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [local.data.kms_key_arns.sqs]
  }
}

resource "aws_security_group" "reconcile" {
  #checkov:skip=CKV2_AWS_5:attached by the reconciler's schedule (its ECS target's network configuration), which checkov does not follow
  name_prefix = "${local.name_prefix}-ingest-reconcile-"
  description = "ingest reconcile tasks: HTTPS to AWS APIs only, nothing inbound"
  vpc_id      = local.network.vpc_id

  tags = { Name = "${local.name_prefix}-ingest-reconcile", Service = "ingest-reconcile" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "reconcile_https" {
  security_group_id = aws_security_group.reconcile.id
  description       = "TCP 443 to AWS APIs (DynamoDB, SQS, ECR, logs)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = { Service = "ingest-reconcile" }
}

module "reconcile" {
  source = "../../../modules/scheduled-task"

  name                       = "${local.name_prefix}-ingest-reconcile"
  schedule_expression        = local.svc.reconcile.schedule
  enabled                    = local.svc.reconcile.enabled
  cluster_arn                = local.cluster.cluster_arn
  task_definition_family     = module.worker.task_definition_family
  container_name             = module.worker.container_name
  command                    = ["reconcile"]
  execution_role_arn         = module.worker.execution_role_arn
  task_role_arn              = module.worker.task_role_arn
  task_role_policy_jsons     = [data.aws_iam_policy_document.reconcile.json]
  subnet_ids                 = local.network.private_subnet_ids
  security_group_ids         = [aws_security_group.reconcile.id]
  group                      = "ingest-reconcile"
  capacity_provider_strategy = local.capacity_provider_strategy
  alarm_actions              = [local.base.alarm_topic_arn]

  tags = { Service = "ingest-reconcile" }
}
