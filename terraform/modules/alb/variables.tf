variable "name" {
  description = "Name of the load balancer and prefix of its security group (e.g. corpus-test). At most 32 characters, letters, digits and hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,30}[a-zA-Z0-9]$", var.name)) && !startswith(var.name, "internal-")
    error_message = "name must be 2-32 letters, digits or hyphens, not starting or ending with a hyphen nor starting with \"internal-\"."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the load balancer lives in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "vpc_cidr_block" {
  description = "CIDR of the VPC: the only source allowed to reach the test listener."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr_block, 0))
    error_message = "vpc_cidr_block must be a valid IPv4 CIDR block."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two, in different AZs) for the load balancer."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An application load balancer needs at least two subnets in different AZs."
  }
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate served by the HTTPS and test listeners."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:(acm|iam):", var.certificate_arn))
    error_message = "certificate_arn must be an ACM (or IAM server) certificate ARN."
  }
}

variable "additional_certificate_arns" {
  description = "Further certificates attached to the HTTPS listener (SNI)."
  type        = list(string)
  default     = []
}

variable "ssl_policy" {
  description = "TLS security policy of the HTTPS and test listeners. Must be a TLS 1.3 policy."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = startswith(var.ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "ssl_policy must be one of the ELBSecurityPolicy-TLS13-* policies."
  }
}

variable "test_listener_port" {
  description = "Port of the test listener CodeDeploy routes test traffic to (reachable from inside the VPC only)."
  type        = number
  default     = 8443

  validation {
    condition     = var.test_listener_port >= 1024 && var.test_listener_port <= 65535 && var.test_listener_port != 8080
    error_message = "test_listener_port must be an unprivileged port (1024-65535), distinct from the public ports."
  }
}

variable "test_listener_extra_cidrs" {
  description = "Further IPv4 CIDRs allowed on the test listener. Tasks and Lambdas in private subnets reach this internet-facing load balancer through the NAT gateways, so pass the network module's nat_public_ips as /32s here."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.test_listener_extra_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "test_listener_extra_cidrs must be IPv4 CIDR blocks, never 0.0.0.0/0."
  }
}

variable "enable_access_logs" {
  description = "Write access logs to access_logs_bucket. The bucket policy must allow the regional ELB log delivery principal."
  type        = bool
  default     = true
}

variable "access_logs_bucket" {
  description = "Name of the S3 bucket receiving the access logs (SSE-S3 encrypted: ALB log delivery does not support SSE-KMS). Required when enable_access_logs is true."
  type        = string
  default     = null
}

variable "access_logs_prefix" {
  description = "Key prefix of the access logs in access_logs_bucket."
  type        = string
  default     = "alb"

  validation {
    condition     = !endswith(var.access_logs_prefix, "/") && !startswith(var.access_logs_prefix, "/")
    error_message = "access_logs_prefix must not start or end with a slash."
  }
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion (true in prod; set false only for throw-away environments)."
  type        = bool
  default     = true
}

variable "idle_timeout" {
  description = "Idle connection timeout in seconds."
  type        = number
  default     = 60

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000
    error_message = "idle_timeout must be between 1 and 4000 seconds."
  }
}

variable "enable_waf" {
  description = "Create a regional WAFv2 web ACL (AWS managed common, known-bad-inputs incl. Log4j, IP reputation rules and a per-IP rate limit) and associate it with the load balancer."
  type        = bool
  default     = true
}

variable "waf_rate_limit" {
  description = "Requests per 5 minutes allowed from one client IP before the WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 100
    error_message = "waf_rate_limit must be at least 100 (the WAF minimum)."
  }
}

variable "waf_rate_limit_key" {
  description = "What the WAF rate limit counts per: FORWARDED_IP (the viewer behind CloudFront, from X-Forwarded-For) or IP (the connecting address, when clients call the ALB directly)."
  type        = string
  default     = "FORWARDED_IP"

  validation {
    condition     = contains(["FORWARDED_IP", "IP"], var.waf_rate_limit_key)
    error_message = "waf_rate_limit_key must be FORWARDED_IP or IP."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of the KMS key encrypting the WAF log group (its policy must allow logs.<region>.amazonaws.com). Required when enable_waf is true."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_days" {
  description = "Retention of the WAF log group in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention value CloudWatch Logs accepts."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
