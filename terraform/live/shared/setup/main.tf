# Bootstrap: the bucket and lock table holding every other root's state. This root keeps a
# local state (scripts/tf.sh; see terraform/README.md, "Bootstrapping an account").
module "state_backend" {
  source = "../../../modules/state-backend"

  bucket_name       = local.shared.state.bucket
  lock_table_name   = local.shared.state.lock_table
  key_name          = "${local.name_prefix}-tfstate"
  state_reader_arns = try(local.shared.state.reader_role_arns, [])
  tls_only_policy   = !var.emulator

  tags = { Service = "terraform-state" }
}
