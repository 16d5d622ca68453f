output "service_name" {
  description = "Name of the ECS service (and of its container)."
  value       = local.service_name
}

output "service_id" {
  description = "ARN of the ECS service."
  value       = local.service_id
}

output "container_name" {
  description = "Container name, for the pipeline's imagedefinitions.json."
  value       = var.service_name
}

output "task_definition_family" {
  description = "Task definition family; the pipeline registers new revisions of it."
  value       = aws_ecs_task_definition.bootstrap.family
}

output "bootstrap_task_definition_arn" {
  description = "ARN of the bootstrap revision registered by Terraform."
  value       = aws_ecs_task_definition.bootstrap.arn
}

output "execution_role_arn" {
  description = "ARN of the task execution role."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the task role."
  value       = aws_iam_role.task.arn
}

output "security_group_id" {
  description = "Security group of the worker tasks (source for the database ingress rule)."
  value       = aws_security_group.this.id
}

output "log_group_name" {
  description = "CloudWatch log group of the worker."
  value       = aws_cloudwatch_log_group.this.name
}

output "tracing_policy_json" {
  description = "The X-Ray calls the tracing sidecar makes, as a policy (null without tracing): for a role that runs this task definition in place of its task role (a scheduled command's own)."
  value       = module.otel.policy_json
}
