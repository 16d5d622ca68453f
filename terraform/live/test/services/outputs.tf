output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch dimension)."
  value       = module.alb.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.alb.dns_name
}

output "origin_name" {
  description = "Name CloudFront uses for the /api/* origin (covered by the ALB certificate)."
  value       = local.config.dns.origin_name
}

output "target_group_arn_suffixes" {
  description = "Target groups (blue and green) of each service, by <service>-<colour>."
  value = merge(
    { for k, v in module.documents.target_group_arn_suffixes : "documents-${k}" => v },
    { for k, v in module.ingest.target_group_arn_suffixes : "ingest-${k}" => v },
  )
}

output "service_names" {
  description = "ECS services of the environment."
  value       = [module.documents.service_name, module.ingest.service_name, module.worker.service_name]
}

output "deploy_parameters" {
  description = "SSM parameters with each service's deployment settings."
  value       = { for k, p in aws_ssm_parameter.deploy : k => p.name }
}

output "blue_green_services" {
  description = "Every output of the ecs-service module of each blue/green service (the Terraform test suite simulates a CodeDeploy deployment with them)."
  value = {
    documents = module.documents
    ingest    = module.ingest
  }
}

output "reconcile" {
  description = "The reconciler's schedule (its schedule group has the same name), task group, task role and alarms."
  value = {
    schedule    = module.reconcile.schedule_name
    task_group  = module.reconcile.task_group
    dlq_url     = module.reconcile.dead_letter_queue_url
    alarm_names = module.reconcile.alarm_names
    # The role its runs assume instead of the worker's (a run by hand passes it as the
    # taskRoleArn override).
    task_role_arn = module.reconcile.task_role_arn
    # Its own: reaches AWS's APIs, not the database.
    security_group_id = aws_security_group.reconcile.id
  }
}

output "database_client_security_groups" {
  description = "The task security groups the database admits on 5432, by service (the SSM port forward of docs/runbook-database.md runs through one of these tasks)."
  value = {
    documents       = module.documents.security_group_id
    "ingest-worker" = module.worker.security_group_id
  }
}
