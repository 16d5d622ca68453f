module "key" {
  source = "../kms-key"

  name                = var.key_name
  description         = "Terraform state and state locks"
  service_principals  = ["s3", "dynamodb"]
  user_principal_arns = var.state_reader_arns
  tags                = var.tags
}

data "aws_iam_policy_document" "state" {
  count = length(var.state_reader_arns) > 0 ? 1 : 0

  statement {
    sid       = "DeployersListState"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::${var.bucket_name}"]

    principals {
      type        = "AWS"
      identifiers = var.state_reader_arns
    }
  }

  statement {
    sid       = "DeployersReadWriteState"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:aws:s3:::${var.bucket_name}/*"]

    principals {
      type        = "AWS"
      identifiers = var.state_reader_arns
    }
  }
}

# State is never expired: every version is kept for a year so a broken apply can be undone.
module "bucket" {
  source = "../s3-bucket"

  name              = var.bucket_name
  kms_key_arn       = module.key.key_arn
  versioning        = true
  tls_only_policy   = var.tls_only_policy
  policy_statements = [for d in data.aws_iam_policy_document.state : d.json]
  lifecycle_rules = [{
    id                                 = "keep-state-history"
    noncurrent_version_expiration_days = 365
  }]
  tags = var.tags
}

resource "aws_dynamodb_table" "lock" {
  name                        = var.lock_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "LockID"
  deletion_protection_enabled = true

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = module.key.key_arn
  }

  tags = merge(var.tags, { Name = var.lock_table_name })
}
