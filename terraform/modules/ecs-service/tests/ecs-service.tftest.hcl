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
    defaults = { arn = "arn:aws:iam::123456789012:role/corpus-test-documents" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/corpus-test/documents" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/corpus-test-documents/0123456789abcdef"
      arn_suffix = "targetgroup/corpus-test-documents/0123456789abcdef"
    }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/corpus-test-documents:1" }
  }
  mock_resource "aws_ecs_service" {
    defaults = { id = "arn:aws:ecs:eu-west-1:123456789012:service/corpus-test/documents" }
  }
  mock_resource "aws_appautoscaling_policy" {
    defaults = { arn = "arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:00000000-0000-0000-0000-000000000000:resource/ecs/service/corpus-test/documents:policyName/cpu" }
  }
}

variables {
  name_prefix            = "corpus-test"
  service_name           = "documents"
  cluster_name           = "corpus-test"
  cluster_arn            = "arn:aws:ecs:eu-west-1:123456789012:cluster/corpus-test"
  vpc_id                 = "vpc-0123456789abcdef0"
  vpc_cidr_block         = "10.20.0.0/16"
  subnet_ids             = ["subnet-aaaa", "subnet-bbbb"]
  alb_security_group_id  = "sg-0aaaaaaaaaaaaaaaa"
  alb_arn_suffix         = "app/corpus-test/0123456789abcdef"
  prod_listener_arn      = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/corpus-test/0123456789abcdef/1111111111111111"
  test_listener_arn      = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/corpus-test/0123456789abcdef/2222222222222222"
  listener_rule_priority = 100
  base_path              = "/api/documents"
  log_kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  secrets = {
    PGPASSWORD = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbCdEf:password::"
  }
  environment                 = { RUST_LOG = "info" }
  database_security_group_ids = ["sg-0bbbbbbbbbbbbbbbb"]
}

run "blue_green_wiring" {
  command = apply

  assert {
    condition     = aws_ecs_service.this[0].deployment_controller[0].type == "CODE_DEPLOY" && length(aws_ecs_service.emulator) == 0
    error_message = "The service must be deployed by CodeDeploy."
  }

  assert {
    condition     = aws_lb_target_group.this["blue"].health_check[0].path == "/api/documents/healthz" && aws_lb_target_group.this["green"].target_type == "ip"
    error_message = "Both target groups must be ip targets checked on <base_path>/healthz."
  }

  assert {
    condition     = contains(tolist(aws_lb_listener_rule.prod.condition)[0].path_pattern[0].values, "/api/documents/*") && aws_lb_listener_rule.test.listener_arn == var.test_listener_arn
    error_message = "The service needs a path rule on the prod and on the test listener."
  }

  assert {
    condition     = aws_codedeploy_deployment_group.this.deployment_style[0].deployment_type == "BLUE_GREEN" && aws_codedeploy_deployment_group.this.deployment_style[0].deployment_option == "WITH_TRAFFIC_CONTROL"
    error_message = "The deployment group must be BLUE_GREEN WITH_TRAFFIC_CONTROL."
  }

  assert {
    condition     = toset(aws_codedeploy_deployment_group.this.auto_rollback_configuration[0].events) == toset(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"])
    error_message = "Rollback on failure and on alarm."
  }

  assert {
    condition     = length(aws_codedeploy_deployment_group.this.alarm_configuration[0].alarms) == 4
    error_message = "CodeDeploy must watch the 5xx and latency alarms of both target groups."
  }

  assert {
    condition     = aws_codedeploy_deployment_group.this.blue_green_deployment_config[0].terminate_blue_instances_on_deployment_success[0].termination_wait_time_in_minutes == 5
    error_message = "The blue task set must wait before termination."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.from_alb.referenced_security_group_id == var.alb_security_group_id && aws_vpc_security_group_ingress_rule.from_alb.from_port == 8000
    error_message = "Only the container port, only from the load balancer."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.database_from_tasks[0].security_group_id == "sg-0bbbbbbbbbbbbbbbb" && aws_vpc_security_group_ingress_rule.database_from_tasks[0].from_port == 5432
    error_message = "The tasks must be admitted on 5432 in the database's group."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].name == "documents" && jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].secrets[0].name == "PGPASSWORD"
    error_message = "The container is named after the service and gets secrets as ECS secrets."
  }

  assert {
    condition     = !contains([for e in jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].environment : e.name], "PGPASSWORD")
    error_message = "Secrets must never appear as plain environment variables."
  }

  assert {
    condition     = aws_appautoscaling_policy.cpu[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization"
    error_message = "The service scales on CPU."
  }
}

run "emulator_variant" {
  command = apply

  variables {
    emulator_compatible = true
  }

  assert {
    condition     = length(aws_ecs_service.this) == 0 && aws_ecs_service.emulator[0].deployment_controller[0].type == "CODE_DEPLOY"
    error_message = "The emulator twin must still be a CODE_DEPLOY service."
  }

  assert {
    condition     = length(aws_appautoscaling_target.this) == 0
    error_message = "Autoscaling is skipped against the emulator."
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
