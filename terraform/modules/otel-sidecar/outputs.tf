output "container_definitions" {
  description = "The collector's container definition, to append to the task's (empty when disabled)."
  value       = var.enabled ? [local.container] : []
}

output "environment" {
  description = "What the application container needs to export to the collector (OTEL_EXPORTER_OTLP_ENDPOINT); empty when disabled."
  value       = var.enabled ? { OTEL_EXPORTER_OTLP_ENDPOINT = local.endpoint } : {}
}

output "depends_on" {
  description = "The application container's dependsOn: start after the collector (empty when disabled)."
  value       = var.enabled ? [{ containerName = local.container.name, condition = "START" }] : []
}

output "policy_json" {
  description = "Task role policy allowing exactly the X-Ray calls of the collector (null when disabled)."
  value       = one(data.aws_iam_policy_document.xray[*].json)
}
