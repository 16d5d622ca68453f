# The web app: private bucket + CloudFront (origin access control), /api/* forwarded to the
# ALB's origin name without caching, security headers; certificate and alias in us-east-1.
data "terraform_remote_state" "base" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/base/terraform.tfstate" })
}

data "terraform_remote_state" "data" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/data/terraform.tfstate" })
}

data "terraform_remote_state" "services" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/services/terraform.tfstate" })
}

locals {
  base      = data.terraform_remote_state.base.outputs
  site_name = local.config.dns.site_name
}

module "web_key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-web"
  description        = "Web app bucket of ${local.env} (CloudFront reads through origin access control)"
  service_principals = ["s3", "cloudfront"]

  tags = { Service = "frontend" }
}

# CloudFront only accepts certificates from us-east-1.
module "site_cert" {
  source = "../../../modules/dns-cert"
  providers = {
    aws = aws.us_east_1
  }

  zone_id             = local.base.zone_id
  domain_name         = local.site_name
  wait_for_validation = !var.emulator

  tags = { Service = "frontend" }
}

module "site" {
  # checkov:skip=CKV_AWS_174:certificate_arn is always set here (module.site_cert), so the module selects minimum_protocol_version TLSv1.2_2021; checkov cannot resolve the certificate output and evaluates the module's default-certificate branch.
  source = "../../../modules/static-site"

  name                   = "${local.name_prefix}-web"
  bucket_name            = "${local.name_prefix}-web${local.config.bucket_suffix}"
  force_destroy          = local.config.data.force_destroy
  kms_key_arn            = module.web_key.key_arn
  log_bucket_name        = local.base.log_bucket
  api_origin_domain_name = data.terraform_remote_state.services.outputs.origin_name
  aliases                = [local.site_name]
  certificate_arn        = module.site_cert.certificate_arn
  price_class            = local.config.frontend.price_class
  # Browsers PUT uploads straight to the landing bucket (presigned URLs).
  csp_connect_src_extra = ["https://${data.terraform_remote_state.data.outputs.landing_bucket}.s3.${local.config.region}.amazonaws.com"]
  emulator_compatible   = var.emulator

  tags = { Service = "frontend" }
}

# The static-site module creates no distribution against the emulator, so no alias either.
resource "aws_route53_record" "site" {
  for_each = var.emulator ? toset([]) : toset(["A", "AAAA"])

  zone_id = local.base.zone_id
  name    = local.site_name
  type    = each.value

  alias {
    name                   = module.site.domain_name
    zone_id                = module.site.hosted_zone_id
    evaluate_target_health = false
  }
}

# Published for frontend/buildspec.yml and the pipeline's smoke test.
resource "aws_ssm_parameter" "frontend" {
  # checkov:skip=CKV2_AWS_34:Bucket and distribution names are not secrets; a plain String parameter is the right type.
  name        = "/corpus/${local.env}/deploy/frontend"
  description = "Where frontend/buildspec.yml publishes the web app in ${local.env}"
  type        = "String"
  value = jsonencode({
    bucket          = module.site.bucket_name
    distribution_id = module.site.distribution_id
  })
}

resource "aws_ssm_parameter" "public_url" {
  # checkov:skip=CKV2_AWS_34:A public URL is not a secret; a plain String parameter is the right type.
  name        = "/corpus/${local.env}/public-url"
  description = "Public entry point of ${local.env}"
  type        = "String"
  value       = "https://${local.site_name}"
}
