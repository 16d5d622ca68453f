output "arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer (the LoadBalancer dimension of CloudWatch metrics)."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "DNS name of the load balancer (CloudFront origin, Route 53 alias target)."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Canonical hosted zone ID of the load balancer, for Route 53 alias records."
  value       = aws_lb.this.zone_id
}

output "security_group_id" {
  description = "ID of the load balancer's security group (source of the services' ingress rules)."
  value       = aws_security_group.this.id
}

output "https_listener_arn" {
  description = "ARN of the production HTTPS listener (port 443); services attach their prod listener rules here."
  value       = aws_lb_listener.https.arn
}

output "http_listener_arn" {
  description = "ARN of the HTTP listener (port 80) that redirects to HTTPS."
  value       = aws_lb_listener.http.arn
}

output "test_listener_arn" {
  description = "ARN of the blue/green test listener; services attach their test listener rules here."
  value       = aws_lb_listener.test.arn
}

output "test_listener_port" {
  description = "Port of the test listener."
  value       = var.test_listener_port
}

output "waf_web_acl_arn" {
  description = "ARN of the load balancer's WAF web ACL (null when disabled)."
  value       = one(aws_wafv2_web_acl.this[*].arn)
}
