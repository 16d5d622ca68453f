output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "vpc_cidr_block" {
  description = "CIDR of the VPC."
  value       = module.network.vpc_cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets (load balancer)."
  value       = module.network.public_subnet_ids
}

output "private_subnet_ids" {
  description = "Private subnets (tasks, database)."
  value       = module.network.private_subnet_ids
}

output "nat_public_ips" {
  description = "Public addresses of the NAT gateways (what private subnets look like from the internet, e.g. to the ALB's test listener)."
  value       = module.network.nat_public_ips
}
