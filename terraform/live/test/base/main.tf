# First root of an environment (scripts/setup.sh <env> applies it): the keys the other roots
# encrypt with, the secrets' SSM parameters, the alarm topic, the DNS zone and the bucket
# receiving every access log.
data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}

data "aws_elb_service_account" "current" {}

locals {
  partition   = data.aws_partition.current.partition
  account_id  = data.aws_caller_identity.current.account_id
  log_bucket  = "${local.name_prefix}-logs${local.config.bucket_suffix}"
  log_arn     = "arn:${local.partition}:s3:::${local.log_bucket}"
  secret_keys = ["api-key-sha256", "callback-secret"]

  # Buckets whose server access logs land here (data: landing; frontend: web app), by the
  # same names those roots give them.
  logged_buckets = {
    Landing = "${local.name_prefix}-landing${local.config.bucket_suffix}"
    Web     = "${local.name_prefix}-web${local.config.bucket_suffix}"
  }
}

module "logs_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-logs"
  description        = "CloudWatch log groups of ${local.env}"
  service_principals = ["logs"]

  tags = { Service = "logging" }
}

module "ssm_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-ssm"
  description        = "SSM SecureString parameters of ${local.env}"
  service_principals = ["ssm"]

  tags = { Service = "secrets" }
}

# CloudWatch alarms, EventBridge rules and AWS Budgets publish to the encrypted topic with
# this key.
module "alarms_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-alarms"
  description        = "Alarm notifications of ${local.env}"
  service_principals = ["cloudwatch", "sns", "events", "budgets"]

  tags = { Service = "monitoring" }
}

module "alarm_topic" {
  source = "../../../modules/alarm-topic"

  name        = "${local.name_prefix}-alarms"
  kms_key_arn = module.alarms_key.key_arn
  emails      = try(local.config.monitoring.alarm_emails, [])

  tags = { Service = "monitoring" }
}

# Secrets of the services. Terraform creates each parameter once with a placeholder and
# never writes it again (ignore_changes on the value): operators set the real value with
#   aws ssm put-parameter --overwrite --type SecureString --name <name> --value <value>
# API_KEY_SHA256 holds comma-separated SHA-256 digests of the valid API keys;
# CALLBACK_SECRET is the HMAC key of the job callbacks.
resource "aws_ssm_parameter" "secret" {
  for_each = toset(local.secret_keys)

  name        = "/corpus/${local.env}/${each.value}"
  description = "corpus ${local.env} ${each.value} (set by an operator; Terraform keeps the placeholder only until then)"
  type        = "SecureString"
  key_id      = module.ssm_key.key_arn
  value       = "placeholder-set-me"

  lifecycle {
    ignore_changes = [value]
  }
}

resource "aws_route53_zone" "this" {
  # checkov:skip=CKV2_AWS_38:DNSSEC signing needs a DS record in the parent zone, which exists only once the zone is delegated; it is enabled as part of delegating the domain.
  # checkov:skip=CKV2_AWS_39:Query logging needs a log group in us-east-1 with a resource policy for Route 53; not required for this zone's few alias records.
  count = local.config.dns.create_zone ? 1 : 0

  name    = local.config.dns.zone_name
  comment = "corpus ${local.env}"
}

data "aws_route53_zone" "existing" {
  count = local.config.dns.create_zone ? 0 : 1

  name         = local.config.dns.zone_name
  private_zone = false
}

# Log delivery into the log bucket: S3 server access logs, ALB access logs (the region's
# ELB account, and the log delivery service for newer regions). CloudFront standard logs
# arrive through the ACL grant CloudFront adds itself (hence BucketOwnerPreferred).
data "aws_iam_policy_document" "log_delivery" {
  # One statement per logged bucket, each writing under s3/<bucket>/ only.
  dynamic "statement" {
    for_each = local.logged_buckets
    content {
      sid       = "S3ServerAccessLogs${statement.key}"
      actions   = ["s3:PutObject"]
      resources = ["${local.log_arn}/s3/${statement.value}/*"]
      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }
      condition {
        test     = "ArnLike"
        variable = "aws:SourceArn"
        values   = ["arn:${local.partition}:s3:::${statement.value}"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }

  statement {
    sid       = "AlbAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${local.log_arn}/alb/AWSLogs/${local.account_id}/*"]
    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.current.arn]
    }
  }

  statement {
    sid       = "AlbLogDelivery"
    actions   = ["s3:PutObject"]
    resources = ["${local.log_arn}/alb/AWSLogs/${local.account_id}/*"]
    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

# SSE-S3: ALB and S3 log delivery cannot write SSE-KMS objects.
module "logs" {
  source = "../../../modules/s3-bucket"

  name              = local.log_bucket
  kms_key_arn       = null
  object_ownership  = "BucketOwnerPreferred"
  force_destroy     = try(local.config.data.force_destroy, false)
  tls_only_policy   = !var.emulator
  policy_statements = [data.aws_iam_policy_document.log_delivery.json]
  lifecycle_rules = [{
    id                                 = "expire-logs"
    expiration_days                    = 365
    noncurrent_version_expiration_days = 30
    transition_to_ia_days              = 30
  }]

  tags = { Service = "logging" }
}
