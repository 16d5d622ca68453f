output "state_bucket" {
  description = "Bucket holding every other root's state."
  value       = module.state_backend.bucket
}

output "lock_table" {
  description = "DynamoDB table holding the state locks."
  value       = module.state_backend.lock_table
}

output "state_kms_key_arn" {
  description = "KMS key encrypting state."
  value       = module.state_backend.kms_key_arn
}
