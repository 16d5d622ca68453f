# ---------------------------------------------------------------------------------------
# Infrastructure pipeline: a push that changes terraform/ plans test and prod (the plans
# are kept as artifacts), applies test, then prod after a manual approval. Applies go
# through scripts/deploy.sh, so the destroy guard of scripts/tf.sh refuses any plan that
# deletes or replaces a stateful or traffic-critical resource.
# ---------------------------------------------------------------------------------------
locals {
  infra       = var.infrastructure_pipeline && local.codestar
  infra_envs  = [for e in var.environments : e.name]
  infra_kinds = merge({ plan = "all" }, { for e in local.infra_envs : "apply-${e}" => e })
}

resource "aws_iam_role" "infra" {
  count = local.infra ? 1 : 0

  name               = "${var.name}-terraform"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "infra" {
  count = local.infra ? 1 : 0

  name   = "pipeline"
  role   = aws_iam_role.infra[0].id
  policy = data.aws_iam_policy_document.codebuild_base.json
}

resource "aws_iam_role_policy_attachment" "infra" {
  # checkov:skip=CKV_AWS_274:Terraform creates every kind of resource of the environments (IAM, networks, databases); the role is assumed only by CodeBuild of this account running the repository's own infra buildspecs from the protected branch.
  # Not against the emulator: AWS managed policies are not loaded there.
  count = local.infra && !var.emulator_compatible ? 1 : 0

  role       = aws_iam_role.infra[0].name
  policy_arn = var.infrastructure_policy_arn
}

resource "aws_codebuild_project" "infra" {
  for_each = local.infra ? local.infra_kinds : {}

  name           = "${var.name}-terraform-${each.key}"
  description    = each.key == "plan" ? "scripts/deploy.sh plan for ${join(", ", local.infra_envs)}" : "scripts/deploy.sh apply ${each.value} (destroy guard on)"
  service_role   = aws_iam_role.infra[0].arn
  encryption_key = local.build_encryption_key
  build_timeout  = 120

  artifacts {
    type     = "CODEPIPELINE"
    location = local.emulator_location
  }

  source {
    type      = "CODEPIPELINE"
    location  = local.emulator_location
    buildspec = file("${path.module}/buildspecs/${each.key == "plan" ? "terraform-plan.yml" : "terraform-apply.yml"}")
  }

  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = "BUILD_GENERAL1_MEDIUM"
    image                       = local.build_image
    image_pull_credentials_type = "SERVICE_ROLE"

    environment_variable {
      name  = "ENVIRONMENTS"
      value = each.key == "plan" ? join(" ", local.infra_envs) : each.value
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name  = aws_cloudwatch_log_group.builds.name
      stream_name = "terraform-${each.key}"
    }
  }

  tags = var.tags
}

resource "aws_codepipeline" "infra" {
  # Not against the emulator (as the delivery pipeline).
  count = local.infra && !var.emulator_compatible ? 1 : 0

  name          = "${var.name}-terraform"
  role_arn      = aws_iam_role.pipeline.arn
  pipeline_type = "V2"

  artifact_store {
    type     = "S3"
    location = module.artifacts.id

    encryption_key {
      type = "KMS"
      id   = module.key.key_arn
    }
  }

  # Only pushes to the branch that change terraform/ start it.
  trigger {
    provider_type = "CodeStarSourceConnection"
    git_configuration {
      source_action_name = "Source"
      push {
        branches {
          includes = [var.source_config.branch]
        }
        file_paths {
          includes = ["terraform/**"]
        }
      }
    }
  }

  stage {
    name = "Source"

    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "CodeStarSourceConnection"
      version          = "1"
      namespace        = "SourceVariables"
      output_artifacts = ["SourceOutput"]
      configuration    = local.source_configuration
    }
  }

  stage {
    name = "Plan"

    action {
      name             = "Plan"
      category         = "Build"
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
      input_artifacts  = ["SourceOutput"]
      output_artifacts = ["Plans"]
      configuration = {
        ProjectName = aws_codebuild_project.infra["plan"].name
      }
    }
  }

  dynamic "stage" {
    for_each = { for i, e in var.environments : i => e }
    content {
      name = "Apply-${stage.value.name}"

      dynamic "action" {
        for_each = stage.value.approval ? [1] : []
        content {
          name     = "Approve"
          category = "Approval"
          owner    = "AWS"
          provider = "Manual"
          version  = "1"
          configuration = {
            NotificationArn = module.notifications.arn
            CustomData      = "Apply the Terraform of commit #{SourceVariables.CommitId} to ${stage.value.name}? Its plan is plans/${stage.value.name}.txt in the Plans artifact."
          }
          run_order = 1
        }
      }

      action {
        name            = "Apply"
        category        = "Build"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        input_artifacts = ["SourceOutput"]
        configuration = {
          ProjectName = aws_codebuild_project.infra["apply-${stage.value.name}"].name
        }
        run_order = 2
      }
    }
  }

  tags = var.tags
}
