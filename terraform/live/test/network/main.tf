data "terraform_remote_state" "base" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/base/terraform.tfstate" })
}

module "network" {
  source = "../../../modules/network"

  name                 = local.name_prefix
  cidr_block           = local.config.network.cidr
  azs                  = local.config.network.azs
  single_nat_gateway   = local.config.network.single_nat_gateway
  flow_log_kms_key_arn = data.terraform_remote_state.base.outputs.kms_key_arns.logs

  tags = { Service = "network" }
}
