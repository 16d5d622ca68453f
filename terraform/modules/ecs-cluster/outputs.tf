output "cluster_name" {
  description = "Name of the ECS cluster (ClusterName alarm dimension, CodeDeploy ecs_service)."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "capacity_providers" {
  description = "Capacity providers attached to the cluster."
  value       = aws_ecs_cluster_capacity_providers.this.capacity_providers
}

output "ec2_capacity_provider_name" {
  description = "Name of the EC2 capacity provider (null when disabled)."
  value       = one(aws_ecs_capacity_provider.ec2[*].name)
}

output "ec2_autoscaling_group_name" {
  description = "Name of the EC2 auto-scaling group (null when disabled)."
  value       = one(aws_autoscaling_group.ec2[*].name)
}

output "ec2_security_group_id" {
  description = "Security group of the EC2 container instances (null when disabled)."
  value       = one(aws_security_group.ec2[*].id)
}

output "exec_log_group_name" {
  description = "Log group of ECS Exec sessions."
  value       = aws_cloudwatch_log_group.exec.name
}

output "exec_log_group_arn" {
  description = "ARN of the ECS Exec session log group (ecs-service / ecs-worker exec_log_group_arn)."
  value       = aws_cloudwatch_log_group.exec.arn
}

output "exec_kms_key_arn" {
  description = "KMS key of the ECS Exec sessions and their log group (ecs-service / ecs-worker exec_kms_key_arn)."
  value       = var.log_kms_key_arn
}
