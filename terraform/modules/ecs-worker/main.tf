data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  full_name = "${var.name_prefix}-${var.service_name}"

  # Fargate by launch type unless a capacity provider strategy is given; a strategy with any
  # provider but FARGATE/FARGATE_SPOT (the cluster's EC2 group) needs EC2-compatible task
  # definitions and no Fargate platform version.
  on_ec2 = var.capacity_provider_strategy != null && anytrue([for s in coalesce(var.capacity_provider_strategy, []) : !contains(["FARGATE", "FARGATE_SPOT"], s.capacity_provider)])

  # ECS Exec's agent writes its state and logs under these two paths; the root file system
  # stays read-only, so they are task-scoped writable volumes.
  exec_volumes      = var.enable_execute_command ? { "ssm-lib" = "/var/lib/amazon/ssm", "ssm-log" = "/var/log/amazon/ssm" } : {}
  exec_mount_points = [for v, path in local.exec_volumes : { sourceVolume = v, containerPath = path, readOnly = false }]

  default_image     = "public.ecr.aws/docker/library/busybox:1.36"
  bootstrap_command = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 5; done"]
  command           = var.command != null ? var.command : (var.image == local.default_image ? local.bootstrap_command : null)

  environment = merge(var.environment, module.otel.environment)

  container_definition = merge(
    {
      name                   = var.service_name
      image                  = var.image
      essential              = true
      readonlyRootFilesystem = true
      environment            = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
      secrets                = [for k in sort(keys(var.secrets)) : { name = k, valueFrom = var.secrets[k] }]
      mountPoints            = concat([{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }], local.exec_mount_points)
      linuxParameters = {
        initProcessEnabled = true
      }
      # Time to finish the message in hand after SIGTERM (scale-in, deployments).
      stopTimeout = 120
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = var.service_name
        }
      }
    },
    local.command == null ? {} : { command = local.command },
    var.tracing ? { dependsOn = module.otel.depends_on } : {},
  )

  ssm_secrets = distinct([for v in values(var.secrets) : v if can(regex("^arn:aws[a-z-]*:ssm:", v))])
  sm_secrets  = distinct([for v in values(var.secrets) : join(":", slice(split(":", v), 0, 7)) if can(regex("^arn:aws[a-z-]*:secretsmanager:", v))])

  scaling_enabled = !var.emulator_compatible

  service_name = one(concat(aws_ecs_service.this[*].name, aws_ecs_service.emulator[*].name))
  service_id   = one(concat(aws_ecs_service.this[*].id, aws_ecs_service.emulator[*].id))
}

# Traces leave the task through an OpenTelemetry collector sidecar, to X-Ray.
module "otel" {
  source = "../otel-sidecar"

  enabled        = var.tracing
  image          = var.otel_collector_image
  log_group_name = aws_cloudwatch_log_group.this.name
  region         = data.aws_region.current.name
}

resource "aws_iam_role_policy" "tracing" {
  count = var.tracing ? 1 : 0

  name   = "tracing"
  role   = aws_iam_role.task.id
  policy = module.otel.policy_json
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name_prefix}/${var.service_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# IAM
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:ecs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = "${substr(local.full_name, 0, 26)}-exec-"
  description        = "ECS execution role of ${local.full_name}: pull image, write logs, read secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "PullOwnImages"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = var.ecr_repository_arns
    }
  }

  dynamic "statement" {
    # GetAuthorizationToken has no resource-level permissions (a registry login token only).
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(local.ssm_secrets) > 0 ? [1] : []

    content {
      sid       = "ReadOwnParameters"
      actions   = ["ssm:GetParameters"]
      resources = local.ssm_secrets
    }
  }

  dynamic "statement" {
    for_each = length(local.sm_secrets) > 0 ? [1] : []

    content {
      sid       = "ReadOwnSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.sm_secrets
    }
  }

  dynamic "statement" {
    for_each = length(var.secrets_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptOwnSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name_prefix        = "${substr(local.full_name, 0, 26)}-task-"
  description        = "Task role of ${local.full_name}: what the worker may call"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "task" {
  name   = "application"
  role   = aws_iam_role.task.id
  policy = var.task_role_policy_json
}

data "aws_iam_policy_document" "exec" {
  count = var.enable_execute_command ? 1 : 0

  statement {
    sid = "EcsExec"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    # The ssmmessages actions have no resource-level permissions.
    resources = ["*"]
  }

  # Sessions are encrypted with the cluster's ECS Exec key: the agent in the task decrypts.
  dynamic "statement" {
    for_each = var.exec_kms_key_arn == null ? [] : [var.exec_kms_key_arn]

    content {
      sid       = "EcsExecSessionKey"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }

  # Session transcripts go to the cluster's ECS Exec log group, written from the task.
  dynamic "statement" {
    for_each = var.exec_log_group_arn == null ? [] : [var.exec_log_group_arn]

    content {
      sid       = "EcsExecSessionLogs"
      actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
      resources = ["${statement.value}:*"]
    }
  }

  dynamic "statement" {
    # The agent lists the log groups before logging (DescribeLogGroups takes no single group).
    for_each = var.exec_log_group_arn == null ? [] : [1]

    content {
      sid       = "EcsExecFindLogGroup"
      actions   = ["logs:DescribeLogGroups"]
      resources = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*"]
    }
  }
}

resource "aws_iam_role_policy" "exec" {
  count = var.enable_execute_command ? 1 : 0

  name   = "ecs-exec"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.exec[0].json
}

# ---------------------------------------------------------------------------------------
# Security group: no inbound at all; egress only where the worker must go.
# ---------------------------------------------------------------------------------------

resource "aws_security_group" "this" {
  name_prefix = "${local.full_name}-"
  description = "Tasks of ${local.full_name}: no inbound, egress to AWS APIs, callbacks and the database"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = local.full_name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "internet" {
  for_each = toset([for p in var.egress_internet_ports : tostring(p)])

  security_group_id = aws_security_group.this.id
  description       = "TCP ${each.value} to AWS APIs, ECR and HTTPS callbacks"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

# Database access: the database's group lets exactly these tasks in, and these tasks may
# leave only towards it on that port. (count, not for_each: the IDs may be unknown at plan
# time.)
resource "aws_vpc_security_group_ingress_rule" "database_from_tasks" {
  count = length(var.database_security_group_ids)

  security_group_id            = var.database_security_group_ids[count.index]
  description                  = var.emulator_compatible ? null : "PostgreSQL from ${local.full_name} tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = aws_security_group.this.id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_database" {
  count = length(var.database_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = var.emulator_compatible ? null : "${local.full_name} tasks to PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = var.database_security_group_ids[count.index]

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "vpc" {
  for_each = toset([for p in var.egress_vpc_ports : tostring(p)])

  security_group_id = aws_security_group.this.id
  description       = "TCP ${each.value} inside the VPC"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = var.vpc_cidr_block

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# Task definition (bootstrap revision) and service: ECS rolling deployments with the
# circuit breaker rolling back a deployment whose tasks do not stay up.
# ---------------------------------------------------------------------------------------

resource "aws_ecs_task_definition" "bootstrap" {
  family                   = local.full_name
  requires_compatibilities = local.on_ec2 ? ["FARGATE", "EC2"] : ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(concat([local.container_definition], module.otel.container_definitions))

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  volume {
    name = "tmp"
  }

  dynamic "volume" {
    for_each = local.exec_volumes

    content {
      name = volume.key
    }
  }

  skip_destroy = true

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  # checkov:skip=CKV_AWS_332:platform_version is LATEST on Fargate (the default); it is left unset only with an EC2 capacity provider strategy, where no Fargate platform version exists.
  count = var.emulator_compatible ? 0 : 1

  name                    = var.service_name
  cluster                 = var.cluster_arn
  task_definition         = aws_ecs_task_definition.bootstrap.arn
  desired_count           = var.min_capacity
  launch_type             = var.capacity_provider_strategy == null ? "FARGATE" : null
  platform_version        = local.on_ec2 ? null : "LATEST"
  enable_execute_command  = var.enable_execute_command
  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"
  wait_for_steady_state   = false

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_controller {
    type = "ECS"
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.this.id]
    assign_public_ip = false
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.capacity_provider_strategy == null ? [] : var.capacity_provider_strategy

    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      weight            = capacity_provider_strategy.value.weight
      base              = capacity_provider_strategy.value.base
    }
  }

  tags = merge(var.tags, { Name = local.full_name })

  lifecycle {
    # The pipeline's ECS deploy action registers and rolls out new revisions; the
    # autoscaler owns the task count.
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_iam_role_policy.execution, aws_iam_role_policy.task]
}

# Identical to the service above, for the local emulator only: moto does not return
# availabilityZoneRebalancing, enableECSManagedTags or enableExecuteCommand, so this variant
# also ignores them (lifecycle blocks cannot be conditional).
resource "aws_ecs_service" "emulator" {
  count = var.emulator_compatible ? 1 : 0

  name                    = var.service_name
  cluster                 = var.cluster_arn
  task_definition         = aws_ecs_task_definition.bootstrap.arn
  desired_count           = var.min_capacity
  launch_type             = var.capacity_provider_strategy == null ? "FARGATE" : null
  platform_version        = local.on_ec2 ? null : "LATEST"
  enable_execute_command  = var.enable_execute_command
  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"
  wait_for_steady_state   = false

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_controller {
    type = "ECS"
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.this.id]
    assign_public_ip = false
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.capacity_provider_strategy == null ? [] : var.capacity_provider_strategy

    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      weight            = capacity_provider_strategy.value.weight
      base              = capacity_provider_strategy.value.base
    }
  }

  tags = merge(var.tags, { Name = local.full_name })

  lifecycle {
    ignore_changes = [task_definition, desired_count, availability_zone_rebalancing, enable_ecs_managed_tags, enable_execute_command]
  }

  depends_on = [aws_iam_role_policy.execution, aws_iam_role_policy.task]
}

# ---------------------------------------------------------------------------------------
# Scaling on queue depth: step scaling out on ApproximateNumberOfMessagesVisible, back
# to min_capacity once the queue (visible + in flight) has been empty for a while.
# ---------------------------------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  # The emulator's Application Auto Scaling has no tagging API, which the provider needs.
  count = local.scaling_enabled ? 1 : 0

  service_namespace  = "ecs"
  resource_id        = "service/${var.cluster_name}/${local.service_name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.max_capacity >= var.min_capacity
      error_message = "max_capacity must be greater than or equal to min_capacity."
    }
  }
}

resource "aws_appautoscaling_policy" "scale_out" {
  count = local.scaling_enabled ? 1 : 0

  name               = "${local.full_name}-queue-backlog"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 60
    metric_aggregation_type = "Maximum"

    dynamic "step_adjustment" {
      for_each = var.scale_out_steps

      content {
        # Bounds are relative to the alarm threshold (the first step).
        metric_interval_lower_bound = step_adjustment.value - var.scale_out_steps[0]
        metric_interval_upper_bound = step_adjustment.key + 1 < length(var.scale_out_steps) ? var.scale_out_steps[step_adjustment.key + 1] - var.scale_out_steps[0] : null
        scaling_adjustment          = step_adjustment.key + 1
      }
    }
  }
}

resource "aws_appautoscaling_policy" "scale_in" {
  count = local.scaling_enabled ? 1 : 0

  name               = "${local.full_name}-queue-empty"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ExactCapacity"
    cooldown                = 300
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_upper_bound = 0
      scaling_adjustment          = var.min_capacity
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "backlog" {
  count = local.scaling_enabled ? 1 : 0

  alarm_name          = "${local.full_name}-queue-backlog"
  alarm_description   = "Messages waiting in ${var.queue_name}: scale ${local.full_name} out."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.scale_out_steps[0]
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    QueueName = var.queue_name
  }

  alarm_actions = [aws_appautoscaling_policy.scale_out[0].arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "empty" {
  count = local.scaling_enabled ? 1 : 0

  alarm_name          = "${local.full_name}-queue-empty"
  alarm_description   = "${var.queue_name} empty (nothing visible or in flight) for ${var.scale_in_empty_minutes} minutes: scale ${local.full_name} in."
  evaluation_periods  = var.scale_in_empty_minutes
  threshold           = 0
  comparison_operator = "LessThanOrEqualToThreshold"
  treat_missing_data  = "breaching"

  metric_query {
    id          = "total"
    expression  = "visible + inflight"
    label       = "Messages visible or in flight"
    return_data = true
  }

  metric_query {
    id = "visible"

    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      stat        = "Maximum"
      period      = 60
      dimensions  = { QueueName = var.queue_name }
    }
  }

  metric_query {
    id = "inflight"

    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesNotVisible"
      stat        = "Maximum"
      period      = 60
      dimensions  = { QueueName = var.queue_name }
    }
  }

  alarm_actions = [aws_appautoscaling_policy.scale_in[0].arn]

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# Per-worker alarms
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${local.full_name}-cpu-high"
  alarm_description   = "${local.full_name} average CPU above 85% for 10 minutes."
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 10
  threshold           = 85
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    ClusterName = var.cluster_name
    ServiceName = local.service_name
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "memory" {
  alarm_name          = "${local.full_name}-memory-high"
  alarm_description   = "${local.full_name} average memory above 85% for 5 minutes."
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  threshold           = 85
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    ClusterName = var.cluster_name
    ServiceName = local.service_name
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}
