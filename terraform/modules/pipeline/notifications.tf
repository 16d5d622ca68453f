# ---------------------------------------------------------------------------------------
# Everyone hears about failures: pipeline events and CodeDeploy failures to the topic
# ---------------------------------------------------------------------------------------
resource "aws_codestarnotifications_notification_rule" "pipeline" {
  # Not against the emulator: there is no pipeline there (and moto has no CodeStar
  # Notifications).
  for_each = var.emulator_compatible ? {} : merge(
    { delivery = aws_codepipeline.this[0].arn },
    { for p in aws_codepipeline.infra : "infrastructure" => p.arn },
  )

  name        = "${var.name}-${each.key}"
  resource    = each.value
  detail_type = "FULL"
  event_type_ids = [
    "codepipeline-pipeline-pipeline-execution-failed",
    "codepipeline-pipeline-pipeline-execution-succeeded",
    "codepipeline-pipeline-manual-approval-needed",
  ]

  target {
    address = module.notifications.arn
  }

  tags = var.tags
}

# CodeDeploy deployments of the environments in this account (blue/green of every
# service): failed or stopped deployments (an automatic rollback follows a failure and
# reports its own deployment as failed or stopped too). Environments in other accounts
# raise these events there: their monitoring root watches them.
resource "aws_cloudwatch_event_rule" "deployment_failed" {
  count = length(local.same_account_envs) > 0 ? 1 : 0

  name        = "${var.name}-deployment-failed"
  description = "CodeDeploy deployments of corpus-<env>-* that failed, stopped or rolled back"
  event_pattern = jsonencode({
    source        = ["aws.codedeploy"]
    "detail-type" = ["CodeDeploy Deployment State-change Notification"]
    detail = {
      application = [for e in local.same_account_envs : { prefix = "corpus-${e}-" }]
      state       = ["FAILURE", "STOP"]
    }
  })

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "deployment_failed" {
  count = length(local.same_account_envs) > 0 ? 1 : 0

  rule      = aws_cloudwatch_event_rule.deployment_failed[0].name
  target_id = "notifications"
  arn       = module.notifications.arn
}
