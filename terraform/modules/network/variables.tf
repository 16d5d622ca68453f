variable "name" {
  description = "Name prefix for every resource (e.g. corpus-test). Lower case letters, digits and hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lower case letters, digits and hyphens, starting with a letter."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC. A /16 to /24; subnets are carved from it unless given explicitly."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) >= 16 && tonumber(split("/", var.cidr_block)[1]) <= 24
    error_message = "cidr_block must be a valid IPv4 CIDR with a prefix length between /16 and /24."
  }
}

variable "azs" {
  description = "Availability zone names to spread the subnets over (at least two), e.g. [\"eu-west-1a\", \"eu-west-1b\"]."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 2 && length(distinct(var.azs)) == length(var.azs)
    error_message = "azs must hold at least two distinct availability zone names."
  }
}

variable "public_subnet_cidrs" {
  description = "CIDRs of the public subnets, one per AZ in the order of azs. Empty: derived with cidrsubnet(cidr_block, 4, index)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "public_subnet_cidrs must hold valid IPv4 CIDR blocks."
  }
}

variable "private_subnet_cidrs" {
  description = "CIDRs of the private subnets, one per AZ in the order of azs. Empty: derived with cidrsubnet(cidr_block, 4, 8 + index)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "private_subnet_cidrs must hold valid IPv4 CIDR blocks."
  }
}

variable "enable_nat_gateway" {
  description = "Create NAT gateway(s) so private subnets reach the internet (ECR, AWS APIs without endpoints, callbacks)."
  type        = bool
  default     = true
}

variable "single_nat_gateway" {
  description = "Use one NAT gateway for all AZs (cheaper, not AZ-resilient). false (prod): one NAT gateway per AZ."
  type        = bool
  default     = false
}

variable "enable_gateway_endpoints" {
  description = "Create the S3 and DynamoDB gateway VPC endpoints on every route table."
  type        = bool
  default     = true
}

variable "enable_flow_logs" {
  description = "Send VPC flow logs (ALL traffic) to a KMS-encrypted CloudWatch log group."
  type        = bool
  default     = true
}

variable "flow_log_kms_key_arn" {
  description = "ARN of the KMS key encrypting the flow log group. Its key policy must allow the logs.<region>.amazonaws.com principal. Required when enable_flow_logs is true."
  type        = string
  default     = null

  validation {
    condition     = var.flow_log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.flow_log_kms_key_arn))
    error_message = "flow_log_kms_key_arn must be a KMS key ARN (arn:aws:kms:...)."
  }
}

variable "flow_log_retention_days" {
  description = "Retention of the flow log group in days (a CloudWatch-allowed value)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a retention value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ..., 365, 400, ..., 3653)."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
