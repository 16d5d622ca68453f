# The tags every resource of a root carries (the roots' provider default_tags): shared tags,
# then the environment's, then the fixed Environment, Root and default Service.
locals {
  tags = merge(var.shared_tags, var.env_tags, {
    Environment = var.environment
    Root        = var.root
    Service     = var.service
  })
}
