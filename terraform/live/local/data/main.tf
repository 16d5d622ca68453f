# The ingest data plane: jobs table, queue + dead-letter queue, landing bucket whose
# incoming/ and uploads/ prefixes notify the queue, and the bucket receiving access logs.
data "aws_partition" "current" {}

locals {
  data           = local.config.data
  landing_bucket = local.data.landing_bucket
  landing_arn    = "arn:${data.aws_partition.current.partition}:s3:::${local.landing_bucket}"
}

module "s3_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-s3"
  description        = "Objects of the ${local.env} buckets"
  service_principals = ["s3"]
}

module "dynamodb_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-dynamodb"
  description        = "Items of the ${local.env} DynamoDB tables"
  service_principals = ["dynamodb"]

  tags = { Service = "ingest" }
}

# S3 encrypts the event notifications it sends to the queue with this key.
module "sqs_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-sqs"
  description        = "Messages of the ${local.env} queues"
  service_principals = ["sqs", "s3"]

  tags = { Service = "ingest" }
}

module "logs_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-logs"
  description        = "CloudWatch log groups of ${local.env}"
  service_principals = ["logs"]

  tags = { Service = "ingest" }
}

module "table" {
  source = "../../../modules/dynamodb-table"

  name                = local.data.table
  kms_key_arn         = module.dynamodb_key.key_arn
  deletion_protection = local.data.deletion_protection

  tags = { Service = "ingest" }
}

module "queue" {
  source = "../../../modules/sqs-queue"

  name                       = local.data.queue
  kms_key_arn                = module.sqs_key.key_arn
  visibility_timeout_seconds = local.data.queue_visibility_timeout_seconds
  max_receive_count          = 5
  source_bucket_arns         = [local.landing_arn]

  tags = { Service = "ingest" }
}

# Server access logs of the data buckets (SSE-S3: log delivery cannot write SSE-KMS).
module "access_logs" {
  source = "../../../modules/s3-bucket"

  name              = local.data.access_log_bucket
  kms_key_arn       = null
  tls_only_policy   = !var.emulator
  force_destroy     = local.data.force_destroy
  policy_statements = [data.aws_iam_policy_document.access_logs_delivery.json]
  lifecycle_rules = [{
    id                                 = "expire-logs"
    expiration_days                    = 365
    noncurrent_version_expiration_days = 30
    transition_to_ia_days              = 30
  }]

  tags = { Service = "ingest" }
}

data "aws_caller_identity" "current" {}

# S3 server access logs of the landing bucket may be delivered (merged by the module with
# its TLS-only statements).
data "aws_iam_policy_document" "access_logs_delivery" {
  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${local.data.access_log_bucket}/${local.landing_bucket}/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.landing_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

module "landing" {
  source = "../../../modules/s3-bucket"

  name                 = local.landing_bucket
  kms_key_arn          = module.s3_key.key_arn
  tls_only_policy      = !var.emulator
  force_destroy        = local.data.force_destroy
  access_logging       = { bucket = module.access_logs.id }
  notification         = { queue_arn = module.queue.arn, prefixes = local.data.notification_prefixes }
  cors_allowed_origins = try(local.data.upload_cors_origins, [])
  lifecycle_rules = [
    {
      id                                 = "uploads"
      prefix                             = "uploads/"
      expiration_days                    = try(local.data.upload_expiry_days, 30)
      noncurrent_version_expiration_days = 7
    },
    {
      id                                 = "incoming"
      prefix                             = "incoming/"
      noncurrent_version_expiration_days = 30
    },
  ]

  # S3 checks that it may send to the queue when the notification is configured.
  depends_on = [module.queue]

  tags = { Service = "ingest" }
}
