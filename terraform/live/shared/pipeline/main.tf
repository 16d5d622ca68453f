# The delivery pipeline (docs/delivery.md): source -> build (backend, web app) -> test
# (migrate + hook, blue/green + workers, web app, smoke) -> approval -> prod (the same), plus
# the build image project, the pull-request gate and the infrastructure pipeline. Image repositories come from the shared/ecr root's state.
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
  # Every image repository but the build image's is a service image the build pushes.
  ecr_repositories = {
    for svc, url in local.ecr.repository_urls : svc => { url = url, arn = local.ecr.repository_arns[svc] } if svc != "build-image"
  }
  build_image_repository = {
    url = local.ecr.repository_urls["build-image"]
    arn = local.ecr.repository_arns["build-image"]
  }
  ecr_kms_key_arn = local.ecr.kms_key_arn
  environments = [for e in local.pipeline.environments : {
    name            = e.name
    approval        = try(e.approval, false)
    account_id      = try(e.account_id, null)
    deploy_role_arn = try(e.deploy_role_arn, null)
    # The environment's public URL, from its own configuration.
    url = "https://${yamldecode(file("${path.module}/../../../config/${e.name}.yaml")).dns.site_name}"
  }]
  services                = local.pipeline.services
  notification_emails     = compact([try(local.pipeline.notification_email, null)])
  pull_request_gate       = try(local.pipeline.pull_request_gate, true)
  infrastructure_pipeline = try(local.pipeline.infrastructure_pipeline, true)
  tls_only_policy         = !var.emulator
  emulator_compatible     = var.emulator

  tags = { Service = "pipeline" }
}
