output "arn" {
  description = "ARN of the topic (alarm_actions / ok_actions)."
  value       = aws_sns_topic.this.arn
}

output "name" {
  description = "Name of the topic."
  value       = aws_sns_topic.this.name
}
