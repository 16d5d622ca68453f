output "tags" {
  description = "Tags for the provider's default_tags: shared and environment tags from config, Environment, Root and a default Service."
  value       = local.tags

  precondition {
    condition     = trimspace(lookup(local.tags, "Owner", "")) != ""
    error_message = "The config must name an Owner tag (config/<env>.yaml or config/shared.yaml `tags`): cost and alarms need someone who answers for them."
  }

  precondition {
    condition     = alltrue([for k, v in local.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys are at most 128 and values at most 256 characters."
  }
}
