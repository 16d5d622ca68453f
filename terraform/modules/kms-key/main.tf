data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Services other than CloudWatch Logs are bound to this account by kms:CallerAccount.
  account_services = [for s in var.service_principals : s if s != "logs"]
}

# Key policy: the account root administers the key (so IAM policies decide who in the
# account may use it), the listed services may use it for this account only, and CloudWatch
# Logs only for log groups of this account and region.
data "aws_iam_policy_document" "key" {
  # checkov:skip=CKV_AWS_109:A key policy is attached to exactly one key: its Resource "*" means "this key", and the account root must be able to manage it (AWS default key policy).
  # checkov:skip=CKV_AWS_111:Same: in a key policy Resource "*" is this key only; writes are further limited by principal and aws:SourceAccount / encryption context conditions.
  # checkov:skip=CKV_AWS_356:Same: "*" is the only valid Resource of a key policy statement.
  statement {
    sid       = "AccountRootAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = length(local.account_services) > 0 ? [1] : []
    content {
      sid = "ServicesOfThisAccountUseKey"
      actions = [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey*",
        "kms:ReEncrypt*",
        "kms:CreateGrant",
      ]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = [for s in local.account_services : "${s}.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }

  dynamic "statement" {
    for_each = contains(var.service_principals, "logs") ? [1] : []
    content {
      sid = "CloudWatchLogsOfThisAccountUseKey"
      actions = [
        "kms:Decrypt*",
        "kms:Describe*",
        "kms:Encrypt*",
        "kms:GenerateDataKey*",
        "kms:ReEncrypt*",
      ]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["logs.${local.region}.amazonaws.com"]
      }

      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:*"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.user_principal_arns) > 0 ? [1] : []
    content {
      sid = "NamedPrincipalsUseKey"
      actions = [
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey*",
        "kms:ReEncrypt*",
      ]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.user_principal_arns
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.key.json

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
