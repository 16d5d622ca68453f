output "function_name" {
  description = "Name of the hook function (the appspec's AfterAllowTestTraffic)."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the hook function (ecs-service hook_lambda_arns)."
  value       = aws_lambda_function.this.arn
}

output "alarm_names" {
  description = "Names of the hook's alarms (errors, throttles, duration)."
  value       = [for a in aws_cloudwatch_metric_alarm.hook : a.alarm_name]
}
