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
    defaults = { arn = "arn:aws:iam::123456789012:role/corpus-test-ingest-reconcile-sched" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:123456789012:corpus-test-ingest-reconcile-dlq"
      url = "https://sqs.eu-west-1.amazonaws.com/123456789012/corpus-test-ingest-reconcile-dlq"
    }
  }
}

variables {
  name                   = "corpus-test-ingest-reconcile"
  schedule_expression    = "rate(5 minutes)"
  cluster_arn            = "arn:aws:ecs:eu-west-1:123456789012:cluster/corpus-test"
  task_definition_family = "corpus-test-ingest-worker"
  container_name         = "ingest-worker"
  command                = ["reconcile"]
  execution_role_arn     = "arn:aws:iam::123456789012:role/corpus-test-ingest-worker-exec"
  task_role_arn          = "arn:aws:iam::123456789012:role/corpus-test-ingest-worker-task"
  subnet_ids             = ["subnet-aaaa", "subnet-bbbb"]
  security_group_ids     = ["sg-0aaaaaaaaaaaaaaaa"]
  alarm_actions          = ["arn:aws:sns:eu-west-1:123456789012:corpus-test-alarms"]
}

run "runs_the_command_as_a_fargate_task_on_the_schedule" {
  command = apply

  assert {
    condition     = aws_scheduler_schedule.this.schedule_expression == "rate(5 minutes)" && aws_scheduler_schedule.this.state == "ENABLED" && aws_scheduler_schedule.this.flexible_time_window[0].mode == "OFF"
    error_message = "The schedule runs at the configured rate, enabled, without a flexible window."
  }

  assert {
    condition     = aws_scheduler_schedule.this.target[0].arn == var.cluster_arn && aws_scheduler_schedule.this.target[0].ecs_parameters[0].task_definition_arn == "arn:aws:ecs:eu-west-1:123456789012:task-definition/corpus-test-ingest-worker"
    error_message = "The target is the cluster, running the family's latest revision (no revision in the ARN)."
  }

  assert {
    condition     = jsondecode(aws_scheduler_schedule.this.target[0].input).containerOverrides == [{ name = "ingest-worker", command = ["reconcile"] }]
    error_message = "The container runs the given command (RunTask overrides as the target's input)."
  }

  assert {
    condition     = !contains(keys(jsondecode(aws_scheduler_schedule.this.target[0].input)), "taskRoleArn") && length(aws_iam_role.task) == 0 && output.task_role_arn == var.task_role_arn
    error_message = "Without policies of their own, the runs keep the task definition's role."
  }

  assert {
    condition     = aws_scheduler_schedule.this.target[0].ecs_parameters[0].launch_type == "FARGATE" && aws_scheduler_schedule.this.target[0].ecs_parameters[0].task_count == 1 && length(aws_scheduler_schedule.this.target[0].ecs_parameters[0].capacity_provider_strategy) == 0
    error_message = "One Fargate task per run by default."
  }

  assert {
    condition     = one(aws_scheduler_schedule.this.target[0].ecs_parameters[0].network_configuration).assign_public_ip == false && toset(one(aws_scheduler_schedule.this.target[0].ecs_parameters[0].network_configuration).subnets) == toset(var.subnet_ids)
    error_message = "The task runs in the private subnets without a public IP."
  }

  assert {
    condition     = aws_scheduler_schedule.this.target[0].dead_letter_config[0].arn == aws_sqs_queue.dlq.arn && aws_scheduler_schedule.this.target[0].retry_policy[0].maximum_retry_attempts == 3 && aws_scheduler_schedule.this.target[0].retry_policy[0].maximum_event_age_in_seconds == 240
    error_message = "Failed invocations are retried, then kept in the dead-letter queue."
  }

  assert {
    condition     = aws_sqs_queue.dlq.sqs_managed_sse_enabled
    error_message = "The dead-letter queue is encrypted."
  }

  assert {
    condition     = aws_scheduler_schedule.this.group_name == aws_scheduler_schedule_group.this.name && aws_cloudwatch_metric_alarm.target_errors.dimensions.ScheduleGroup == aws_scheduler_schedule_group.this.name
    error_message = "The schedule has a group of its own, which its Scheduler alarms watch."
  }
}

run "the_role_runs_only_this_family_and_passes_only_its_roles" {
  command = plan

  assert {
    condition     = data.aws_iam_policy_document.scheduler.statement[0].actions == toset(["ecs:RunTask"]) && data.aws_iam_policy_document.scheduler.statement[0].resources == toset(["arn:aws:ecs:eu-west-1:123456789012:task-definition/corpus-test-ingest-worker", "arn:aws:ecs:eu-west-1:123456789012:task-definition/corpus-test-ingest-worker:*"])
    error_message = "RunTask of this family (any revision) only."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.scheduler.statement[0].condition).variable == "ecs:cluster" && one(data.aws_iam_policy_document.scheduler.statement[0].condition).values == tolist([var.cluster_arn])
    error_message = "RunTask in this cluster only."
  }

  assert {
    condition     = data.aws_iam_policy_document.scheduler.statement[2].actions == toset(["iam:PassRole"]) && data.aws_iam_policy_document.scheduler.statement[2].resources == toset([var.execution_role_arn, var.task_role_arn]) && one(data.aws_iam_policy_document.scheduler.statement[2].condition).values == tolist(["ecs-tasks.amazonaws.com"])
    error_message = "The role passes exactly the task's execution and task roles, to ECS tasks only."
  }

  assert {
    condition     = one(one(data.aws_iam_policy_document.assume.statement).principals).identifiers == toset(["scheduler.amazonaws.com"])
    error_message = "Only EventBridge Scheduler assumes the role."
  }
}

run "a_role_of_their_own_when_given_its_policies" {
  command = apply

  variables {
    task_role_policy_jsons = [
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"FindDueJobs\",\"Effect\":\"Allow\",\"Action\":\"dynamodb:Query\",\"Resource\":\"arn:aws:dynamodb:eu-west-1:123456789012:table/corpus-test-jobs/index/by_open\"}]}",
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Traces\",\"Effect\":\"Allow\",\"Action\":\"xray:PutTraceSegments\",\"Resource\":\"*\"}]}",
    ]
  }

  override_resource {
    target = aws_iam_role.task
    values = { arn = "arn:aws:iam::123456789012:role/corpus-test-ingest-reconcile-task" }
  }

  assert {
    condition     = jsondecode(aws_scheduler_schedule.this.target[0].input).taskRoleArn == "arn:aws:iam::123456789012:role/corpus-test-ingest-reconcile-task" && jsondecode(aws_scheduler_schedule.this.target[0].input).containerOverrides == [{ name = "ingest-worker", command = ["reconcile"] }]
    error_message = "The runs assume their own role (RunTask's taskRoleArn override) and still run the command."
  }

  assert {
    condition     = length(aws_iam_role_policy.task) == 2 && aws_iam_role_policy.task[0].policy == var.task_role_policy_jsons[0] && aws_iam_role_policy.task[1].policy == var.task_role_policy_jsons[1] && aws_iam_role_policy.task[0].role == aws_iam_role.task[0].id
    error_message = "The role holds exactly the given policies."
  }

  assert {
    condition     = data.aws_iam_policy_document.scheduler.statement[2].resources == toset([var.execution_role_arn, "arn:aws:iam::123456789012:role/corpus-test-ingest-reconcile-task"])
    error_message = "The scheduler passes the execution role and the runs' own role, not the task definition's role."
  }

  assert {
    condition     = one(one(data.aws_iam_policy_document.task_assume[0].statement).principals).identifiers == toset(["ecs-tasks.amazonaws.com"]) && [for c in one(data.aws_iam_policy_document.task_assume[0].statement).condition : c.values if c.variable == "aws:SourceAccount"] == [tolist(["123456789012"])]
    error_message = "Only ECS tasks of this account assume the runs' role."
  }

  assert {
    condition     = output.task_role_arn == "arn:aws:iam::123456789012:role/corpus-test-ingest-reconcile-task"
    error_message = "The module reports the role the runs assume."
  }
}

run "alarms_when_runs_fail_or_stop_happening" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.target_errors.namespace == "AWS/Scheduler" && aws_cloudwatch_metric_alarm.target_errors.metric_name == "TargetErrorCount" && aws_cloudwatch_metric_alarm.target_errors.alarm_actions == toset(var.alarm_actions)
    error_message = "Failed RunTask calls alarm to the topic."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letters.metric_name == "ApproximateNumberOfMessagesVisible" && aws_cloudwatch_metric_alarm.dead_letters.dimensions.QueueName == "corpus-test-ingest-reconcile-dlq" && aws_cloudwatch_metric_alarm.dead_letters.alarm_actions == toset(var.alarm_actions)
    error_message = "Invocations given up on (dead letters) alarm to the topic."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.missed_runs[0].metric_name == "InvocationAttemptCount" && aws_cloudwatch_metric_alarm.missed_runs[0].treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.missed_runs[0].period == 1800
    error_message = "A schedule that stops firing alarms."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.failed_run["exit-code"].event_pattern).detail.group == ["corpus-test-ingest-reconcile"] && jsondecode(aws_cloudwatch_event_rule.failed_run["exit-code"].event_pattern).detail.containers.exitCode == [{ anything-but = 0 }]
    error_message = "Runs of this task group that exit non-zero are reported."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.failed_run["not-started"].event_pattern).detail.stopCode == ["TaskFailedToStart"] && length(aws_cloudwatch_event_target.failed_run) == 2
    error_message = "Runs that never started are reported, both to the alarm topic."
  }
}

run "ec2_capacity_when_asked" {
  command = plan

  variables {
    capacity_provider_strategy = [{ capacity_provider = "corpus-test-ec2" }]
  }

  assert {
    condition     = aws_scheduler_schedule.this.target[0].ecs_parameters[0].launch_type == null && one(aws_scheduler_schedule.this.target[0].ecs_parameters[0].capacity_provider_strategy).capacity_provider == "corpus-test-ec2"
    error_message = "A capacity provider strategy replaces the Fargate launch type."
  }
}

run "disabled" {
  command = plan

  variables {
    enabled = false
  }

  assert {
    condition     = aws_scheduler_schedule.this.state == "DISABLED" && length(aws_cloudwatch_metric_alarm.missed_runs) == 0
    error_message = "A disabled schedule does not alarm for missing runs."
  }
}

run "refuses_a_revisioned_family" {
  command = plan

  variables {
    task_definition_family = "corpus-test-ingest-worker:3"
  }

  expect_failures = [var.task_definition_family]
}
