output "identifier" {
  description = "Instance identifier (DBInstanceIdentifier)."
  value       = module.postgres.identifier
}

output "address" {
  description = "Host name of the instance."
  value       = module.postgres.address
}

output "port" {
  description = "Port of the instance."
  value       = module.postgres.port
}

output "database_url_without_password" {
  description = "DATABASE_URL of the master user, without the password (the migration task; its login is in master_secret_arn). The services use service_logins."
  value       = module.postgres.database_url_without_password
}

output "password_secret_value_from" {
  description = "ECS secret valueFrom of the master password (no task definition uses it any more: the migration task reads master_secret_arn itself)."
  value       = module.postgres.password_secret_value_from
}

output "security_group_id" {
  description = "Security group of the instance (the services root admits the task groups on 5432)."
  value       = module.postgres.security_group_id
}

output "kms_key_arn" {
  description = "Key of the instance and its master secret."
  value       = module.rds_key.key_arn
}

output "database_read_url_without_password" {
  description = "DATABASE_READ_URL of the documents service (the read replica; same password as DATABASE_URL); null without a replica."
  value       = module.postgres.database_read_url_without_password
}

output "replica_identifier" {
  description = "Identifier of the read replica (null without one)."
  value       = module.postgres.replica_identifier
}

output "master_secret_arn" {
  description = "Secret (JSON username/password) of the master user: only the migration task reads it."
  value       = module.postgres.master_user_secret_arn
}

output "service_logins" {
  description = "Per service (documents, worker): database_url (its own user, no password), database_read_url (the replica, or null) and secret_arn (DATABASE_SECRET_ARN: its login, re-read by the tasks)."
  value = {
    for k, role in local.service_logins : k => {
      database_url      = "postgres://${role}@${module.postgres.address}:${module.postgres.port}/${module.postgres.db_name}?sslmode=require"
      database_read_url = module.postgres.replica_address == null ? null : "postgres://${role}@${module.postgres.replica_address}:${module.postgres.port}/${module.postgres.db_name}?sslmode=require"
      secret_arn        = aws_secretsmanager_secret.login[k].arn
    }
  }
}
