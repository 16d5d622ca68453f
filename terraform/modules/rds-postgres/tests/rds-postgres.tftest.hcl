# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  # Computed values (addresses, ARNs) are the mocks' already at plan: the module takes an
  # ephemeral input (the replica's master password), which apply runs of the test framework
  # cannot carry.
  override_during = plan

  mock_resource "aws_db_instance" {
    defaults = { address = "corpus-test.abcdefghijkl.eu-west-1.rds.amazonaws.com", port = 5432 }
  }
  mock_resource "aws_db_parameter_group" {
    defaults = { name = "corpus-test-pg16-20261202" }
  }
  mock_resource "aws_security_group" {
    defaults = { id = "sg-0cccccccccccccccc" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:corpus-test-master-AbCdEf" }
  }
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
  command = plan

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

run "no_replica_by_default" {
  command = plan

  assert {
    condition     = length(aws_db_instance.replica) == 0 && length(aws_cloudwatch_metric_alarm.replica_lag) == 0 && output.database_read_url_without_password == null && length(aws_secretsmanager_secret.master) == 0
    error_message = "No replica, no lag alarm, no DATABASE_READ_URL, RDS keeps managing the password."
  }
}

run "read_replica_when_asked" {
  command = plan

  variables {
    read_replica       = true
    instance_class     = "db.t4g.medium"
    master_password_wo = "generated-by-the-root-0123456789abcdef"
    alarm_actions      = ["arn:aws:sns:eu-west-1:123456789012:corpus-test-alarms"]
  }

  assert {
    condition     = aws_db_instance.replica[0].replicate_source_db == aws_db_instance.this.identifier && aws_db_instance.replica[0].identifier == "corpus-test-replica" && aws_db_instance.replica[0].instance_class == "db.t4g.medium"
    error_message = "A replica of the primary, named <identifier>-replica, of the primary's class by default."
  }

  assert {
    condition     = aws_db_instance.replica[0].storage_encrypted && aws_db_instance.replica[0].kms_key_id == var.kms_key_arn && !aws_db_instance.replica[0].publicly_accessible && aws_db_instance.replica[0].vpc_security_group_ids == toset([aws_security_group.this.id]) && aws_db_instance.replica[0].parameter_group_name == aws_db_instance.this.parameter_group_name
    error_message = "The replica is encrypted with the same key, private, behind the same security group, with the same parameters (TLS forced)."
  }

  assert {
    condition     = output.database_read_url_without_password == "postgres://${aws_db_instance.this.username}@${aws_db_instance.replica[0].address}:${aws_db_instance.replica[0].port}/${aws_db_instance.this.db_name}?sslmode=require"
    error_message = "DATABASE_READ_URL has the shape of DATABASE_URL, on the replica's address."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.replica_lag[0].metric_name == "ReplicaLag" && aws_cloudwatch_metric_alarm.replica_lag[0].dimensions.DBInstanceIdentifier == "corpus-test-replica" && aws_cloudwatch_metric_alarm.replica_lag[0].threshold == 30 && aws_cloudwatch_metric_alarm.replica_lag[0].alarm_actions == toset(var.alarm_actions)
    error_message = "Replica lag above 30 s alarms to the topic."
  }

  assert {
    condition     = aws_db_instance.this.manage_master_user_password != true && aws_db_instance.this.password_wo_version == 1 && aws_secretsmanager_secret.master[0].kms_key_id == var.kms_key_arn && aws_secretsmanager_secret_version.master[0].secret_string_wo_version == 1
    error_message = "RDS cannot replicate an instance whose password it manages: the module keeps it in its own encrypted secret."
  }

  assert {
    condition     = output.password_secret_value_from == "${aws_secretsmanager_secret.master[0].arn}:password::"
    error_message = "PGPASSWORD comes from the module's secret, in the same valueFrom shape."
  }
}

run "a_replica_needs_a_password" {
  command = plan

  variables {
    read_replica = true
  }

  expect_failures = [var.master_password_wo]
}
