# Identical in every root: configuration, naming, the provider and the remote state settings.
locals {
  config = yamldecode(file("${path.module}/../../../config/${local.env}.yaml"))
  shared = yamldecode(file("${path.module}/../../../config/shared.yaml"))

  name_prefix = "corpus-${local.env}"
  tags        = module.tags.tags

  # Settings for terraform_remote_state of other roots (same bucket and key layout as the
  # backend that scripts/tf.sh configures).
  remote_state = merge(
    {
      bucket = local.shared.state.bucket
      region = local.shared.state.region
    },
    [for e in [var.aws_endpoint_url] : {
      endpoints                   = { s3 = e, sts = e, iam = e }
      use_path_style              = true
      skip_credentials_validation = true
      skip_requesting_account_id  = true
      skip_metadata_api_check     = true
      skip_region_validation      = true
    } if var.emulator]...
  )
}

# Tags of every resource (the provider's default_tags): config/shared.yaml and
# config/<env>.yaml `tags` (Owner required), Environment, Root, and Service = "platform"
# unless a module call sets its own Service.
module "tags" {
  source = "../../../modules/tags"

  shared_tags = try(local.shared.tags, {})
  env_tags    = try(local.config.tags, null) == null ? {} : local.config.tags
  environment = local.env
  root        = "${local.env}/${local.resource}"
  service     = "platform"
}

# The provider honours AWS_ENDPOINT_URL itself; the emulator switches below only relax checks
# that an emulator cannot satisfy, and are off for real AWS.
provider "aws" {
  region              = local.config.region
  allowed_account_ids = var.emulator || try(local.config.account_id, null) == null ? null : [tostring(local.config.account_id)]

  dynamic "assume_role" {
    for_each = !var.emulator && try(local.config.role_arn, null) != null ? [local.config.role_arn] : []
    content {
      role_arn     = assume_role.value
      session_name = "terraform-${local.env}-${local.resource}"
    }
  }

  s3_use_path_style           = var.emulator
  skip_credentials_validation = var.emulator
  skip_metadata_api_check     = var.emulator
  skip_region_validation      = var.emulator

  default_tags {
    tags = local.tags
  }
}
