output "kms_key_arns" {
  description = "Keys of the environment by purpose (logs, ssm, alarms)."
  value = {
    logs   = module.logs_key.key_arn
    ssm    = module.ssm_key.key_arn
    alarms = module.alarms_key.key_arn
  }
}

output "secret_parameter_arns" {
  description = "SSM parameter ARN of each secret (api-key-sha256, callback-secret): ECS secrets valueFrom."
  value       = { for k, p in aws_ssm_parameter.secret : k => p.arn }
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm of the environment notifies."
  value       = module.alarm_topic.arn
}

output "zone_id" {
  description = "Route 53 public hosted zone of the environment."
  value       = one(concat(aws_route53_zone.this[*].zone_id, data.aws_route53_zone.existing[*].zone_id))
}

output "zone_name_servers" {
  description = "Name servers to delegate the zone to (when Terraform created it)."
  value       = one(concat(aws_route53_zone.this[*].name_servers, data.aws_route53_zone.existing[*].name_servers))
}

output "log_bucket" {
  description = "Bucket receiving S3, ALB and CloudFront access logs."
  value       = module.logs.id
}
