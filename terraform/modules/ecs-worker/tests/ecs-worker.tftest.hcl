# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/corpus-test-ingest-worker" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/corpus-test/ingest-worker" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/corpus-test-ingest-worker:1" }
  }
  mock_resource "aws_ecs_service" {
    defaults = { id = "arn:aws:ecs:eu-west-1:123456789012:service/corpus-test/ingest-worker" }
  }
  mock_resource "aws_appautoscaling_policy" {
    defaults = { arn = "arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:00000000-0000-0000-0000-000000000000:resource/ecs/service/corpus-test/ingest-worker:policyName/queue" }
  }
}

variables {
  name_prefix           = "corpus-test"
  service_name          = "ingest-worker"
  cluster_name          = "corpus-test"
  cluster_arn           = "arn:aws:ecs:eu-west-1:123456789012:cluster/corpus-test"
  vpc_id                = "vpc-0123456789abcdef0"
  vpc_cidr_block        = "10.20.0.0/16"
  subnet_ids            = ["subnet-aaaa", "subnet-bbbb"]
  task_role_policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:ReceiveMessage\",\"Resource\":\"arn:aws:sqs:eu-west-1:123456789012:corpus-test-ingest\"}]}"
  queue_name            = "corpus-test-ingest"
  log_kms_key_arn       = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  command               = ["work"]
  image                 = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/corpus/ingest:abc123"
}

run "queue_scaling_and_rolling_deployments" {
  command = apply

  assert {
    condition     = aws_ecs_service.this[0].deployment_controller[0].type == "ECS" && aws_ecs_service.this[0].deployment_circuit_breaker[0].rollback
    error_message = "Rolling deployments with the circuit breaker rolling back."
  }

  assert {
    condition     = length(aws_ecs_service.this[0].load_balancer) == 0
    error_message = "The worker has no load balancer."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.backlog[0].metric_name == "ApproximateNumberOfMessagesVisible" && aws_cloudwatch_metric_alarm.backlog[0].dimensions.QueueName == "corpus-test-ingest"
    error_message = "Scale-out is driven by the queue's visible messages."
  }

  assert {
    condition     = [for s in aws_appautoscaling_policy.scale_out[0].step_scaling_policy_configuration[0].step_adjustment : s.scaling_adjustment] == [1, 2, 3]
    error_message = "Each backlog step adds one more task."
  }

  assert {
    condition     = aws_iam_role_policy.task.policy == var.task_role_policy_json
    error_message = "The task role holds exactly the given policy."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].command == ["work"]
    error_message = "The worker runs the given command."
  }
}

run "traces_leave_through_the_collector_sidecar" {
  command = plan

  assert {
    condition     = [for c in jsondecode(aws_ecs_task_definition.bootstrap.container_definitions) : c.name][1] == "otel-collector"
    error_message = "The task runs the OpenTelemetry collector next to the application."
  }

  assert {
    condition     = contains([for e in jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].environment : "${e.name}=${e.value}"], "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318")
    error_message = "The application exports its traces to the sidecar."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].dependsOn[0].containerName == "otel-collector"
    error_message = "The application starts after the collector."
  }

  assert {
    condition     = length(aws_iam_role_policy.tracing) == 1 && aws_iam_role_policy.tracing[0].name == "tracing"
    error_message = "The task role gets the collector's X-Ray policy (its content: ../otel-sidecar's test)."
  }
}

run "tracing_off" {
  command = plan

  variables {
    tracing = false
  }

  assert {
    condition     = length(jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)) == 1 && length(aws_iam_role_policy.tracing) == 0
    error_message = "Without tracing, no sidecar and no X-Ray permission."
  }
}

run "ecs_exec_encrypted_and_logged_without_ssh" {
  command = plan

  variables {
    exec_kms_key_arn   = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    exec_log_group_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/corpus-test/exec"
  }

  assert {
    condition     = aws_ecs_service.this[0].enable_execute_command
    error_message = "ECS Exec is on by default."
  }

  assert {
    condition     = data.aws_iam_policy_document.exec[0].statement[0].actions == toset(["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]) && aws_iam_role_policy.exec[0].name == "ecs-exec"
    error_message = "The task role has the ssmmessages channels ECS Exec needs."
  }

  assert {
    condition     = data.aws_iam_policy_document.exec[0].statement[1].actions == toset(["kms:Decrypt"]) && data.aws_iam_policy_document.exec[0].statement[1].resources == toset([var.exec_kms_key_arn])
    error_message = "The task role decrypts sessions with the cluster's ECS Exec key only."
  }

  assert {
    condition     = data.aws_iam_policy_document.exec[0].statement[2].resources == toset(["${var.exec_log_group_arn}:*"]) && contains(data.aws_iam_policy_document.exec[0].statement[2].actions, "logs:PutLogEvents")
    error_message = "Session transcripts go to the cluster's ECS Exec log group."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].readonlyRootFilesystem && toset([for m in jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].mountPoints : m.containerPath]) == toset(["/tmp", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"])
    error_message = "The root file system stays read-only; the exec agent writes to its own volumes."
  }
}

run "ecs_exec_off" {
  command = plan

  variables {
    enable_execute_command = false
  }

  assert {
    condition     = !aws_ecs_service.this[0].enable_execute_command && length(aws_iam_role_policy.exec) == 0 && length(jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].mountPoints) == 1
    error_message = "Without ECS Exec: no ssmmessages permissions, no agent volumes."
  }
}

run "fargate_by_default" {
  command = plan

  assert {
    condition     = aws_ecs_service.this[0].launch_type == "FARGATE" && aws_ecs_service.this[0].platform_version == "LATEST" && length(aws_ecs_service.this[0].capacity_provider_strategy) == 0 && aws_ecs_task_definition.bootstrap.requires_compatibilities == toset(["FARGATE"])
    error_message = "Without a capacity provider strategy the service runs on Fargate."
  }
}

run "ec2_capacity_provider_when_asked" {
  command = plan

  variables {
    capacity_provider_strategy = [{ capacity_provider = "corpus-test-ec2", base = 1 }]
  }

  assert {
    condition     = one(aws_ecs_service.this[0].capacity_provider_strategy).capacity_provider == "corpus-test-ec2" && one(aws_ecs_service.this[0].capacity_provider_strategy).weight == 1 && one(aws_ecs_service.this[0].capacity_provider_strategy).base == 1
    error_message = "A strategy naming the cluster's EC2 capacity provider places the service (launch type and platform version left unset)."
  }

  assert {
    condition     = aws_ecs_task_definition.bootstrap.requires_compatibilities == toset(["FARGATE", "EC2"]) && aws_ecs_task_definition.bootstrap.network_mode == "awsvpc"
    error_message = "The task definition becomes EC2-compatible (awsvpc: the tasks keep their own security group)."
  }
}

run "refuses_an_unnamed_capacity_provider" {
  command = plan

  variables {
    capacity_provider_strategy = [{ capacity_provider = "" }]
  }

  expect_failures = [var.capacity_provider_strategy]
}
