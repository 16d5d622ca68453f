output "pipeline_name" {
  description = "Name of the pipeline (null against the emulator)."
  value       = one(aws_codepipeline.this[*].name)
}

output "pipeline_arn" {
  description = "ARN of the pipeline."
  value       = one(aws_codepipeline.this[*].arn)
}

output "artifact_bucket" {
  description = "Bucket holding the pipeline's artifacts."
  value       = module.artifacts.id
}

output "kms_key_arn" {
  description = "KMS key of the artifacts, build logs and notifications."
  value       = module.key.key_arn
}

output "build_project" {
  description = "Name of the build project."
  value       = aws_codebuild_project.build.name
}

output "pipeline_role_arn" {
  description = "Role of the pipeline (environment accounts trust it when deploy roles are used)."
  value       = aws_iam_role.pipeline.arn
}

output "helper_role_arns" {
  description = "Roles of the build and helper (migrate, smoke) projects."
  value       = { build = aws_iam_role.build.arn, ops = aws_iam_role.ops.arn }
}

output "notification_topic_arn" {
  description = "Topic told about manual approvals."
  value       = module.notifications.arn
}
