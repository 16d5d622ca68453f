output "service_name" {
  description = "Name of the ECS service (also the container name in the appspec)."
  value       = local.service_name
}

output "service_id" {
  description = "ARN of the ECS service."
  value       = local.service_id
}

output "container_name" {
  description = "Container name to put in the appspec's LoadBalancerInfo and the rendered task definition."
  value       = var.service_name
}

output "container_port" {
  description = "Container port to put in the appspec's LoadBalancerInfo."
  value       = var.container_port
}

output "task_definition_family" {
  description = "Task definition family; the pipeline registers new revisions of it."
  value       = aws_ecs_task_definition.bootstrap.family
}

output "bootstrap_task_definition_arn" {
  description = "ARN of the bootstrap revision registered by Terraform (the template the pipeline renders from)."
  value       = aws_ecs_task_definition.bootstrap.arn
}

output "execution_role_arn" {
  description = "ARN of the task execution role (pipeline-rendered task definitions reuse it)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the task role (pipeline-rendered task definitions reuse it)."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role, to attach further policies from a live root."
  value       = aws_iam_role.task.name
}

output "security_group_id" {
  description = "Security group of the tasks: appspec NetworkConfiguration, and the source for the database ingress rule."
  value       = aws_security_group.this.id
}

output "subnet_ids" {
  description = "Subnets of the tasks, for the appspec's NetworkConfiguration."
  value       = var.subnet_ids
}

output "log_group_name" {
  description = "CloudWatch log group of the service."
  value       = aws_cloudwatch_log_group.this.name
}

output "target_group_names" {
  description = "Blue and green target group names (map with keys blue and green)."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.name }
}

output "target_group_arn_suffixes" {
  description = "Blue and green target group ARN suffixes, for alarms and dashboards."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn_suffix }
}

output "prod_listener_rule_arn" {
  description = "ARN of the service's rule on the prod listener."
  value       = aws_lb_listener_rule.prod.arn
}

output "test_listener_rule_arn" {
  description = "ARN of the service's rule on the test listener."
  value       = aws_lb_listener_rule.test.arn
}

output "codedeploy_app_name" {
  description = "CodeDeploy application name (the pipeline's deploy action)."
  value       = aws_codedeploy_app.this.name
}

output "codedeploy_deployment_group_name" {
  description = "CodeDeploy deployment group name (the pipeline's deploy action)."
  value       = aws_codedeploy_deployment_group.this.deployment_group_name
}

output "codedeploy_role_arn" {
  description = "ARN of the CodeDeploy service role."
  value       = aws_iam_role.codedeploy.arn
}

output "alarm_names" {
  description = "Names of the alarms CodeDeploy watches (5xx and p99 latency of both target groups)."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.target_5xx : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.target_latency : a.alarm_name],
  )
}

output "appspec_resource" {
  description = "The appspec's TargetService resource for this service, with <TASK_DEFINITION> left for CodeDeploy/the pipeline (jsonencode it, or copy its values into appspec.yaml)."
  value = {
    TargetService = {
      Type = "AWS::ECS::Service"
      Properties = {
        TaskDefinition = "<TASK_DEFINITION>"
        LoadBalancerInfo = {
          ContainerName = var.service_name
          ContainerPort = var.container_port
        }
        PlatformVersion = "LATEST"
        NetworkConfiguration = {
          AwsvpcConfiguration = {
            Subnets        = var.subnet_ids
            SecurityGroups = [aws_security_group.this.id]
            AssignPublicIp = "DISABLED"
          }
        }
      }
    }
  }
}
