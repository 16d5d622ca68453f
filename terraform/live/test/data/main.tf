# The ingest data plane: jobs table, queue + dead-letter queue, and the landing bucket whose
# incoming/ and uploads/ prefixes notify the queue. Access logs go to the base root's bucket.
data "aws_partition" "current" {}

data "terraform_remote_state" "base" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/base/terraform.tfstate" })
}

locals {
  data           = local.config.data
  landing_bucket = "${local.name_prefix}-landing${local.config.bucket_suffix}"
  landing_arn    = "arn:${data.aws_partition.current.partition}:s3:::${local.landing_bucket}"
}

module "s3_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-s3"
  description        = "Objects of the ${local.env} data buckets"
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

module "landing" {
  source = "../../../modules/s3-bucket"

  name                 = local.landing_bucket
  kms_key_arn          = module.s3_key.key_arn
  force_destroy        = local.data.force_destroy
  tls_only_policy      = !var.emulator
  access_logging       = { bucket = data.terraform_remote_state.base.outputs.log_bucket, prefix = "s3/${local.landing_bucket}/" }
  notification         = { queue_arn = module.queue.arn, prefixes = local.data.notification_prefixes }
  cors_allowed_origins = ["https://${local.config.dns.site_name}"]
  lifecycle_rules = [
    {
      id                                 = "uploads"
      prefix                             = "uploads/"
      expiration_days                    = local.data.upload_expiry_days
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
