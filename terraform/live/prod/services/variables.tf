variable "emulator" {
  description = "True when the provider talks to the local AWS emulator (scripts/tf.sh sets it when AWS_ENDPOINT_URL is set): emulator-only provider settings on, resources the emulator cannot create off."
  type        = bool
  default     = false
}

variable "aws_endpoint_url" {
  description = "The emulator's endpoint (AWS_ENDPOINT_URL) when emulator is true; used for reading other roots' state."
  type        = string
  default     = ""

  validation {
    condition     = var.aws_endpoint_url == "" || can(regex("^https?://", var.aws_endpoint_url))
    error_message = "aws_endpoint_url must be empty or an http(s) URL."
  }
}

variable "deploy_hook_package" {
  description = "Zip of the deploy hook the function is created with (scripts/tf.sh builds it into .local/ and sets TF_VAR_deploy_hook_package); the pipeline publishes each release's build over it."
  type        = string
}
