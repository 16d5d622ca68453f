variable "name" {
  description = "Name prefix of the distribution's companions (e.g. corpus-prod-web)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2-41 lower case letters, digits or hyphens, starting with a letter."
  }
}

variable "bucket_name" {
  description = "Name of the private S3 bucket holding the built web app (globally unique)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name."
  }
}

variable "force_destroy" {
  description = "Allow destroying the bucket with its objects (the app is rebuilt from git; true outside prod)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key encrypting the bucket. Its policy must let cloudfront.amazonaws.com decrypt for this distribution (kms:Decrypt with aws:SourceArn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "log_bucket_name" {
  description = "Bucket receiving the S3 server access logs and the CloudFront standard logs (CloudFront needs ACLs enabled on it)."
  type        = string
}

variable "api_origin_domain_name" {
  description = "DNS name of the ALB origin for /api/* (a name covered by the ALB's certificate, e.g. origin.example.com). null: no API behaviour."
  type        = string
  default     = null
}

variable "aliases" {
  description = "Domain names of the distribution (covered by certificate_arn), e.g. [\"corpus.example.com\"]."
  type        = list(string)

  validation {
    condition     = length(var.aliases) >= 1
    error_message = "At least one alias is required: the site is served on its own name with TLS 1.2+, never on the default *.cloudfront.net certificate."
  }
}

variable "certificate_arn" {
  description = "ACM certificate in us-east-1 covering the aliases (the dns-cert module, called with a us-east-1 provider)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN in us-east-1 (CloudFront's region)."
  }
}

variable "waf_web_acl_arn" {
  description = "ARN of a WAFv2 web ACL with CLOUDFRONT scope to attach (recommended in prod). null: none."
  type        = string
  default     = null
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "content_security_policy" {
  description = "Content-Security-Policy of the web app. null: a strict same-origin default plus csp_connect_src_extra."
  type        = string
  default     = null
}

variable "csp_connect_src_extra" {
  description = "Extra connect-src sources of the default CSP, e.g. the landing bucket's HTTPS endpoint the browser PUTs uploads to."
  type        = list(string)
  default     = []
}

variable "emulator_compatible" {
  description = "Skip what the local AWS emulator cannot create (see ../EMULATOR.md). Never true in a real account."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "document_cache_max_seconds" {
  description = "Longest time the edge keeps a document's metadata or text (the services send s-maxage=300): the bound on how long a deleted document can still be served."
  type        = number
  default     = 300

  validation {
    condition     = var.document_cache_max_seconds >= 0 && var.document_cache_max_seconds <= 3600
    error_message = "document_cache_max_seconds must be between 0 and 3600."
  }
}
