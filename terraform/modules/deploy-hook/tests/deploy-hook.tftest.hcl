# Checks against a mocked provider (no AWS calls): `terraform test` in the module directory.
mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/corpus-test-deploy-hook" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/CodeDeployHook_corpus-test-deploy-hook" }
  }
}

variables {
  name_prefix        = "corpus-test"
  probe_urls         = ["https://origin.test.example.com:8443/api/documents/readyz"]
  read_urls          = ["https://origin.test.example.com:8443/api/documents/documents?limit=1"]
  package_file       = "deploy-hook.zip"
  vpc_id             = "vpc-0123456789abcdef0"
  subnet_ids         = ["subnet-aaaa", "subnet-bbbb"]
  kms_key_arn        = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000001"
  log_retention_days = 30
}

run "rust_hook_on_the_os_only_runtime" {
  command = plan

  assert {
    condition     = aws_lambda_function.this.runtime == "provided.al2023" && aws_lambda_function.this.handler == "bootstrap" && aws_lambda_function.this.architectures == tolist(["x86_64"])
    error_message = "The hook is the Rust binary `bootstrap` on provided.al2023 (x86_64, the musl build)."
  }

  assert {
    condition     = aws_lambda_function.this.filename == "deploy-hook.zip"
    error_message = "The function is created from package_file."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["PROBE_URLS"] == var.probe_urls[0] && aws_lambda_function.this.environment[0].variables["READ_URLS"] == var.read_urls[0] && aws_lambda_function.this.environment[0].variables["PROBE_SECONDS"] == "120"
    error_message = "The readiness and read URLs and the deadline reach the hook's environment."
  }

  assert {
    condition     = aws_lambda_function.this.function_name == "CodeDeployHook_corpus-test-deploy-hook"
    error_message = "CodeDeploy's ECS role may invoke only functions named CodeDeployHook_*."
  }
}

run "refuses_a_package_that_is_not_a_zip" {
  command = plan

  variables {
    package_file = "handler.py"
  }

  expect_failures = [var.package_file]
}

run "alarms_on_errors_throttles_and_duration_near_the_timeout" {
  command = plan

  variables {
    alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:corpus-test-alarms"]
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.hook["errors"].metric_name == "Errors" && aws_cloudwatch_metric_alarm.hook["throttles"].metric_name == "Throttles" && aws_cloudwatch_metric_alarm.hook["errors"].threshold == 1
    error_message = "Errors and throttles of the hook alarm from the first one."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.hook["duration"].metric_name == "Duration" && aws_cloudwatch_metric_alarm.hook["duration"].statistic == "Maximum" && aws_cloudwatch_metric_alarm.hook["duration"].threshold == 720000
    error_message = "An invocation longer than 80% of the 900 s timeout alarms."
  }

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.hook : a.dimensions.FunctionName == "CodeDeployHook_corpus-test-deploy-hook" && a.alarm_actions == toset(var.alarm_actions) && a.namespace == "AWS/Lambda"])
    error_message = "Every hook alarm watches this function and notifies the alarm topic."
  }
}
