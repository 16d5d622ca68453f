output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = local.topic_arn
}

output "alarm_names" {
  description = "Names of every alarm the module created."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.this : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.rds_total_iops : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.dynamodb_throttled_requests : a.alarm_name],
  )
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
