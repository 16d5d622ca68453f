# The delivery pipeline: source -> build -> test (migrate, blue/green, smoke) -> approval ->
# prod (migrate, blue/green, smoke). Image repositories come from the shared/ecr root's state.
data "terraform_remote_state" "ecr" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "shared/ecr/terraform.tfstate" })
}

locals {
  pipeline = local.shared.pipeline
  ecr      = data.terraform_remote_state.ecr.outputs
}

module "pipeline" {
  source = "../../../modules/pipeline"

  name = local.pipeline.name
  source_config = {
    provider       = local.pipeline.source.provider
    repository     = local.pipeline.source.repository
    branch         = local.pipeline.source.branch
    connection_arn = try(local.pipeline.source.connection_arn, null)
  }
  ecr_repositories = {
    for svc, url in local.ecr.repository_urls : svc => { url = url, arn = local.ecr.repository_arns[svc] }
  }
  ecr_kms_key_arn = local.ecr.kms_key_arn
  environments = [for e in local.pipeline.environments : {
    name            = e.name
    approval        = try(e.approval, false)
    account_id      = try(e.account_id, null)
    deploy_role_arn = try(e.deploy_role_arn, null)
  }]
  services            = local.pipeline.services
  notification_emails = compact([try(local.pipeline.notification_email, null)])
  tls_only_policy     = !var.emulator
  emulator_compatible = var.emulator
}
