# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { value = "ami-0123456789abcdef0" }
  }
  mock_resource "aws_iam_instance_profile" {
    defaults = { arn = "arn:aws:iam::123456789012:instance-profile/corpus-test-ec2" }
  }
  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0" }
  }
  mock_resource "aws_autoscaling_group" {
    defaults = { arn = "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/corpus-test-ec2" }
  }
}

variables {
  name            = "corpus-test"
  log_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "fargate_by_default" {
  command = apply

  assert {
    condition     = one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]) == "enabled"
    error_message = "Container Insights must be on."
  }

  assert {
    condition     = toset(aws_ecs_cluster_capacity_providers.this.capacity_providers) == toset(["FARGATE", "FARGATE_SPOT"]) && length(aws_autoscaling_group.ec2) == 0
    error_message = "Fargate and Fargate Spot only, unless EC2 capacity is asked for."
  }

  assert {
    condition     = aws_ecs_cluster.this.configuration[0].execute_command_configuration[0].kms_key_id == var.log_kms_key_arn && aws_ecs_cluster.this.configuration[0].execute_command_configuration[0].logging == "OVERRIDE" && aws_ecs_cluster.this.configuration[0].execute_command_configuration[0].log_configuration[0].cloud_watch_encryption_enabled && aws_ecs_cluster.this.configuration[0].execute_command_configuration[0].log_configuration[0].cloud_watch_log_group_name == "/ecs/corpus-test/exec"
    error_message = "ECS Exec sessions are KMS-encrypted and logged to the cluster's encrypted log group."
  }

  assert {
    condition     = aws_cloudwatch_log_group.exec.kms_key_id == var.log_kms_key_arn && output.exec_kms_key_arn == var.log_kms_key_arn
    error_message = "The exec log group is encrypted with the session key, which the services get."
  }
}

run "optional_ec2_capacity" {
  command = apply

  variables {
    enable_ec2_capacity = true
    vpc_id              = "vpc-0123456789abcdef0"
    subnet_ids          = ["subnet-aaaa", "subnet-bbbb"]
  }

  assert {
    condition     = aws_autoscaling_group.ec2[0].min_size == 2 && aws_autoscaling_group.ec2[0].max_size == 4
    error_message = "The auto-scaling group runs 2 to 4 instances."
  }

  assert {
    condition     = aws_launch_template.ec2[0].metadata_options[0].http_tokens == "required" && aws_launch_template.ec2[0].block_device_mappings[0].ebs[0].encrypted == "true"
    error_message = "IMDSv2 only and encrypted EBS."
  }

  assert {
    condition     = length(aws_ecs_cluster_capacity_providers.this.capacity_providers) == 3
    error_message = "The EC2 capacity provider joins the cluster."
  }

  assert {
    condition     = contains(aws_ecs_cluster_capacity_providers.this.capacity_providers, "corpus-test-ec2") && aws_ecs_capacity_provider.ec2[0].auto_scaling_group_provider[0].auto_scaling_group_arn == aws_autoscaling_group.ec2[0].arn
    error_message = "The auto-scaling group is attached to the cluster through its capacity provider."
  }

  assert {
    condition     = aws_ecs_capacity_provider.ec2[0].auto_scaling_group_provider[0].managed_scaling[0].status == "ENABLED" && aws_ecs_capacity_provider.ec2[0].auto_scaling_group_provider[0].managed_termination_protection == "ENABLED" && aws_autoscaling_group.ec2[0].protect_from_scale_in
    error_message = "ECS manages the group's scaling and never terminates an instance running tasks."
  }

  assert {
    condition     = one(aws_ecs_cluster_capacity_providers.this.default_capacity_provider_strategy).capacity_provider == "FARGATE" && output.ec2_capacity_provider_name == "corpus-test-ec2"
    error_message = "Fargate stays the cluster's default; services opt into EC2 by name."
  }
}
