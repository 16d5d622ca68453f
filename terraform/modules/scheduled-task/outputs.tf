output "schedule_name" {
  description = "Name of the schedule (and of its schedule group)."
  value       = aws_scheduler_schedule.this.name
}

output "schedule_arn" {
  description = "ARN of the schedule."
  value       = aws_scheduler_schedule.this.arn
}

output "role_arn" {
  description = "ARN of the role EventBridge Scheduler assumes to run the task."
  value       = aws_iam_role.scheduler.arn
}

output "task_role_arn" {
  description = "ARN of the role the runs assume: their own (task_role_policy_jsons) or the task definition's."
  value       = local.run_task_role_arn
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue (invocations given up on)."
  value       = aws_sqs_queue.dlq.url
}

output "task_group" {
  description = "ECS task group of the runs (the group field of their task state change events)."
  value       = local.group
}

output "alarm_names" {
  description = "Names of the module's CloudWatch alarms."
  value = concat(
    [aws_cloudwatch_metric_alarm.target_errors.alarm_name, aws_cloudwatch_metric_alarm.dead_letters.alarm_name],
    aws_cloudwatch_metric_alarm.missed_runs[*].alarm_name,
  )
}
