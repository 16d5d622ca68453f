output "certificate_arn" {
  description = "ARN of the certificate; when wait_for_validation is true, known only once it is issued (so listeners and distributions wait for it)."
  value       = var.wait_for_validation ? aws_acm_certificate_validation.this[0].certificate_arn : aws_acm_certificate.this.arn
}

output "certificate_domain_name" {
  description = "Primary name of the certificate."
  value       = aws_acm_certificate.this.domain_name
}

output "validation_records" {
  description = "DNS validation records (name, type, value) to create by hand when create_validation_records is false."
  value = [for dvo in aws_acm_certificate.this.domain_validation_options : {
    name  = dvo.resource_record_name
    type  = dvo.resource_record_type
    value = dvo.resource_record_value
  }]
}

output "alias_fqdns" {
  description = "Fully qualified names of the alias records, by key of alias_records."
  value       = { for k, r in aws_route53_record.alias_a : k => r.fqdn }
}
