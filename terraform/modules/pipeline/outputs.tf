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
  description = "Roles of the build projects (build, web, image) and of each environment's helper projects (ops-<env>: migrate, hook, workers, web publishing, smoke); deploy roles of other accounts trust the ops roles."
  value = merge(
    { build = aws_iam_role.build.arn, web = aws_iam_role.web.arn, image = aws_iam_role.image.arn },
    { for e, r in aws_iam_role.ops : "ops-${e}" => r.arn },
  )
}

output "build_image" {
  description = "Build image (repository:tag) every project of the pipeline runs in; the image project must have pushed it before the first run."
  value       = local.build_image
}

output "image_project" {
  description = "CodeBuild project that builds and pushes the build image (start it by hand when bootstrapping)."
  value       = aws_codebuild_project.image.name
}

output "pull_request_project" {
  description = "CodeBuild project gating pull requests (null without it)."
  value       = one(aws_codebuild_project.pr[*].name)
}

output "infrastructure_pipeline_name" {
  description = "Name of the Terraform pipeline (null against the emulator or without it)."
  value       = one(aws_codepipeline.infra[*].name)
}

output "notification_topic_arn" {
  description = "Topic told about manual approvals, pipeline failures and successes, failed deployments."
  value       = module.notifications.arn
}
