# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  mock_resource "aws_lb" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/corpus-test/0123456789abcdef"
      arn_suffix = "app/corpus-test/0123456789abcdef"
    }
  }
  mock_resource "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/corpus-test/0123456789abcdef/0123456789abcdef" }
  }
  mock_resource "aws_wafv2_web_acl" {
    defaults = { arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/corpus-test-alb/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-corpus-test-alb" }
  }
}

variables {
  name               = "corpus-test"
  vpc_id             = "vpc-0123456789abcdef0"
  vpc_cidr_block     = "10.20.0.0/16"
  public_subnet_ids  = ["subnet-aaaa", "subnet-bbbb"]
  certificate_arn    = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  access_logs_bucket = "corpus-test-logs"
  log_kms_key_arn    = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "listeners_and_security_group" {
  command = apply

  variables {
    test_listener_extra_cidrs = ["203.0.113.10/32"]
  }

  assert {
    condition     = aws_lb_listener.https.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06" && aws_lb_listener.https.protocol == "HTTPS"
    error_message = "The prod listener must be HTTPS with the TLS 1.3 policy."
  }

  assert {
    condition     = aws_lb_listener.https.default_action[0].type == "fixed-response" && aws_lb_listener.https.default_action[0].fixed_response[0].status_code == "404"
    error_message = "The prod listener's default action must be a fixed 404."
  }

  assert {
    condition     = aws_lb_listener.test.default_action[0].type == "fixed-response" && aws_lb_listener.test.port == 8443
    error_message = "The test listener's default action must be a fixed response."
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "Port 80 must only redirect to HTTPS."
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields && aws_lb.this.enable_deletion_protection
    error_message = "Invalid headers must be dropped and deletion protection on by default."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.https.from_port == 443 && aws_vpc_security_group_ingress_rule.http_redirect.from_port == 80
    error_message = "443 and 80 must be open from the internet."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.test_listener.cidr_ipv4 == "10.20.0.0/16" && aws_vpc_security_group_ingress_rule.test_listener_nat[0].cidr_ipv4 == "203.0.113.10/32"
    error_message = "The test listener must be open to the VPC and the NAT addresses only."
  }

  assert {
    condition     = aws_lb.this.access_logs[0].enabled && aws_lb.this.access_logs[0].bucket == "corpus-test-logs"
    error_message = "Access logs must go to the given bucket."
  }

  assert {
    condition     = length(aws_wafv2_web_acl_association.this) == 1
    error_message = "The WAF web ACL must be associated by default."
  }
}

run "rejects_a_non_tls13_policy" {
  command = plan

  variables {
    ssl_policy = "ELBSecurityPolicy-2016-08"
  }

  expect_failures = [var.ssl_policy]
}

run "rejects_an_open_test_listener" {
  command = plan

  variables {
    test_listener_extra_cidrs = ["0.0.0.0/0"]
  }

  expect_failures = [var.test_listener_extra_cidrs]
}
