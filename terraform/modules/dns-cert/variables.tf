variable "zone_id" {
  description = "ID of the Route 53 public hosted zone holding the names (validation and alias records)."
  type        = string

  validation {
    condition     = can(regex("^[A-Z0-9]{1,32}$", var.zone_id))
    error_message = "zone_id must be a Route 53 hosted zone ID (upper case letters and digits, e.g. Z0123456789ABCDEFGHIJ)."
  }
}

variable "domain_name" {
  description = "Primary name of the certificate, e.g. corpus.example.com (or *.example.com)."
  type        = string

  validation {
    condition     = can(regex("^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lower case DNS name, optionally starting with *."
  }
}

variable "subject_alternative_names" {
  description = "Further names on the certificate (e.g. origin.corpus.example.com)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for n in var.subject_alternative_names : can(regex("^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", n))])
    error_message = "subject_alternative_names must be lower case DNS names."
  }
}

variable "create_validation_records" {
  description = "Create the DNS validation records in zone_id. false when the zone lives elsewhere (records added by hand)."
  type        = bool
  default     = true
}

variable "wait_for_validation" {
  description = "Wait until ACM has issued the certificate (so dependents get an issued ARN). false where issuance cannot happen (no delegated zone, emulator)."
  type        = bool
  default     = true
}

variable "alias_records" {
  description = "A and AAAA alias records to create in zone_id, e.g. the site name to CloudFront and an origin name to the ALB."
  type = map(object({
    name                   = string
    target_dns_name        = string
    target_zone_id         = string
    evaluate_target_health = optional(bool, false)
    ipv6                   = optional(bool, true)
  }))
  default = {}
}

variable "tags" {
  description = "Tags added to the certificate."
  type        = map(string)
  default     = {}
}
