# CloudFront certificates live in us-east-1 whatever the environment's region.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

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
