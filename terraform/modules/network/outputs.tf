output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC (used e.g. by the ALB test listener rule)."
  value       = aws_vpc.this.cidr_block
}

output "azs" {
  description = "Availability zones the subnets are spread over, in subnet order."
  value       = var.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in the order of azs (load balancer, NAT gateways)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in the order of azs (ECS tasks, RDS)."
  value       = aws_subnet.private[*].id
}

output "public_subnet_cidrs" {
  description = "CIDR blocks of the public subnets."
  value       = aws_subnet.public[*].cidr_block
}

output "private_subnet_cidrs" {
  description = "CIDR blocks of the private subnets."
  value       = aws_subnet.private[*].cidr_block
}

output "public_route_table_id" {
  description = "ID of the route table shared by the public subnets."
  value       = aws_route_table.public.id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables, one per AZ."
  value       = aws_route_table.private[*].id
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (empty when enable_nat_gateway is false)."
  value       = aws_nat_gateway.this[*].id
}

output "nat_public_ips" {
  description = "Public (egress) IP addresses of the NAT gateways: sources of in-VPC callers of the ALB test listener (alb test_listener_extra_cidrs) and of callbacks."
  value       = aws_eip.nat[*].public_ip
}

output "s3_endpoint_id" {
  description = "ID of the S3 gateway endpoint (null when disabled)."
  value       = one(aws_vpc_endpoint.s3[*].id)
}

output "s3_endpoint_prefix_list_id" {
  description = "Prefix list ID of the S3 gateway endpoint, for security group egress rules (null when disabled)."
  value       = one(aws_vpc_endpoint.s3[*].prefix_list_id)
}

output "dynamodb_endpoint_id" {
  description = "ID of the DynamoDB gateway endpoint (null when disabled)."
  value       = one(aws_vpc_endpoint.dynamodb[*].id)
}

output "dynamodb_endpoint_prefix_list_id" {
  description = "Prefix list ID of the DynamoDB gateway endpoint (null when disabled)."
  value       = one(aws_vpc_endpoint.dynamodb[*].prefix_list_id)
}

output "flow_log_group_name" {
  description = "Name of the CloudWatch log group receiving the VPC flow logs (null when disabled)."
  value       = one(aws_cloudwatch_log_group.flow_logs[*].name)
}

output "default_security_group_id" {
  description = "ID of the VPC's default security group, kept without any rule."
  value       = aws_default_security_group.this.id
}
