# The real AWS provider, offline: aws_iam_policy_document is computed locally, so the
# policy below is exactly what the task role gets. No AWS call is made.
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

variables {
  log_group_name = "/ecs/corpus-test/documents"
  region         = "eu-west-1"
}

run "collector_receives_locally_and_exports_to_xray" {
  command = plan

  assert {
    condition     = length(output.environment) == 1 && output.environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318"
    error_message = "The application must export to the sidecar on the task's loopback."
  }

  assert {
    condition     = length(output.container_definitions) == 1 && output.container_definitions[0].name == "otel-collector" && startswith(output.container_definitions[0].image, "public.ecr.aws/aws-observability/aws-otel-collector:v")
    error_message = "One collector container, the AWS distribution, pinned."
  }

  assert {
    condition = alltrue([
      for k, want in {
        receiver = "127.0.0.1:4318"
        exporter = "awsxray"
        indexed  = "request_id"
      } : strcontains(output.container_definitions[0].environment[0].value, want)
    ])
    error_message = "The collector's configuration (AOT_CONFIG_CONTENT) must receive OTLP/HTTP on loopback and export to X-Ray with request ids indexed."
  }

  assert {
    condition     = length(output.depends_on) == 1 && output.depends_on[0].containerName == "otel-collector" && output.depends_on[0].condition == "START"
    error_message = "The application starts after its collector."
  }

  assert {
    condition = jsondecode(output.policy_json).Statement[0].Action == [
      "xray:PutTelemetryRecords",
      "xray:PutTraceSegments",
      "xray:GetSamplingTargets",
      "xray:GetSamplingStatisticSummaries",
      "xray:GetSamplingRules",
      ] || toset(jsondecode(output.policy_json).Statement[0].Action) == toset([
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
    ])
    error_message = "The task role may make exactly the collector's X-Ray calls."
  }

  assert {
    condition     = length(jsondecode(output.policy_json).Statement) == 1
    error_message = "Nothing but the X-Ray statement."
  }
}

run "disabled_adds_nothing" {
  command = plan

  variables {
    enabled = false
  }

  assert {
    condition     = length(output.container_definitions) == 0 && length(output.environment) == 0 && length(output.depends_on) == 0 && output.policy_json == null
    error_message = "With tracing off the task is unchanged."
  }
}

run "refuses_an_unpinned_image" {
  command = plan

  variables {
    image = "public.ecr.aws/aws-observability/aws-otel-collector:latest"
  }

  expect_failures = [var.image]
}
