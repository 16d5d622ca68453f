data "terraform_remote_state" "base" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/base/terraform.tfstate" })
}

data "terraform_remote_state" "network" {
  backend = "s3"
  config  = merge(local.remote_state, { key = "${local.env}/network/terraform.tfstate" })
}

module "cluster" {
  source = "../../../modules/ecs-cluster"

  name                = local.name_prefix
  log_kms_key_arn     = data.terraform_remote_state.base.outputs.kms_key_arns.logs
  enable_ec2_capacity = local.config.cluster.enable_ec2_capacity
  vpc_id              = data.terraform_remote_state.network.outputs.vpc_id
  subnet_ids          = data.terraform_remote_state.network.outputs.private_subnet_ids
  emulator_compatible = var.emulator

  tags = { Service = "cluster" }
}
