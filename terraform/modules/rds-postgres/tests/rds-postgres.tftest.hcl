# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/corpus-test-rds-mon" }
  }
}

variables {
  identifier                 = "corpus-test"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-aaaa", "subnet-bbbb"]
  allowed_security_group_ids = ["sg-0aaaaaaaaaaaaaaaa"]
  kms_key_arn                = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000001"
  log_kms_key_arn            = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000002"
}

run "secure_defaults" {
  command = apply

  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.kms_key_id == var.kms_key_arn && !aws_db_instance.this.publicly_accessible
    error_message = "Storage must be encrypted with the given key and the instance private."
  }

  assert {
    condition     = aws_db_instance.this.manage_master_user_password && aws_db_instance.this.iam_database_authentication_enabled
    error_message = "The master password must be managed by RDS; IAM auth on."
  }

  assert {
    condition     = aws_db_instance.this.multi_az && aws_db_instance.this.deletion_protection && !aws_db_instance.this.skip_final_snapshot && aws_db_instance.this.backup_retention_period >= 7
    error_message = "Multi-AZ, deletion protection, final snapshot and 7 days of backups by default."
  }

  assert {
    condition     = aws_db_instance.this.performance_insights_enabled && aws_db_instance.this.performance_insights_kms_key_id == var.kms_key_arn
    error_message = "Performance Insights must be on, with the KMS key."
  }

  assert {
    condition     = contains([for p in aws_db_parameter_group.this[0].parameter : "${p.name}=${p.value}"], "rds.force_ssl=1")
    error_message = "The parameter group must force TLS."
  }

  assert {
    condition     = length(aws_vpc_security_group_ingress_rule.postgres) == 1 && aws_vpc_security_group_ingress_rule.postgres[0].from_port == 5432 && aws_vpc_security_group_ingress_rule.postgres[0].referenced_security_group_id == "sg-0aaaaaaaaaaaaaaaa"
    error_message = "5432 only from the given task groups."
  }

  assert {
    condition     = aws_db_instance.this.copy_tags_to_snapshot && aws_db_instance.this.auto_minor_version_upgrade
    error_message = "Copy tags to snapshots and auto minor upgrades."
  }
}

run "rejects_postgres_14" {
  command = plan

  variables {
    engine_version = "14.10"
  }

  expect_failures = [var.engine_version]
}

run "windows_from_settings" {
  command = plan

  variables {
    backup_window      = "04:00-05:00"
    maintenance_window = "sun:05:30-sun:06:30"
  }

  assert {
    condition     = aws_db_instance.this.backup_window == "04:00-05:00" && aws_db_instance.this.maintenance_window == "sun:05:30-sun:06:30"
    error_message = "The backup and maintenance windows must come from the settings."
  }
}

run "malformed_windows_refused" {
  command = plan

  variables {
    backup_window      = "4am-5am"
    maintenance_window = "Sunday 05:30"
  }

  expect_failures = [var.backup_window, var.maintenance_window]
}
