locals {
  not_found_body = jsonencode({
    type   = "about:blank"
    title  = "Not Found"
    status = 404
    detail = "No service is routed at this path."
  })

  access_logs_enabled = var.enable_access_logs
}

# ---------------------------------------------------------------------------------------
# Security group: 443 and 80 (redirect only) from the internet, the test listener from the
# VPC only. No egress here: each ecs-service adds one egress rule to its own task security
# group on its container port, so the load balancer can reach its targets and nothing else.
# ---------------------------------------------------------------------------------------

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-alb-"
  description = "Load balancer ${var.name}: HTTPS and HTTP redirect from the internet, test listener from the VPC"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS from the internet"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "http_redirect" {
  #checkov:skip=CKV_AWS_260:Port 80 is open only for the HTTP listener whose sole action is a 301 redirect to HTTPS; no content is ever served on it.
  security_group_id = aws_security_group.this.id
  description       = "HTTP from the internet, redirected to HTTPS by the listener"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "test_listener" {
  security_group_id = aws_security_group.this.id
  description       = "Blue/green test listener, from inside the VPC only (deploy hook, smoke tests)"
  ip_protocol       = "tcp"
  from_port         = var.test_listener_port
  to_port           = var.test_listener_port
  cidr_ipv4         = var.vpc_cidr_block

  tags = var.tags
}

# Callers inside the VPC resolve the load balancer's name to its public addresses and leave
# through the NAT gateways: their traffic arrives from the NAT addresses, not the VPC CIDR.
resource "aws_vpc_security_group_ingress_rule" "test_listener_nat" {
  # count, not for_each: the addresses may be unknown at plan time in the network's root.
  count = length(var.test_listener_extra_cidrs)

  security_group_id = aws_security_group.this.id
  description       = "Blue/green test listener, from the VPC's NAT gateway addresses"
  ip_protocol       = "tcp"
  from_port         = var.test_listener_port
  to_port           = var.test_listener_port
  cidr_ipv4         = var.test_listener_extra_cidrs[count.index]

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# Load balancer
# ---------------------------------------------------------------------------------------

resource "aws_lb" "this" {
  name               = var.name
  load_balancer_type = "application"
  internal           = false #tfsec:ignore:aws-elb-alb-not-public -- the public entry point, behind CloudFront
  security_groups    = [aws_security_group.this.id]
  subnets            = var.public_subnet_ids
  ip_address_type    = "ipv4"

  drop_invalid_header_fields = true
  desync_mitigation_mode     = "strictest"
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = var.idle_timeout

  dynamic "access_logs" {
    for_each = local.access_logs_enabled ? [1] : []

    content {
      bucket  = var.access_logs_bucket
      prefix  = var.access_logs_prefix
      enabled = true
    }
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = !var.enable_access_logs || var.access_logs_bucket != null
      error_message = "access_logs_bucket is required when enable_access_logs is true."
    }
  }
}

# ---------------------------------------------------------------------------------------
# WAF: AWS managed rule groups plus a per-IP rate limit. The common rule set's body size
# rule only counts: documents are posted as JSON bodies larger than its 8 KB limit, and the
# services enforce their own body limits.
# ---------------------------------------------------------------------------------------

locals {
  waf_enabled = var.enable_waf
}

resource "aws_wafv2_web_acl" "this" {
  count = local.waf_enabled ? 1 : 0

  name        = "${var.name}-alb"
  description = "Managed rules and rate limit in front of ${var.name}"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "AWSManagedRulesAmazonIpReputationList"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesAmazonIpReputationList"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesAmazonIpReputationList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"

        rule_action_override {
          name = "SizeRestrictions_BODY"

          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  # Anonymous IPs (Tor, anonymising proxies) are blocked; the hosting-provider list only
  # counts, since programs legitimately call the API from cloud hosts.
  rule {
    name     = "AWSManagedRulesAnonymousIpList"
    priority = 35

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesAnonymousIpList"
        vendor_name = "AWS"

        rule_action_override {
          name = "HostingProviderIPList"

          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesAnonymousIpList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 40

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit
        aggregate_key_type = var.waf_rate_limit_key

        # Behind CloudFront the source IP is an edge location shared by many viewers; the
        # viewer's address is the first one in X-Forwarded-For.
        dynamic "forwarded_ip_config" {
          for_each = var.waf_rate_limit_key == "FORWARDED_IP" ? [1] : []

          content {
            header_name       = "X-Forwarded-For"
            fallback_behavior = "MATCH"
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-rate-limit"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-alb"
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

# WAF logs must go to a log group whose name starts with aws-waf-logs-.
resource "aws_cloudwatch_log_group" "waf" {
  count = local.waf_enabled ? 1 : 0

  name              = "aws-waf-logs-${var.name}-alb"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.log_kms_key_arn != null
      error_message = "log_kms_key_arn is required when enable_waf is true."
    }
  }
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = local.waf_enabled ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf[0].arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
}

resource "aws_wafv2_web_acl_association" "this" {
  count = local.waf_enabled ? 1 : 0

  resource_arn = aws_lb.this.arn
  web_acl_arn  = aws_wafv2_web_acl.this[0].arn
}

# ---------------------------------------------------------------------------------------
# Listeners. Their default actions are fixed responses that never change: each service's
# traffic lives in a listener rule of the ecs-service module, which CodeDeploy rewrites
# during blue/green deployments. So the listeners themselves never drift.
# ---------------------------------------------------------------------------------------

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      message_body = local.not_found_body
      status_code  = "404"
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-https" })
}

resource "aws_lb_listener_certificate" "additional" {
  for_each = toset(var.additional_certificate_arns)

  listener_arn    = aws_lb_listener.https.arn
  certificate_arn = each.value
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP" #checkov:skip=CKV_AWS_2:Plain HTTP listener whose only action is a permanent redirect to HTTPS.

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-http-redirect" })
}

resource "aws_lb_listener" "test" {
  load_balancer_arn = aws_lb.this.arn
  port              = var.test_listener_port
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      message_body = local.not_found_body
      status_code  = "404"
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-test" })
}
