variable "enabled" {
  description = "Run the collector next to the application and point the application at it."
  type        = bool
  default     = true
}

variable "image" {
  description = "The AWS Distro for OpenTelemetry collector image, pinned to an exact version."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0"

  validation {
    condition     = can(regex(":v[0-9]+\\.[0-9]+\\.[0-9]+$", var.image))
    error_message = "image must carry an exact version tag (e.g. :v0.40.0), never latest."
  }
}

variable "log_group_name" {
  description = "Log group of the task; the collector logs under the stream prefix otel-collector."
  type        = string
}

variable "region" {
  description = "Region of the log group and of X-Ray."
  type        = string
}

variable "indexed_attributes" {
  description = "Span attributes X-Ray indexes as annotations, so traces can be searched by them (annotation.<name> = \"...\")."
  type        = list(string)
  default     = ["request_id", "job_id"]
}
