data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name

  # The family without a revision: RunTask then starts the latest ACTIVE revision, which the
  # pipeline keeps on the release's image.
  task_definition_arn = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${var.task_definition_family}"
  cluster_name        = element(split("/", var.cluster_arn), length(split("/", var.cluster_arn)) - 1)
  group               = coalesce(var.group, var.name)

  # RunTask's overrides: the schedule's input for an ECS target. With a role of its own,
  # the runs assume it instead of the task definition's.
  own_task_role = length(var.task_role_policy_jsons) > 0
  input = jsonencode(merge(
    { containerOverrides = [{ name = var.container_name, command = var.command }] },
    local.own_task_role ? { taskRoleArn = aws_iam_role.task[0].arn } : {},
  ))
  run_task_role_arn = local.own_task_role ? aws_iam_role.task[0].arn : var.task_role_arn

  # Runs that did not do their job: a container that exited non-zero, or a task that never
  # started (image pull, secrets, capacity). One EventBridge rule each.
  failed_run_detail = {
    clusterArn = [var.cluster_arn]
    group      = [local.group]
    lastStatus = ["STOPPED"]
  }
  failed_run_patterns = {
    exit-code   = jsonencode({ source = ["aws.ecs"], "detail-type" = ["ECS Task State Change"], detail = merge(local.failed_run_detail, { containers = { exitCode = [{ anything-but = 0 }] } }) })
    not-started = jsonencode({ source = ["aws.ecs"], "detail-type" = ["ECS Task State Change"], detail = merge(local.failed_run_detail, { stopCode = ["TaskFailedToStart"] }) })
  }
}

# ---------------------------------------------------------------------------------------
# Dead-letter queue: invocations EventBridge Scheduler gave up on after its retries.
# ---------------------------------------------------------------------------------------

resource "aws_sqs_queue" "dlq" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# The runs' own task role (task_role_policy_jsons): what the scheduled command may call,
# assumed by ECS tasks of this account only.
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "task_assume" {
  count = local.own_task_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "task" {
  count = local.own_task_role ? 1 : 0

  name_prefix        = "${substr(var.name, 0, 29)}-task-"
  description        = "Task role of the scheduled ${join(" ", var.command)} runs of ${var.task_definition_family}"
  assume_role_policy = data.aws_iam_policy_document.task_assume[0].json

  tags = var.tags
}

resource "aws_iam_role_policy" "task" {
  count = length(var.task_role_policy_jsons)

  name   = "scheduled-${count.index}"
  role   = aws_iam_role.task[0].id
  policy = var.task_role_policy_jsons[count.index]
}

# ---------------------------------------------------------------------------------------
# The scheduler's role: run this family in this cluster, pass the runs' two roles, write
# the dead-letter queue; nothing else.
# ---------------------------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name_prefix        = "${substr(var.name, 0, 28)}-sched-"
  description        = "EventBridge Scheduler role of ${var.name}: runs ${var.task_definition_family} in ${local.cluster_name}"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "RunThisFamilyOnly"
    actions   = ["ecs:RunTask"]
    resources = [local.task_definition_arn, "${local.task_definition_arn}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }

  statement {
    sid       = "TagTheTasksItStarts"
    actions   = ["ecs:TagResource"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${local.cluster_name}/*"]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }

  statement {
    sid       = "PassTheTaskRoles"
    actions   = ["iam:PassRole"]
    resources = distinct([var.execution_role_arn, local.run_task_role_arn])

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "run-task"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

# ---------------------------------------------------------------------------------------
# The schedule, in a group of its own: AWS/Scheduler metrics are per schedule group, so the
# alarms below see this schedule only.
# ---------------------------------------------------------------------------------------

resource "aws_scheduler_schedule_group" "this" {
  name = var.name

  tags = var.tags
}

resource "aws_scheduler_schedule" "this" {
  # checkov:skip=CKV_AWS_297:The schedule holds no data: its input is the container command override; the AWS owned key EventBridge Scheduler uses is enough.
  name                         = var.name
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = "Runs ${join(" ", var.command)} of ${var.task_definition_family} in ${local.cluster_name}"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone
  state                        = var.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.cluster_arn
    role_arn = aws_iam_role.scheduler.arn
    input    = local.input

    dead_letter_config {
      arn = aws_sqs_queue.dlq.arn
    }

    retry_policy {
      maximum_retry_attempts       = var.maximum_retry_attempts
      maximum_event_age_in_seconds = var.maximum_event_age_seconds
    }

    ecs_parameters {
      task_definition_arn     = local.task_definition_arn
      task_count              = 1
      launch_type             = var.capacity_provider_strategy == null ? "FARGATE" : null
      platform_version        = var.capacity_provider_strategy == null ? "LATEST" : null
      group                   = local.group
      enable_ecs_managed_tags = true
      propagate_tags          = "TASK_DEFINITION"

      dynamic "capacity_provider_strategy" {
        for_each = var.capacity_provider_strategy == null ? [] : var.capacity_provider_strategy

        content {
          capacity_provider = capacity_provider_strategy.value.capacity_provider
          weight            = capacity_provider_strategy.value.weight
          base              = capacity_provider_strategy.value.base
        }
      }

      network_configuration {
        subnets          = var.subnet_ids
        security_groups  = var.security_group_ids
        assign_public_ip = false
      }
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}

# ---------------------------------------------------------------------------------------
# Alarms (docs/runbook-alarms.md): RunTask calls failing, invocations given up on, the
# schedule not firing at all.
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "target_errors" {
  alarm_name          = "${var.name}-target-errors"
  alarm_description   = "EventBridge Scheduler could not start ${var.name} (RunTask failed: permissions, capacity, a deregistered task definition). Runbook: docs/runbook-alarms.md."
  namespace           = "AWS/Scheduler"
  metric_name         = "TargetErrorCount"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    ScheduleGroup = aws_scheduler_schedule_group.this.name
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.name}-dead-letters"
  alarm_description   = "Invocations of ${var.name} that EventBridge Scheduler gave up on are waiting in ${aws_sqs_queue.dlq.name}. Runbook: docs/runbook-alarms.md."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    QueueName = aws_sqs_queue.dlq.name
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "missed_runs" {
  count = var.enabled && var.missed_runs_window_minutes != null ? 1 : 0

  alarm_name          = "${var.name}-missed-runs"
  alarm_description   = "EventBridge Scheduler attempted no run of ${var.name} for ${coalesce(var.missed_runs_window_minutes, 0)} minutes (schedule disabled, deleted or throttled). Runbook: docs/runbook-alarms.md."
  namespace           = "AWS/Scheduler"
  metric_name         = "InvocationAttemptCount"
  statistic           = "Sum"
  period              = coalesce(var.missed_runs_window_minutes, 5) * 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"

  dimensions = {
    ScheduleGroup = aws_scheduler_schedule_group.this.name
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}

# Runs that started but did not finish their work: EventBridge sends each such task state
# change straight to the alarm topics (CloudWatch metrics do not see container exit codes).
resource "aws_cloudwatch_event_rule" "failed_run" {
  for_each = { for k, v in local.failed_run_patterns : k => v if length(var.alarm_actions) > 0 }

  name          = "${var.name}-failed-run-${each.key}"
  description   = "Runs of ${var.name} that stopped with a non-zero exit code or never started"
  event_pattern = each.value

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "failed_run" {
  for_each = { for p in setproduct(keys(aws_cloudwatch_event_rule.failed_run), range(length(var.alarm_actions))) : "${p[0]}-${p[1]}" => { rule = p[0], topic = var.alarm_actions[p[1]] } }

  rule      = aws_cloudwatch_event_rule.failed_run[each.value.rule].name
  target_id = "alarm-topic-${each.key}"
  arn       = each.value.topic

  input_transformer {
    input_paths = {
      task   = "$.detail.taskArn"
      code   = "$.detail.stopCode"
      reason = "$.detail.stoppedReason"
    }
    input_template = "\"${var.name}-failed-run: task <task> of ${join(" ", var.command)} stopped (<code>: <reason>) with a non-zero exit code or before starting. Runbook: docs/runbook-alarms.md.\""
  }
}
