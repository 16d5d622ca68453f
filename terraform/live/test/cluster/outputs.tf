output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.cluster.cluster_name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = module.cluster.cluster_arn
}

output "exec_log_group_arn" {
  description = "Log group of the ECS Exec sessions (the tasks' roles may write transcripts to it)."
  value       = module.cluster.exec_log_group_arn
}

output "exec_kms_key_arn" {
  description = "KMS key of the ECS Exec sessions (the tasks' roles may decrypt with it)."
  value       = module.cluster.exec_kms_key_arn
}

output "ec2_capacity_provider_name" {
  description = "The EC2 capacity provider (null unless cluster.enable_ec2_capacity)."
  value       = module.cluster.ec2_capacity_provider_name
}
