output "bucket_name" {
  description = "Bucket holding the built web app."
  value       = module.site.bucket_name
}

output "distribution_id" {
  description = "CloudFront distribution (invalidated after each publish)."
  value       = module.site.distribution_id
}

output "url" {
  description = "Public URL of the environment."
  value       = "https://${local.site_name}"
}
