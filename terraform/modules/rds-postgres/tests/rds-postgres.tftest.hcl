# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  # Computed values (addresses, ARNs) are the mocks' already at plan, so plan runs can
  # assert on them.
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
  master_password_wo         = "generated-by-the-root-0123456789abcdef"
}

run "secure_defaults" {
  command = plan

  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.kms_key_id == var.kms_key_arn && !aws_db_instance.this.publicly_accessible
    error_message = "Storage must be encrypted with the given key and the instance private."
  }

  assert {
    condition     = aws_db_instance.this.manage_master_user_password == null && aws_db_instance.this.password_wo_version == 1 && aws_db_instance.this.iam_database_authentication_enabled
    error_message = "The master password is the module's (write-only, version 1), never RDS-managed (blue/green updates and replicas refuse it); IAM auth on."
  }

  assert {
    condition     = aws_secretsmanager_secret.master.kms_key_id == var.kms_key_arn && aws_secretsmanager_secret_version.master.secret_string_wo_version == 1 && output.password_secret_value_from == "${aws_secretsmanager_secret.master.arn}:password::" && output.master_user_secret_arn == aws_secretsmanager_secret.master.arn
    error_message = "The module keeps the password in its own encrypted secret; PGPASSWORD comes from it in the ECS valueFrom shape."
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
    condition     = length(aws_db_instance.replica) == 0 && length(aws_cloudwatch_metric_alarm.replica_lag) == 0 && output.database_read_url_without_password == null
    error_message = "No replica, no lag alarm, no DATABASE_READ_URL."
  }
}

run "read_replica_when_asked" {
  command = plan

  variables {
    read_replica   = true
    instance_class = "db.t4g.medium"
    alarm_actions  = ["arn:aws:sns:eu-west-1:123456789012:corpus-test-alarms"]
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
    condition     = aws_db_instance.this.manage_master_user_password == null && aws_db_instance.replica[0].manage_master_user_password == null && output.password_secret_value_from == "${aws_secretsmanager_secret.master.arn}:password::"
    error_message = "RDS cannot replicate an instance whose password it manages: the module's secret, in the same valueFrom shape (the replica has the primary's password)."
  }

  assert {
    condition     = length(aws_db_instance.this.blue_green_update) == 0 && !aws_db_instance.this.allow_major_version_upgrade
    error_message = "No blue/green updates with a replica, and so no major version change."
  }
}

run "a_password_is_required" {
  command = plan

  variables {
    master_password_wo = null
  }

  expect_failures = [var.master_password_wo]
}

run "in_place_updates_by_default" {
  command = plan

  assert {
    condition     = length(aws_db_instance.this.blue_green_update) == 0 && !aws_db_instance.this.allow_major_version_upgrade
    error_message = "Without blue_green_update: no blue/green block, and RDS refuses a major version change rather than upgrading in place."
  }
}

run "blue_green_update_when_asked" {
  command = plan

  variables {
    blue_green_update = true
  }

  assert {
    condition     = length(aws_db_instance.this.blue_green_update) == 1 && aws_db_instance.this.blue_green_update[0].enabled
    error_message = "blue_green_update must turn on the instance's blue/green (low-downtime) updates."
  }

  assert {
    condition     = aws_db_instance.this.allow_major_version_upgrade && aws_db_instance.this.backup_retention_period >= 1 && aws_db_instance.this.manage_master_user_password == null && aws_db_instance.this.timeouts.update == "4h"
    error_message = "Blue/green accepts major versions, needs backups and a self-managed master password, and gets 4 hours to run."
  }
}

run "blue_green_refused_with_a_replica" {
  command = plan

  variables {
    blue_green_update = true
    read_replica      = true
  }

  expect_failures = [var.blue_green_update]
}

run "logical_replication_for_major_blue_green" {
  command = plan

  assert {
    condition     = contains([for p in aws_db_parameter_group.this[0].parameter : "${p.name}=${p.value}/${coalesce(p.apply_method, "immediate")}"], "rds.logical_replication=1/pending-reboot")
    error_message = "A major-version blue/green deployment replicates logically: rds.logical_replication=1 (static, so pending-reboot)."
  }
}

run "parameter_family_follows_the_major_version" {
  command = plan

  variables {
    engine_version    = "17.4"
    blue_green_update = true
  }

  assert {
    condition     = aws_db_parameter_group.this[0].family == "postgres17" && startswith(aws_db_parameter_group.this[0].name_prefix, "corpus-test-pg17-") && aws_db_instance.this.engine_version == "17.4"
    error_message = "PostgreSQL 17.4 needs a postgres17 parameter group, named after its major version."
  }
}

run "parameter_family_of_a_major_only_version" {
  command = plan

  variables {
    engine_version = "15"
  }

  assert {
    condition     = aws_db_parameter_group.this[0].family == "postgres15" && startswith(aws_db_parameter_group.this[0].name_prefix, "corpus-test-pg15-")
    error_message = "engine_version \"15\" needs a postgres15 parameter group."
  }
}
