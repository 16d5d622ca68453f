output "pipeline_name" {
  description = "Name of the pipeline."
  value       = module.pipeline.pipeline_name
}

output "artifact_bucket" {
  description = "Bucket holding the pipeline's artifacts."
  value       = module.pipeline.artifact_bucket
}

output "pipeline_role_arn" {
  description = "Role of the pipeline."
  value       = module.pipeline.pipeline_role_arn
}

output "notification_topic_arn" {
  description = "Topic told about manual approvals."
  value       = module.pipeline.notification_topic_arn
}
