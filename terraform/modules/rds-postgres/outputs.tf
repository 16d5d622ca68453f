output "identifier" {
  description = "DB instance identifier (the DBInstanceIdentifier alarm dimension)."
  value       = aws_db_instance.this.identifier
}

output "arn" {
  description = "ARN of the DB instance."
  value       = aws_db_instance.this.arn
}

output "resource_id" {
  description = "DbiResourceId of the instance, for rds-db:connect IAM policies."
  value       = aws_db_instance.this.resource_id
}

output "address" {
  description = "Host name of the instance."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the instance."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Name of the database."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "Master user name."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret (JSON username/password) of the master user, kept by this module."
  value       = aws_secretsmanager_secret.master.arn
}

output "password_secret_value_from" {
  description = "ECS secret valueFrom selecting just the password from the master user secret (e.g. PGPASSWORD); the replica has the same password."
  value       = "${aws_secretsmanager_secret.master.arn}:password::"
}

output "database_url_without_password" {
  description = "postgres:// URL without the password (TLS required); combine with the password secret (PGPASSWORD) in the task."
  value       = "postgres://${aws_db_instance.this.username}@${aws_db_instance.this.address}:${aws_db_instance.this.port}/${aws_db_instance.this.db_name}?sslmode=require"
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.this.id
}

output "kms_key_arn" {
  description = "KMS key of the storage and of the master user secret (tasks reading the secret need kms:Decrypt on it)."
  value       = var.kms_key_arn
}

output "replica_identifier" {
  description = "DB instance identifier of the read replica (null without one)."
  value       = one(aws_db_instance.replica[*].identifier)
}

output "replica_address" {
  description = "Host name of the read replica (null without one)."
  value       = one(aws_db_instance.replica[*].address)
}

output "database_read_url_without_password" {
  description = "postgres:// URL of the read replica without the password (TLS required), the same shape as database_url_without_password (DATABASE_READ_URL); null without a replica."
  value       = var.read_replica ? "postgres://${aws_db_instance.this.username}@${aws_db_instance.replica[0].address}:${aws_db_instance.replica[0].port}/${aws_db_instance.this.db_name}?sslmode=require" : null
}
