# The AWS Distro for OpenTelemetry collector as a sidecar: it receives the application's
# OTLP/HTTP traces on 127.0.0.1:4318 (inside the task only) and exports them to X-Ray.
# This module creates nothing: it computes the container definition, the application's
# environment and the task role policy that the ecs-service and ecs-worker modules add.
locals {
  endpoint = "http://127.0.0.1:4318"

  config = yamlencode({
    receivers = { otlp = { protocols = { http = { endpoint = "127.0.0.1:4318" } } } }
    processors = {
      batch = { timeout = "2s" }
      # Bounded memory: drops data rather than growing past its share of the task.
      memory_limiter = { check_interval = "1s", limit_mib = 48, spike_limit_mib = 12 }
    }
    exporters = {
      awsxray = { region = var.region, indexed_attributes = var.indexed_attributes }
    }
    service = {
      pipelines = {
        traces = { receivers = ["otlp"], processors = ["memory_limiter", "batch"], exporters = ["awsxray"] }
      }
    }
  })

  container = {
    name                   = "otel-collector"
    image                  = var.image
    essential              = false
    readonlyRootFilesystem = true
    memoryReservation      = 64
    environment            = [{ name = "AOT_CONFIG_CONTENT", value = local.config }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_name
        awslogs-region        = var.region
        awslogs-stream-prefix = "otel-collector"
      }
    }
  }
}

# Exactly what the collector's X-Ray exporter calls (these actions take no resource ARNs).
data "aws_iam_policy_document" "xray" {
  count = var.enabled ? 1 : 0

  statement {
    sid = "XRay"
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
      "xray:GetSamplingStatisticSummaries",
    ]
    resources = ["*"]
  }
}
