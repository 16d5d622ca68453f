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

  # Target group names are limited to 32 characters.
  tg_base = trimsuffix(substr(local.full_name, 0, 26), "-")

  health_check_path = coalesce(var.health_check_path, "${var.base_path}/healthz")

  default_image = "public.ecr.aws/docker/library/busybox:1.36"

  # The bootstrap revision answers 200 on the health check path until the pipeline ships the
  # real image, so the service, its target group and the first blue/green deployment work.
  bootstrap_command = [
    "sh", "-c",
    "mkdir -p \"/tmp/www$${BASE_PATH}\" && echo ok > \"/tmp/www$${BASE_PATH}/healthz\" && exec httpd -f -v -p \"$${PORT}\" -h /tmp/www",
  ]
  command = var.command != null ? var.command : (var.image == local.default_image ? local.bootstrap_command : null)

  environment = merge(var.environment, module.otel.environment, {
    PORT      = tostring(var.container_port)
    BASE_PATH = var.base_path
  })

  container_definition = merge(
    {
      name                   = var.service_name
      image                  = var.image
      essential              = true
      readonlyRootFilesystem = true
      portMappings = [{
        name          = var.service_name
        containerPort = var.container_port
        hostPort      = var.container_port
        protocol      = "tcp"
        appProtocol   = "http"
      }]
      environment = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
      secrets     = [for k in sort(keys(var.secrets)) : { name = k, valueFrom = var.secrets[k] }]
      mountPoints = concat([{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }], local.exec_mount_points)
      linuxParameters = {
        initProcessEnabled = true
      }
      stopTimeout = 30
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

  service_name = one(concat(aws_ecs_service.this[*].name, aws_ecs_service.emulator[*].name))
  service_id   = one(concat(aws_ecs_service.this[*].id, aws_ecs_service.emulator[*].id))

  # The emulator drops descriptions of rules that reference a security group (a perpetual
  # diff there), so they are left out against it only.
  describe_sg_refs = !var.emulator_compatible

  target_groups = {
    blue  = "${local.tg_base}-blue"
    green = "${local.tg_base}-green"
  }
}

# ---------------------------------------------------------------------------------------
# Logs
# ---------------------------------------------------------------------------------------

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
# IAM: an execution role (pull the image, write logs, read the secrets) and a task role
# (what the application may do: only the policy given as input).
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
      sid = "PullOwnImages"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
      ]
      resources = var.ecr_repository_arns
    }
  }

  dynamic "statement" {
    # GetAuthorizationToken has no resource-level permissions: it only returns a registry
    # login token; what may be pulled is limited by the statement above.
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length([for v in values(var.secrets) : v if can(regex("^arn:aws[a-z-]*:ssm:", v))]) > 0 ? [1] : []

    content {
      sid       = "ReadOwnParameters"
      actions   = ["ssm:GetParameters"]
      resources = distinct([for v in values(var.secrets) : v if can(regex("^arn:aws[a-z-]*:ssm:", v))])
    }
  }

  dynamic "statement" {
    for_each = length([for v in values(var.secrets) : v if can(regex("^arn:aws[a-z-]*:secretsmanager:", v))]) > 0 ? [1] : []

    content {
      sid     = "ReadOwnSecrets"
      actions = ["secretsmanager:GetSecretValue"]
      # valueFrom may carry a :json-key:version-stage:version-id suffix; the policy needs
      # the secret ARN itself (arn:...:secret:name-XXXXXX, 7 colon-separated fields).
      resources = distinct([for v in values(var.secrets) : join(":", slice(split(":", v), 0, 7)) if can(regex("^arn:aws[a-z-]*:secretsmanager:", v))])
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
  description        = "Task role of ${local.full_name}: what the application may call"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "task" {
  count = var.task_role_policy_json != null ? 1 : 0

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
# Security group: the container port from the load balancer's group, nothing else inbound.
# ---------------------------------------------------------------------------------------

resource "aws_security_group" "this" {
  name_prefix = "${local.full_name}-"
  description = "Tasks of ${local.full_name}: container port from the load balancer only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = local.full_name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "from_alb" {
  security_group_id            = aws_security_group.this.id
  description                  = local.describe_sg_refs ? "Container port from the load balancer" : null
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = var.alb_security_group_id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "alb_to_service" {
  security_group_id            = var.alb_security_group_id
  description                  = local.describe_sg_refs ? "Load balancer to ${local.full_name} container port (traffic and health checks)" : null
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.this.id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "internet" {
  for_each = toset([for p in var.egress_internet_ports : tostring(p)])

  security_group_id = aws_security_group.this.id
  description       = "TCP ${each.value} to AWS APIs, ECR and HTTPS endpoints"
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
  description                  = local.describe_sg_refs ? "PostgreSQL from ${local.full_name} tasks" : null
  ip_protocol                  = "tcp"
  from_port                    = var.database_port
  to_port                      = var.database_port
  referenced_security_group_id = aws_security_group.this.id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_database" {
  count = length(var.database_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = local.describe_sg_refs ? "${local.full_name} tasks to PostgreSQL" : null
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
# Target groups and listener rules (plain resources, so they can ignore what CodeDeploy
# owns). Each rule starts forwarding to blue; CodeDeploy rewrites the whole action on
# every deployment (and leaves the idle target group in it at weight 0), so the entire
# action is ignored, not just its target group.
# ---------------------------------------------------------------------------------------

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS terminates at the load balancer (TLS 1.3 policy); targets are private Fargate tasks reachable only from the load balancer's security group, and the services speak plain HTTP on PORT by contract.
  for_each = local.target_groups

  name                 = each.value
  vpc_id               = var.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  protocol_version     = "HTTP1"
  port                 = var.container_port
  deregistration_delay = var.deregistration_delay

  health_check {
    enabled             = true
    protocol            = "HTTP"
    path                = local.health_check_path
    port                = "traffic-port"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = merge(var.tags, { Name = each.value, Color = each.key })
}

resource "aws_lb_listener_rule" "prod" {
  listener_arn = var.prod_listener_arn
  priority     = var.listener_rule_priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["blue"].arn
  }

  condition {
    path_pattern {
      values = [var.base_path, "${var.base_path}/*"]
    }
  }

  tags = merge(var.tags, { Name = "${local.full_name}-prod" })

  lifecycle {
    # CodeDeploy owns the action: it swaps blue/green on every deployment.
    ignore_changes = [action]
  }
}

resource "aws_lb_listener_rule" "test" {
  listener_arn = var.test_listener_arn
  priority     = var.listener_rule_priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["blue"].arn
  }

  condition {
    path_pattern {
      values = [var.base_path, "${var.base_path}/*"]
    }
  }

  tags = merge(var.tags, { Name = "${local.full_name}-test" })

  lifecycle {
    # CodeDeploy owns the action: it points test traffic at the replacement task set.
    ignore_changes = [action]
  }
}

# ---------------------------------------------------------------------------------------
# Bootstrap task definition and the service
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

  # Later revisions of this family are registered by the pipeline; keep this one so a
  # change here never deregisters a revision a running task set still uses.
  skip_destroy = true

  tags = var.tags
}

resource "aws_ecs_service" "this" {
  # checkov:skip=CKV_AWS_332:platform_version is LATEST on Fargate (the default); it is left unset only with an EC2 capacity provider strategy, where no Fargate platform version exists.
  count = var.emulator_compatible ? 0 : 1

  name                              = var.service_name
  cluster                           = var.cluster_arn
  task_definition                   = aws_ecs_task_definition.bootstrap.arn
  desired_count                     = var.min_capacity
  launch_type                       = var.capacity_provider_strategy == null ? "FARGATE" : null
  platform_version                  = local.on_ec2 ? null : "LATEST"
  health_check_grace_period_seconds = 60
  enable_execute_command            = var.enable_execute_command
  enable_ecs_managed_tags           = true
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = false

  deployment_controller {
    type = "CODE_DEPLOY"
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this["blue"].arn
    container_name   = var.service_name
    container_port   = var.container_port
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
    # CodeDeploy owns the running revision, the active target group and (through the
    # appspec) the network configuration; the autoscaler owns the desired count.
    ignore_changes = [task_definition, load_balancer, desired_count, network_configuration]
  }

  depends_on = [aws_lb_listener_rule.prod, aws_lb_listener_rule.test, aws_iam_role_policy.execution]
}

# Identical to the service above, for the local emulator only: moto does not return
# availabilityZoneRebalancing, enableECSManagedTags, healthCheckGracePeriodSeconds or
# enableExecuteCommand, so this variant also ignores those four (lifecycle blocks cannot be
# conditional).
resource "aws_ecs_service" "emulator" {
  count = var.emulator_compatible ? 1 : 0

  name                              = var.service_name
  cluster                           = var.cluster_arn
  task_definition                   = aws_ecs_task_definition.bootstrap.arn
  desired_count                     = var.min_capacity
  launch_type                       = var.capacity_provider_strategy == null ? "FARGATE" : null
  platform_version                  = local.on_ec2 ? null : "LATEST"
  health_check_grace_period_seconds = 60
  enable_execute_command            = var.enable_execute_command
  enable_ecs_managed_tags           = true
  propagate_tags                    = "SERVICE"
  wait_for_steady_state             = false

  deployment_controller {
    type = "CODE_DEPLOY"
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this["blue"].arn
    container_name   = var.service_name
    container_port   = var.container_port
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
    ignore_changes = [task_definition, load_balancer, desired_count, network_configuration, availability_zone_rebalancing, enable_ecs_managed_tags, health_check_grace_period_seconds, enable_execute_command]
  }

  depends_on = [aws_lb_listener_rule.prod, aws_lb_listener_rule.test, aws_iam_role_policy.execution]
}

# ---------------------------------------------------------------------------------------
# Autoscaling: target tracking on average CPU.
# ---------------------------------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  # The emulator's Application Auto Scaling has no tagging API, which the provider needs.
  count = var.emulator_compatible ? 0 : 1

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

resource "aws_appautoscaling_policy" "cpu" {
  count = var.emulator_compatible ? 0 : 1

  name               = "${local.full_name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# ---------------------------------------------------------------------------------------
# Alarms. The 5xx and latency alarms exist per target group: whichever is the replacement
# (green or blue) during a deployment, CodeDeploy watches its alarms and rolls back.
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "target_5xx" {
  for_each = aws_lb_target_group.this

  alarm_name          = "${local.full_name}-${each.key}-5xx"
  alarm_description   = "${local.full_name} (${each.key} target group) returns 5xx responses. Fails and rolls back a deployment."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = var.alarm_5xx_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    LoadBalancer = var.alb_arn_suffix
    TargetGroup  = each.value.arn_suffix
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "target_latency" {
  for_each = aws_lb_target_group.this

  alarm_name          = "${local.full_name}-${each.key}-latency-p99"
  alarm_description   = "${local.full_name} (${each.key} target group) p99 response time above ${var.alarm_latency_p99_seconds}s. Fails and rolls back a deployment."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  threshold           = var.alarm_latency_p99_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    LoadBalancer = var.alb_arn_suffix
    TargetGroup  = each.value.arn_suffix
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${local.full_name}-cpu-high"
  alarm_description   = "${local.full_name} average CPU above 85% for 5 minutes (autoscaling at max?)."
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
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

# ---------------------------------------------------------------------------------------
# CodeDeploy blue/green
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "codedeploy_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["codedeploy.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "codedeploy" {
  name_prefix        = "${substr(local.full_name, 0, 24)}-deploy-"
  description        = "CodeDeploy blue/green role of ${local.full_name}"
  assume_role_policy = data.aws_iam_policy_document.codedeploy_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "codedeploy" {
  # AWS managed policies exist in the emulator only when it loads them
  # (MOTO_IAM_LOAD_MANAGED_POLICIES=true); the attachment is skipped there.
  count = var.emulator_compatible ? 0 : 1

  role       = aws_iam_role.codedeploy.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AWSCodeDeployRoleForECS"
}

data "aws_iam_policy_document" "codedeploy_hooks" {
  count = length(var.hook_lambda_arns) > 0 ? 1 : 0

  statement {
    sid       = "InvokeLifecycleHooks"
    actions   = ["lambda:InvokeFunction"]
    resources = var.hook_lambda_arns
  }
}

resource "aws_iam_role_policy" "codedeploy_hooks" {
  count = length(var.hook_lambda_arns) > 0 ? 1 : 0

  name   = "invoke-hooks"
  role   = aws_iam_role.codedeploy.id
  policy = data.aws_iam_policy_document.codedeploy_hooks[0].json
}

resource "aws_codedeploy_app" "this" {

  name             = local.full_name
  compute_platform = "ECS"

  tags = var.tags
}

resource "aws_codedeploy_deployment_group" "this" {
  app_name               = aws_codedeploy_app.this.name
  deployment_group_name  = local.full_name
  service_role_arn       = aws_iam_role.codedeploy.arn
  deployment_config_name = var.deployment_config_name

  deployment_style {
    deployment_type   = "BLUE_GREEN"
    deployment_option = "WITH_TRAFFIC_CONTROL"
  }

  blue_green_deployment_config {
    deployment_ready_option {
      action_on_timeout = "CONTINUE_DEPLOYMENT"
    }

    terminate_blue_instances_on_deployment_success {
      action                           = "TERMINATE"
      termination_wait_time_in_minutes = var.termination_wait_minutes
    }
  }

  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
  }

  # The emulator does not store alarm configurations (a perpetual diff there).
  dynamic "alarm_configuration" {
    for_each = var.emulator_compatible ? [] : [1]

    content {
      enabled = true
      alarms = concat(
        [for a in aws_cloudwatch_metric_alarm.target_5xx : a.alarm_name],
        [for a in aws_cloudwatch_metric_alarm.target_latency : a.alarm_name],
      )
    }
  }

  ecs_service {
    cluster_name = var.cluster_name
    service_name = local.service_name
  }

  load_balancer_info {
    target_group_pair_info {
      prod_traffic_route {
        listener_arns = [var.prod_listener_arn]
      }

      test_traffic_route {
        listener_arns = [var.test_listener_arn]
      }

      target_group {
        name = aws_lb_target_group.this["blue"].name
      }

      target_group {
        name = aws_lb_target_group.this["green"].name
      }
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy_attachment.codedeploy]
}
