output "repository_urls" {
  description = "Repository URL by service (documents, ingest)."
  value       = { for svc, name in local.shared.ecr.repositories : svc => module.ecr.repository_urls[name] }
}

output "repository_arns" {
  description = "Repository ARN by service."
  value       = { for svc, name in local.shared.ecr.repositories : svc => module.ecr.repository_arns[name] }
}

output "kms_key_arn" {
  description = "KMS key encrypting the images."
  value       = module.key.key_arn
}
