# ---------------------------------------------------------------------------------------
# Build image (.ci/Dockerfile): its own project on the standard image, privileged for
# Docker; built on a push that changes .ci/ or the Python requirements, and by hand once
# when bootstrapping (docs/delivery.md)
# ---------------------------------------------------------------------------------------
resource "aws_iam_role" "image" {
  name               = "${var.name}-image"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "image" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.builds.arn}:*"]
  }

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushBuildImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [var.build_image_repository.arn]
  }

  statement {
    sid       = "Keys"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [var.ecr_kms_key_arn, module.key.key_arn]
  }

  dynamic "statement" {
    for_each = local.codestar ? [1] : []
    content {
      sid       = "UseSourceConnection"
      actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection", "codestar-connections:GetConnectionToken", "codeconnections:GetConnectionToken"]
      resources = [var.source_config.connection_arn]
    }
  }

  dynamic "statement" {
    for_each = local.codestar ? [] : [1]
    content {
      sid       = "PullCodeCommit"
      actions   = ["codecommit:GitPull"]
      resources = [local.codecommit_arn]
    }
  }
}

resource "aws_iam_role_policy" "image" {
  name   = "image"
  role   = aws_iam_role.image.id
  policy = data.aws_iam_policy_document.image.json
}

resource "aws_codebuild_project" "image" {
  # checkov:skip=CKV_AWS_316:Privileged mode runs the Docker daemon that builds the build image; the project runs only .ci/image.yml of the repository.
  name           = "${var.name}-image"
  description    = "Builds .ci/Dockerfile and pushes it to ${var.build_image_repository.url} (tag from .ci/image-tag.sh)"
  service_role   = aws_iam_role.image.arn
  encryption_key = local.build_encryption_key
  build_timeout  = 60

  artifacts {
    type = "NO_ARTIFACTS"
  }

  source {
    type            = local.codestar ? "GITHUB" : "CODECOMMIT"
    location        = local.repository_url
    buildspec       = ".ci/image.yml"
    git_clone_depth = 1
  }

  source_version = var.source_config.branch

  environment {
    type            = "LINUX_CONTAINER"
    compute_type    = "BUILD_GENERAL1_MEDIUM"
    image           = var.image_builder_image
    privileged_mode = true

    environment_variable {
      name  = "IMAGE_REPO"
      value = var.build_image_repository.url
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name  = aws_cloudwatch_log_group.builds.name
      stream_name = "image"
    }
  }

  tags = var.tags
}

# GitHub through the CodeConnections connection, for the projects that read the
# repository themselves (image build, pull-request gate). One per account and server type.
resource "aws_codebuild_source_credential" "github" {
  count = local.codestar && !var.emulator_compatible ? 1 : 0

  auth_type   = "CODECONNECTIONS"
  server_type = "GITHUB"
  token       = var.source_config.connection_arn
}

resource "aws_codebuild_webhook" "image" {
  # Not against the emulator: moto has no CodeBuild webhooks.
  count = local.codestar && !var.emulator_compatible ? 1 : 0

  project_name = aws_codebuild_project.image.name
  build_type   = "BUILD"

  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PUSH"
    }
    filter {
      type    = "HEAD_REF"
      pattern = "^refs/heads/${var.source_config.branch}$"
    }
    filter {
      type    = "FILE_PATH"
      pattern = "^(\\.ci/|scripts/requirements[^/]*\\.txt$)"
    }
  }

  depends_on = [aws_codebuild_source_credential.github]
}

# ---------------------------------------------------------------------------------------
# Pull-request gate: ./scripts/test.sh on every pull request to the branch, status
# reported to the pull request
# ---------------------------------------------------------------------------------------
locals {
  pr_gate = var.pull_request_gate && local.codestar
}

resource "aws_iam_role" "pr" {
  count = local.pr_gate ? 1 : 0

  name               = "${var.name}-pr"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "pr" {
  count = local.pr_gate ? 1 : 0

  source_policy_documents = [data.aws_iam_policy_document.codebuild_base.json]

  statement {
    sid       = "UseSourceConnection"
    actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection", "codestar-connections:GetConnectionToken", "codeconnections:GetConnectionToken"]
    resources = [var.source_config.connection_arn]
  }
}

resource "aws_iam_role_policy" "pr" {
  count = local.pr_gate ? 1 : 0

  name   = "pr"
  role   = aws_iam_role.pr[0].id
  policy = data.aws_iam_policy_document.pr[0].json
}

resource "aws_codebuild_project" "pr" {
  count = local.pr_gate ? 1 : 0

  name           = "${var.name}-pr"
  description    = "Runs ./scripts/test.sh on pull requests to ${var.source_config.branch} and reports the status"
  service_role   = aws_iam_role.pr[0].arn
  encryption_key = local.build_encryption_key
  build_timeout  = 90

  artifacts {
    type = "NO_ARTIFACTS"
  }

  source {
    type                = "GITHUB"
    location            = local.repository_url
    buildspec           = ".ci/pr.yml"
    git_clone_depth     = 1
    report_build_status = true
  }

  cache {
    type     = "S3"
    location = "${module.artifacts.id}/cache/pr"
  }

  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = var.build_compute_type
    image                       = local.build_image
    image_pull_credentials_type = "SERVICE_ROLE"
  }

  logs_config {
    cloudwatch_logs {
      group_name  = aws_cloudwatch_log_group.builds.name
      stream_name = "pr"
    }
  }

  tags = var.tags
}

resource "aws_codebuild_webhook" "pr" {
  # Not against the emulator: moto has no CodeBuild webhooks.
  count = local.pr_gate && !var.emulator_compatible ? 1 : 0

  project_name = aws_codebuild_project.pr[0].name
  build_type   = "BUILD"

  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED"
    }
    filter {
      type    = "BASE_REF"
      pattern = "^refs/heads/${var.source_config.branch}$"
    }
  }

  depends_on = [aws_codebuild_source_credential.github]
}
