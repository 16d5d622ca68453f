# Image repositories of the service crates; images are built once (tagged by commit) and
# promoted from test to prod, so the repositories live in the shared account.
module "key" {
  source = "../../../modules/kms-key"

  name               = "${local.name_prefix}-ecr"
  description        = "Container images of corpus"
  service_principals = ["ecr"]
  # Tasks of the environment accounts decrypt layers when they pull.
  user_principal_arns = [for a in try(local.shared.ecr.pull_account_ids, []) : "arn:aws:iam::${a}:root"]

  tags = { Service = "ecr" }
}

module "ecr" {
  source = "../../../modules/ecr"

  names              = values(local.shared.ecr.repositories)
  kms_key_arn        = module.key.key_arn
  keep_tagged_images = local.shared.ecr.keep_tagged_images
  pull_account_ids   = try(local.shared.ecr.pull_account_ids, [])

  tags = { Service = "ecr" }
}

# Published for the environments' roots and the build (buildspec.yml): repository URL per
# service, read with data "aws_ssm_parameter" or terraform_remote_state.
resource "aws_ssm_parameter" "repository_url" {
  # checkov:skip=CKV2_AWS_34:A repository URL is not a secret; a plain String parameter is the right type.
  for_each = local.shared.ecr.repositories

  name        = "/corpus/shared/ecr/${each.key}/repository-url"
  description = "ECR repository of the ${each.key} image"
  type        = "String"
  value       = module.ecr.repository_urls[each.value]
}
