resource "aws_acm_certificate" "this" {
  domain_name               = var.domain_name
  subject_alternative_names = var.subject_alternative_names
  validation_method         = "DNS"
  key_algorithm             = "RSA_2048"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  tags = merge(var.tags, { Name = var.domain_name })

  lifecycle {
    # A replacement must be issued before listeners/distributions let go of the old one.
    create_before_destroy = true
  }
}

# One record per name on the certificate, keyed by the name (known at plan time). A name and
# its wildcard share a validation record: allow_overwrite lets both converge on it.
resource "aws_route53_record" "validation" {
  for_each = var.create_validation_records ? {
    for dvo in aws_acm_certificate.this.domain_validation_options : dvo.domain_name => dvo
  } : {}

  zone_id         = var.zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count = var.wait_for_validation ? 1 : 0

  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]

  timeouts {
    create = "45m"
  }
}

resource "aws_route53_record" "alias_a" {
  #checkov:skip=CKV2_AWS_23:Alias targets (the ALB, the CloudFront distribution) are owned by other roots and passed in; an alias follows its target, it cannot dangle like an A record to a released IP.
  for_each = var.alias_records

  zone_id = var.zone_id
  name    = each.value.name
  type    = "A"

  alias {
    name                   = each.value.target_dns_name
    zone_id                = each.value.target_zone_id
    evaluate_target_health = each.value.evaluate_target_health
  }
}

resource "aws_route53_record" "alias_aaaa" {
  for_each = { for k, v in var.alias_records : k => v if v.ipv6 }

  zone_id = var.zone_id
  name    = each.value.name
  type    = "AAAA"

  alias {
    name                   = each.value.target_dns_name
    zone_id                = each.value.target_zone_id
    evaluate_target_health = each.value.evaluate_target_health
  }
}
