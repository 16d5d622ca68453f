output "table_name" {
  description = "Jobs table (INGEST_TABLE)."
  value       = module.table.name
}

output "table_arn" {
  description = "ARN of the jobs table."
  value       = module.table.arn
}

output "queue_url" {
  description = "Ingest queue (INGEST_QUEUE_URL)."
  value       = module.queue.url
}

output "queue_arn" {
  description = "ARN of the ingest queue."
  value       = module.queue.arn
}

output "queue_name" {
  description = "Name of the ingest queue."
  value       = module.queue.name
}

output "dlq_name" {
  description = "Name of the dead-letter queue."
  value       = module.queue.dlq_name
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = module.queue.dlq_arn
}

output "landing_bucket" {
  description = "Landing bucket (INGEST_BUCKET)."
  value       = module.landing.id
}

output "landing_bucket_arn" {
  description = "ARN of the landing bucket."
  value       = module.landing.arn
}

output "allowed_buckets" {
  description = "Buckets ingestion jobs may read (INGEST_ALLOWED_BUCKETS): the landing bucket and the configured others."
  value       = concat([module.landing.id], local.data.allowed_buckets)
}

output "kms_key_arns" {
  description = "KMS keys of the data plane by purpose (s3, dynamodb, sqs)."
  value = {
    s3       = module.s3_key.key_arn
    dynamodb = module.dynamodb_key.key_arn
    sqs      = module.sqs_key.key_arn
  }
}
