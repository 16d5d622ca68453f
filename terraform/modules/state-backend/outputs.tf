output "bucket" {
  description = "Name of the state bucket (backend \"bucket\")."
  value       = module.bucket.id
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = module.bucket.arn
}

output "lock_table" {
  description = "Name of the lock table (backend \"dynamodb_table\")."
  value       = aws_dynamodb_table.lock.name
}

output "kms_key_arn" {
  description = "KMS key encrypting state (backend \"kms_key_id\")."
  value       = module.key.key_arn
}
