# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/corpus-test/flow-logs" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/corpus-test-flowlogs" }
  }
}

variables {
  name                 = "corpus-test"
  azs                  = ["eu-west-1a", "eu-west-1b"]
  flow_log_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
}

run "one_nat_gateway_per_az_by_default" {
  command = apply

  assert {
    condition     = length(aws_nat_gateway.this) == 2 && length(aws_route.private_nat) == 2
    error_message = "Each AZ must get its own NAT gateway and private default route."
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "Public subnets must not hand out public IPs automatically."
  }

  assert {
    condition     = length(aws_vpc_endpoint.s3) == 1 && length(aws_vpc_endpoint.dynamodb) == 1
    error_message = "S3 and DynamoDB gateway endpoints must exist."
  }

  assert {
    condition     = aws_flow_log.this[0].traffic_type == "ALL"
    error_message = "Flow logs must capture all traffic."
  }

  assert {
    condition     = aws_cloudwatch_log_group.flow_logs[0].kms_key_id == var.flow_log_kms_key_arn
    error_message = "The flow log group must be encrypted with the given key."
  }

  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "The default security group must keep no rules."
  }
}

run "single_nat_gateway" {
  command = apply

  variables {
    single_nat_gateway = true
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_route.private_nat) == 2
    error_message = "A single NAT gateway must serve both private route tables."
  }
}

run "rejects_a_single_az" {
  command = plan

  variables {
    azs = ["eu-west-1a"]
  }

  expect_failures = [var.azs]
}
