locals {
  function_name = "CodeDeployHook_${var.name_prefix}-deploy-hook"
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name_prefix = "${substr(var.name_prefix, 0, 20)}-deploy-hook-"
  description = "The CodeDeploy AfterAllowTestTraffic hook of ${var.name_prefix}"

  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags
}

# Report the hook's result, write its logs, and run in the VPC (network interfaces).
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReportHookResult"
    actions   = ["codedeploy:PutLifecycleEventHookExecutionStatus"]
    resources = ["arn:${data.aws_partition.current.partition}:codedeploy:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:deploymentgroup:${var.name_prefix}-*"]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "DecryptEnvironment"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }

  # EC2 network interface calls have no resource-level permissions for Describe*; creation
  # and deletion are limited to this account's region.
  statement {
    sid       = "VpcNetworkInterfaces"
    actions   = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = [data.aws_region.current.name]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "deploy-hook"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name_prefix}-deploy-hook-"
  description = "Deploy hook: no inbound; HTTPS to the test listener and AWS APIs"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name_prefix}-deploy-hook" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = toset([tostring(var.test_listener_port), "443"])

  security_group_id = aws_security_group.this.id
  description       = "HTTPS to port ${each.value}"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.value)
  to_port           = tonumber(each.value)
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_116:CodeDeploy waits for the hook's own status report and fails the deployment when none arrives; a dead-letter queue would add nothing.
  # checkov:skip=CKV_AWS_272:The code is the pipeline's build of services/deploy-hook, published by the pipeline itself; code signing would need a signing profile the pipeline does not have yet.
  function_name                  = local.function_name
  description                    = "CodeDeploy AfterAllowTestTraffic hook: readiness of the replacement task sets through the test listener"
  role                           = aws_iam_role.this.arn
  runtime                        = "provided.al2023"
  architectures                  = ["x86_64"]
  handler                        = "bootstrap"
  filename                       = var.package_file
  timeout                        = 900
  memory_size                    = 128
  reserved_concurrent_executions = 5
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = {
      PROBE_URLS    = join(",", var.probe_urls)
      READ_URLS     = join(",", var.read_urls)
      PROBE_SECONDS = tostring(var.probe_seconds)
    }
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.this.id]
  }

  tracing_config {
    mode = "Active"
  }

  tags = var.tags

  # Terraform creates the function with package_file; from then on the pipeline publishes
  # each release's build (scripts/publish-deploy-hook.sh) and owns the code.
  lifecycle {
    ignore_changes = [filename, source_code_hash]
  }

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

# ---------------------------------------------------------------------------------------
# Alarms (docs/runbook-alarms.md): the hook crashing, being throttled, or running close to
# its timeout. Each means a deployment was (or is about to be) judged by a hook that did
# not finish its checks.
# ---------------------------------------------------------------------------------------

locals {
  hook_alarms = {
    errors = {
      metric      = "Errors", stat = "Sum", threshold = 1
      description = "The deploy hook ended with an error (a crash or an unhandled failure, not a Failed report): the deployment it judged failed or waited for its hook timeout."
    }
    throttles = {
      metric      = "Throttles", stat = "Sum", threshold = 1
      description = "Invocations of the deploy hook were throttled (reserved concurrency ${aws_lambda_function.this.reserved_concurrent_executions}): deployments wait for their hook."
    }
    duration = {
      metric      = "Duration", stat = "Maximum", threshold = floor(aws_lambda_function.this.timeout * 1000 * var.alarm_duration_fraction)
      description = "The deploy hook ran longer than ${floor(var.alarm_duration_fraction * 100)}% of its ${aws_lambda_function.this.timeout} s timeout: it is close to being killed before it reports."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "hook" {
  for_each = local.hook_alarms

  alarm_name          = "${var.name_prefix}-deploy-hook-${each.key}"
  alarm_description   = "${each.value.description} Runbook: docs/runbook-alarms.md."
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  statistic           = each.value.stat
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    FunctionName = aws_lambda_function.this.function_name
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.alarm_actions

  tags = var.tags
}
