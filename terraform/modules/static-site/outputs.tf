output "bucket_name" {
  description = "Name of the web app bucket (the frontend build syncs to it)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the web app bucket."
  value       = aws_s3_bucket.this.arn
}

output "distribution_id" {
  description = "ID of the CloudFront distribution (the frontend build invalidates it). null when emulator_compatible."
  value       = one(aws_cloudfront_distribution.this[*].id)
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution (for the bucket KMS key policy's aws:SourceArn)."
  value       = one(aws_cloudfront_distribution.this[*].arn)
}

output "domain_name" {
  description = "*.cloudfront.net domain name of the distribution."
  value       = one(aws_cloudfront_distribution.this[*].domain_name)
}

output "hosted_zone_id" {
  description = "Route 53 zone ID of CloudFront distributions, for alias records."
  value       = one(aws_cloudfront_distribution.this[*].hosted_zone_id)
}
