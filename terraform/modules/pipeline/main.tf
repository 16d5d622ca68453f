data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  envs         = { for e in var.environments : e.name => e }
  deploy_roles = compact([for e in var.environments : e.deploy_role_arn])
  # Account each environment lives in (its own, or the pipeline's).
  env_account = { for e in var.environments : e.name => coalesce(e.account_id, local.account_id) }

  codestar       = var.source_config.provider == "CodeStarSourceConnection"
  codecommit_arn = local.codestar ? null : "arn:${local.partition}:codecommit:${local.region}:${local.account_id}:${var.source_config.repository}"

  # AWS ignores the location of CODEPIPELINE sources and artifacts; moto insists on one.
  emulator_location = var.emulator_compatible ? "codepipeline" : null
  # moto ignores a project's encryption key and always answers with alias/aws/s3.
  build_encryption_key = var.emulator_compatible ? null : module.key.key_arn

  # The build image (.ci/Dockerfile): every project but the image build itself runs in it.
  # Its tag is derived from the files the image is built from, exactly as .ci/image-tag.sh
  # computes it, so a change of .ci/Dockerfile or the Python requirements is a new tag.
  repo_root          = "${path.module}/../../.."
  build_image_inputs = concat([".ci/Dockerfile"], sort(tolist(fileset(local.repo_root, "scripts/requirements*.txt"))))
  build_image_tag = coalesce(var.build_image_tag, substr(sha256(join("", [
    for f in local.build_image_inputs : filesha256("${local.repo_root}/${f}")
  ])), 0, 16))
  build_image = "${var.build_image_repository.url}:${local.build_image_tag}"

  # Where the standalone projects (image build, pull-request gate) fetch the repository.
  repository_url = local.codestar ? "https://github.com/${var.source_config.repository}.git" : "https://git-codecommit.${local.region}.amazonaws.com/v1/repos/${var.source_config.repository}"

  # Environment URLs (the approval message links to the environment before it).
  previous_env = { for i, e in var.environments : e.name => i == 0 ? null : var.environments[i - 1] }
}

# ---------------------------------------------------------------------------------------
# Artifact store: its own key (deploy roles of other accounts may decrypt) and bucket
# ---------------------------------------------------------------------------------------
module "key" {
  source = "../kms-key"

  name                = "${var.name}-artifacts"
  description         = "Artifacts, build logs and notifications of ${var.name}"
  service_principals  = ["s3", "logs", "sns", "codepipeline", "codebuild", "events", "codestar-notifications"]
  user_principal_arns = local.deploy_roles
  tags                = var.tags
}

data "aws_iam_policy_document" "artifacts_cross_account" {
  count = length(local.deploy_roles) > 0 ? 1 : 0

  statement {
    sid       = "DeployRolesReadArtifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation"]
    resources = ["arn:${local.partition}:s3:::${var.name}-artifacts-${local.account_id}", "arn:${local.partition}:s3:::${var.name}-artifacts-${local.account_id}/*"]

    principals {
      type        = "AWS"
      identifiers = local.deploy_roles
    }
  }
}

module "artifacts" {
  source = "../s3-bucket"

  name              = "${var.name}-artifacts-${local.account_id}"
  kms_key_arn       = module.key.key_arn
  tls_only_policy   = var.tls_only_policy
  policy_statements = [for d in data.aws_iam_policy_document.artifacts_cross_account : d.json]
  lifecycle_rules = [{
    id                                 = "expire-artifacts"
    expiration_days                    = 90
    noncurrent_version_expiration_days = 7
  }]
  tags = var.tags
}

module "notifications" {
  source = "../alarm-topic"

  name        = "${var.name}-notifications"
  kms_key_arn = module.key.key_arn
  emails      = var.notification_emails
  tags        = var.tags
}

resource "aws_cloudwatch_log_group" "builds" {
  name              = "/codebuild/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.key.key_arn

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# Build projects: backend (tests, images, deployment files) and web app, in the build image
# ---------------------------------------------------------------------------------------
data "aws_iam_policy_document" "codebuild_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# What every CodeBuild project of the pipeline needs: its logs, the artifacts and build
# caches, the key, and pulling the build image.
data "aws_iam_policy_document" "codebuild_base" {
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.builds.arn}:*"]
  }

  statement {
    sid       = "Artifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketLocation", "s3:GetBucketAcl"]
    resources = [module.artifacts.arn, "${module.artifacts.arn}/*"]
  }

  statement {
    sid       = "ArtifactKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:ReEncrypt*"]
    resources = [module.key.key_arn]
  }

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullBuildImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [var.build_image_repository.arn]
  }

  statement {
    sid       = "ImageKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey"]
    resources = [var.ecr_kms_key_arn]
  }
}

# ... plus the deployment settings the environments publish in SSM, and their deploy roles.
data "aws_iam_policy_document" "codebuild_common" {
  source_policy_documents = [data.aws_iam_policy_document.codebuild_base.json]

  statement {
    sid       = "DeploymentSettings"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = [for e in var.environments : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/corpus/${e.name}/*"]
  }

  dynamic "statement" {
    for_each = length(local.deploy_roles) > 0 ? [1] : []
    content {
      sid       = "AssumeDeployRoles"
      actions   = ["sts:AssumeRole"]
      resources = local.deploy_roles
    }
  }
}

resource "aws_iam_role" "build" {
  name               = "${var.name}-build"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "build" {
  source_policy_documents = [data.aws_iam_policy_document.codebuild_common.json]

  statement {
    sid = "EcrPush"
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
    resources = [for r in var.ecr_repositories : r.arn]
  }

  statement {
    sid       = "ImageKeyWrite"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [var.ecr_kms_key_arn]
  }

  # The build renders each service's task definition from the latest revision the
  # environment registered (ecs:DescribeTaskDefinition has no resource-level permissions).
  statement {
    sid       = "ReadTaskDefinitions"
    actions   = ["ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "build" {
  name   = "build"
  role   = aws_iam_role.build.id
  policy = data.aws_iam_policy_document.build.json
}

resource "aws_codebuild_project" "build" {
  # checkov:skip=CKV_AWS_316:Privileged mode is required to run the Docker daemon that builds the service images; the project runs only the repository's own buildspec.
  name           = "${var.name}-build"
  description    = "Runs ./scripts/test.sh, builds and pushes the service images, renders task definitions and appspecs, builds the deploy-hook Lambda"
  service_role   = aws_iam_role.build.arn
  encryption_key = local.build_encryption_key
  build_timeout  = 120

  artifacts {
    type     = "CODEPIPELINE"
    location = local.emulator_location
  }

  source {
    type      = "CODEPIPELINE"
    location  = local.emulator_location
    buildspec = "buildspec.yml"
  }

  # cargo registry + target dir (buildspec.yml lists the paths).
  cache {
    type     = "S3"
    location = "${module.artifacts.id}/cache/build"
  }

  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = var.build_compute_type
    image                       = local.build_image
    image_pull_credentials_type = "SERVICE_ROLE"
    privileged_mode             = true

    environment_variable {
      name  = "DEPLOY_ENVIRONMENTS"
      value = join(" ", [for e in var.environments : e.name])
    }

    environment_variable {
      name  = "SERVICES"
      value = join(" ", var.services)
    }

    environment_variable {
      name  = "WORKERS"
      value = join(" ", [for w, img in var.workers : "${w}=${img}"])
    }

    environment_variable {
      name  = "ECR_REGISTRY"
      value = split("/", values(var.ecr_repositories)[0].url)[0]
    }

    dynamic "environment_variable" {
      for_each = var.ecr_repositories
      content {
        name  = "IMAGE_REPO_${upper(replace(environment_variable.key, "-", "_"))}"
        value = environment_variable.value.url
      }
    }

    dynamic "environment_variable" {
      for_each = local.envs
      content {
        name  = "DEPLOY_ROLE_${upper(environment_variable.key)}"
        value = environment_variable.value.deploy_role_arn == null ? "none" : environment_variable.value.deploy_role_arn
      }
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name  = aws_cloudwatch_log_group.builds.name
      stream_name = "build"
    }
  }

  tags = var.tags
}

resource "aws_iam_role" "web" {
  name               = "${var.name}-web"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "web" {
  name   = "web"
  role   = aws_iam_role.web.id
  policy = data.aws_iam_policy_document.codebuild_base.json
}

resource "aws_codebuild_project" "web" {
  name           = "${var.name}-web"
  description    = "Web app: npm ci, npm test, npm run build (frontend/buildspec.yml); the output is published per environment"
  service_role   = aws_iam_role.web.arn
  encryption_key = local.build_encryption_key
  build_timeout  = 30

  artifacts {
    type     = "CODEPIPELINE"
    location = local.emulator_location
  }

  source {
    type      = "CODEPIPELINE"
    location  = local.emulator_location
    buildspec = "frontend/buildspec.yml"
  }

  cache {
    type     = "S3"
    location = "${module.artifacts.id}/cache/web"
  }

  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = "BUILD_GENERAL1_MEDIUM"
    image                       = local.build_image
    image_pull_credentials_type = "SERVICE_ROLE"
  }

  logs_config {
    cloudwatch_logs {
      group_name  = aws_cloudwatch_log_group.builds.name
      stream_name = "web"
    }
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# Helper projects per environment, each with a role of its own environment only:
# migrations and the hook Lambda before the deployment, workers, web app and smoke test
# after it
# ---------------------------------------------------------------------------------------
resource "aws_iam_role" "ops" {
  for_each = local.envs

  name               = "${var.name}-ops-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.codebuild_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "ops" {
  for_each = local.envs

  source_policy_documents = [data.aws_iam_policy_document.codebuild_base.json]

  statement {
    sid       = "DeploymentSettings"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = ["arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/corpus/${each.key}/*"]
  }

  dynamic "statement" {
    for_each = each.value.deploy_role_arn == null ? [] : [each.value.deploy_role_arn]
    content {
      sid       = "AssumeDeployRole"
      actions   = ["sts:AssumeRole"]
      resources = [statement.value]
    }
  }

  statement {
    sid       = "RegisterMigrationTaskDefinition"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid       = "RunMigrationTask"
    actions   = ["ecs:RunTask"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.env_account[each.key]}:task-definition/corpus-${each.key}-${var.migrate_service}-migrate:*"]
  }

  statement {
    sid       = "WatchMigrationTask"
    actions   = ["ecs:DescribeTasks"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.env_account[each.key]}:task/corpus-${each.key}/*"]
  }

  dynamic "statement" {
    for_each = length(var.workers) > 0 ? [1] : []
    content {
      sid       = "RollWorkers"
      actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
      resources = [for w, _ in var.workers : "arn:${local.partition}:ecs:${local.region}:${local.env_account[each.key]}:service/corpus-${each.key}/${w}"]
    }
  }

  statement {
    sid     = "PassMigrationAndWorkerRoles"
    actions = ["iam:PassRole"]
    resources = [for s in concat([var.migrate_service], keys(var.workers)) :
    "arn:${local.partition}:iam::${local.env_account[each.key]}:role/corpus-${each.key}-${s}-*"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  # scripts/publish-deploy-hook.sh: the environment's CodeDeploy hook Lambdas.
  statement {
    sid       = "PublishDeployHook"
    actions   = ["lambda:UpdateFunctionCode", "lambda:GetFunction", "lambda:GetFunctionConfiguration"]
    resources = ["arn:${local.partition}:lambda:${local.region}:${local.env_account[each.key]}:function:CodeDeployHook_corpus-${each.key}-*"]
  }

  # buildspecs/publish-web.yml: the environment's web bucket and its CloudFront distribution
  # (CloudFront ARNs carry only the distribution ID, which the frontend root publishes in SSM).
  statement {
    sid       = "PublishWebBucket"
    actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:${local.partition}:s3:::corpus-${each.key}-web*", "arn:${local.partition}:s3:::corpus-${each.key}-web*/*"]
  }

  statement {
    sid       = "PublishWebKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["arn:${local.partition}:kms:${local.region}:${local.env_account[each.key]}:key/*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "InvalidateWeb"
    actions   = ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]
    resources = ["arn:${local.partition}:cloudfront::${local.env_account[each.key]}:distribution/*"]
  }
}

resource "aws_iam_role_policy" "ops" {
  for_each = local.envs

  name   = "ops"
  role   = aws_iam_role.ops[each.key].id
  policy = data.aws_iam_policy_document.ops[each.key].json
}

locals {
  # Helper project kind => buildspec, timeout, whether it reads the source (for scripts/)
  # besides the build output.
  helpers = merge(
    {
      migrate     = { buildspec = "migrate.yml", timeout = 480, description = "Runs the migrations of the release (one-off ECS task)" }
      hook        = { buildspec = "publish-hook.yml", timeout = 15, description = "Publishes the deploy-hook Lambda of the release (scripts/publish-deploy-hook.sh)" }
      publish-web = { buildspec = "publish-web.yml", timeout = 15, description = "Publishes the web app of the release to the environment's bucket and invalidates its distribution" }
      smoke       = { buildspec = "smoke.yml", timeout = 15, description = "Smoke test after the deployment" }
    },
    length(var.workers) > 0 ? {
      roll = { buildspec = "roll-workers.yml", timeout = 30, description = "Rolls the queue workers to the release" }
    } : {},
  )
  helper_projects = merge([for env in keys(local.envs) : {
    for kind, h in local.helpers : "${kind}-${env}" => merge(h, { kind = kind, env = env })
  }]...)
}

resource "aws_codebuild_project" "helper" {
  for_each = local.helper_projects

  name           = "${var.name}-${each.key}"
  description    = "${each.value.description} in ${each.value.env}"
  service_role   = aws_iam_role.ops[each.value.env].arn
  encryption_key = local.build_encryption_key
  build_timeout  = each.value.timeout

  artifacts {
    type     = "CODEPIPELINE"
    location = local.emulator_location
  }

  source {
    type      = "CODEPIPELINE"
    location  = local.emulator_location
    buildspec = file("${path.module}/buildspecs/${each.value.buildspec}")
  }

  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = "BUILD_GENERAL1_SMALL"
    image                       = local.build_image
    image_pull_credentials_type = "SERVICE_ROLE"

    environment_variable {
      name  = "ENVIRONMENT"
      value = each.value.env
    }

    environment_variable {
      name  = "DEPLOY_ROLE_ARN"
      value = coalesce(local.envs[each.value.env].deploy_role_arn, "none")
    }

    environment_variable {
      name  = "SERVICES"
      value = join(" ", var.services)
    }

    environment_variable {
      name  = "WORKERS"
      value = join(" ", [for w, img in var.workers : "${w}=${img}"])
    }

    environment_variable {
      name  = "MIGRATE_SERVICE"
      value = var.migrate_service
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name  = aws_cloudwatch_log_group.builds.name
      stream_name = each.key
    }
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# Pipeline role and pipeline
# ---------------------------------------------------------------------------------------
data "aws_iam_policy_document" "pipeline_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codepipeline.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "pipeline" {
  name               = "${var.name}-pipeline"
  assume_role_policy = data.aws_iam_policy_document.pipeline_assume.json

  tags = var.tags
}

locals {
  same_account_envs = [for e in var.environments : e.name if e.deploy_role_arn == null]

  source_configuration = local.codestar ? {
    ConnectionArn        = var.source_config.connection_arn
    FullRepositoryId     = var.source_config.repository
    BranchName           = var.source_config.branch
    OutputArtifactFormat = "CODE_ZIP"
    DetectChanges        = "true"
    } : {
    RepositoryName       = var.source_config.repository
    BranchName           = var.source_config.branch
    PollForSourceChanges = "false"
  }

  # What the approver is asked: the commit, and where it runs now.
  approval_message = { for e in var.environments : e.name => join(" ", compact([
    "Promote commit #{SourceVariables.CommitId} to ${e.name}?",
    local.previous_env[e.name] == null ? null : "It passed migrations, blue/green and the smoke test in ${local.previous_env[e.name].name}: ${coalesce(local.previous_env[e.name].url, "(no URL configured)")}",
  ])) }
}

data "aws_iam_policy_document" "pipeline" {
  statement {
    sid       = "Artifacts"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketVersioning", "s3:GetBucketLocation"]
    resources = [module.artifacts.arn, "${module.artifacts.arn}/*"]
  }

  statement {
    sid       = "ArtifactKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:ReEncrypt*"]
    resources = [module.key.key_arn]
  }

  dynamic "statement" {
    for_each = local.codestar ? [1] : []
    content {
      sid       = "UseSourceConnection"
      actions   = ["codestar-connections:UseConnection", "codeconnections:UseConnection"]
      resources = [var.source_config.connection_arn]
    }
  }

  dynamic "statement" {
    for_each = local.codestar ? [] : [1]
    content {
      sid = "ReadCodeCommit"
      actions = [
        "codecommit:GetBranch",
        "codecommit:GetCommit",
        "codecommit:GetRepository",
        "codecommit:UploadArchive",
        "codecommit:GetUploadArchiveStatus",
        "codecommit:CancelUploadArchive",
      ]
      resources = [local.codecommit_arn]
    }
  }

  statement {
    sid     = "RunBuilds"
    actions = ["codebuild:StartBuild", "codebuild:BatchGetBuilds"]
    resources = concat(
      [aws_codebuild_project.build.arn, aws_codebuild_project.web.arn],
      [for p in aws_codebuild_project.helper : p.arn],
      [for p in aws_codebuild_project.infra : p.arn],
    )
  }

  statement {
    sid       = "NotifyApprovers"
    actions   = ["sns:Publish"]
    resources = [module.notifications.arn]
  }

  dynamic "statement" {
    for_each = length(local.deploy_roles) > 0 ? [1] : []
    content {
      sid       = "AssumeDeployRoles"
      actions   = ["sts:AssumeRole"]
      resources = local.deploy_roles
    }
  }

  # Environments in the pipeline's own account are deployed with this role directly.
  dynamic "statement" {
    for_each = length(local.same_account_envs) > 0 ? [1] : []
    content {
      sid = "BlueGreenDeployments"
      actions = [
        "codedeploy:CreateDeployment",
        "codedeploy:GetApplication",
        "codedeploy:GetApplicationRevision",
        "codedeploy:GetDeployment",
        "codedeploy:GetDeploymentConfig",
        "codedeploy:RegisterApplicationRevision",
      ]
      resources = flatten([for e in local.same_account_envs : [
        "arn:${local.partition}:codedeploy:${local.region}:${local.account_id}:application:corpus-${e}-*",
        "arn:${local.partition}:codedeploy:${local.region}:${local.account_id}:deploymentgroup:corpus-${e}-*",
        "arn:${local.partition}:codedeploy:${local.region}:${local.account_id}:deploymentconfig:*",
      ]])
    }
  }

  dynamic "statement" {
    for_each = length(local.same_account_envs) > 0 ? [1] : []
    content {
      sid       = "RegisterTaskDefinitions"
      actions   = ["ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:TagResource"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(local.same_account_envs) > 0 ? [1] : []
    content {
      sid     = "PassTaskRoles"
      actions = ["iam:PassRole"]
      resources = [for e in local.same_account_envs :
      "arn:${local.partition}:iam::${local.account_id}:role/corpus-${e}-*"]
      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["ecs-tasks.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "pipeline" {
  name   = "pipeline"
  role   = aws_iam_role.pipeline.id
  policy = data.aws_iam_policy_document.pipeline.json
}

resource "aws_codepipeline" "this" {
  # Not against the emulator: moto answers GetPipeline with string timestamps, which the
  # provider cannot read back (terraform/README.md, emulator limitations).
  count = var.emulator_compatible ? 0 : 1

  name     = var.name
  role_arn = aws_iam_role.pipeline.arn

  artifact_store {
    type     = "S3"
    location = module.artifacts.id

    encryption_key {
      type = "KMS"
      id   = module.key.key_arn
    }
  }

  stage {
    name = "Source"

    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = var.source_config.provider
      version          = "1"
      namespace        = "SourceVariables"
      output_artifacts = ["SourceOutput"]
      configuration    = local.source_configuration
    }
  }

  stage {
    name = "Build"

    action {
      name             = "Build"
      category         = "Build"
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
      input_artifacts  = ["SourceOutput"]
      output_artifacts = ["BuildOutput"]
      configuration = {
        ProjectName = aws_codebuild_project.build.name
      }
      run_order = 1
    }

    action {
      name             = "BuildWeb"
      category         = "Build"
      owner            = "AWS"
      provider         = "CodeBuild"
      version          = "1"
      input_artifacts  = ["SourceOutput"]
      output_artifacts = ["WebOutput"]
      configuration = {
        ProjectName = aws_codebuild_project.web.name
      }
      run_order = 1
    }
  }

  dynamic "stage" {
    for_each = { for i, e in var.environments : i => e }
    content {
      name = "Deploy-${stage.value.name}"

      # A manual approval, when asked for, is the first action of the stage: nothing of
      # the environment runs before it.
      dynamic "action" {
        for_each = stage.value.approval ? [1] : []
        content {
          name     = "Approve"
          category = "Approval"
          owner    = "AWS"
          provider = "Manual"
          version  = "1"
          configuration = {
            NotificationArn    = module.notifications.arn
            CustomData         = local.approval_message[stage.value.name]
            ExternalEntityLink = coalesce(try(local.previous_env[stage.value.name].url, null), "https://${local.region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${var.name}/view")
          }
          run_order = 1
        }
      }

      action {
        name            = "Migrate"
        category        = "Build"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        input_artifacts = ["BuildOutput"]
        configuration = {
          ProjectName = aws_codebuild_project.helper["migrate-${stage.value.name}"].name
        }
        run_order = 2
      }

      # The hook Lambda of the release must be live before CodeDeploy invokes it.
      action {
        name            = "PublishHook"
        category        = "Build"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        input_artifacts = ["SourceOutput", "BuildOutput"]
        configuration = {
          ProjectName   = aws_codebuild_project.helper["hook-${stage.value.name}"].name
          PrimarySource = "SourceOutput"
        }
        run_order = 2
      }

      dynamic "action" {
        for_each = toset(var.services)
        content {
          name            = "BlueGreen-${action.value}"
          category        = "Deploy"
          owner           = "AWS"
          provider        = "CodeDeployToECS"
          version         = "1"
          input_artifacts = ["BuildOutput"]
          role_arn        = stage.value.deploy_role_arn
          configuration = {
            ApplicationName                = "corpus-${stage.value.name}-${action.value}"
            DeploymentGroupName            = "corpus-${stage.value.name}-${action.value}"
            TaskDefinitionTemplateArtifact = "BuildOutput"
            TaskDefinitionTemplatePath     = "deploy/${stage.value.name}/${action.value}/taskdef.json"
            AppSpecTemplateArtifact        = "BuildOutput"
            AppSpecTemplatePath            = "deploy/${stage.value.name}/${action.value}/appspec.yaml"
          }
          run_order = 3
        }
      }

      dynamic "action" {
        for_each = length(var.workers) > 0 ? [1] : []
        content {
          name            = "RollWorkers"
          category        = "Build"
          owner           = "AWS"
          provider        = "CodeBuild"
          version         = "1"
          input_artifacts = ["BuildOutput"]
          configuration = {
            ProjectName = aws_codebuild_project.helper["roll-${stage.value.name}"].name
          }
          run_order = 3
        }
      }

      # The web app goes out once the backend it calls is live.
      action {
        name            = "PublishWeb"
        category        = "Build"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        input_artifacts = ["WebOutput"]
        configuration = {
          ProjectName = aws_codebuild_project.helper["publish-web-${stage.value.name}"].name
        }
        run_order = 4
      }

      action {
        name            = "Smoke"
        category        = "Test"
        owner           = "AWS"
        provider        = "CodeBuild"
        version         = "1"
        input_artifacts = ["BuildOutput"]
        configuration = {
          ProjectName = aws_codebuild_project.helper["smoke-${stage.value.name}"].name
        }
        run_order = 5
      }
    }
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------------------
# CodeCommit source: start the pipeline on a push to the branch (no polling)
# ---------------------------------------------------------------------------------------
resource "aws_cloudwatch_event_rule" "push" {
  count = local.codestar || var.emulator_compatible ? 0 : 1

  name        = "${var.name}-push"
  description = "Start ${var.name} on a push to ${var.source_config.branch}"
  event_pattern = jsonencode({
    source        = ["aws.codecommit"]
    "detail-type" = ["CodeCommit Repository State Change"]
    resources     = [local.codecommit_arn]
    detail = {
      event         = ["referenceCreated", "referenceUpdated"]
      referenceType = ["branch"]
      referenceName = [var.source_config.branch]
    }
  })

  tags = var.tags
}

data "aws_iam_policy_document" "events_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "events" {
  count = local.codestar || var.emulator_compatible ? 0 : 1

  name               = "${var.name}-events"
  assume_role_policy = data.aws_iam_policy_document.events_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "events" {
  count = local.codestar || var.emulator_compatible ? 0 : 1

  name = "start-pipeline"
  role = aws_iam_role.events[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "codepipeline:StartPipelineExecution"
      Resource = aws_codepipeline.this[0].arn
    }]
  })
}

resource "aws_cloudwatch_event_target" "push" {
  count = local.codestar || var.emulator_compatible ? 0 : 1

  rule     = aws_cloudwatch_event_rule.push[0].name
  arn      = aws_codepipeline.this[0].arn
  role_arn = aws_iam_role.events[0].arn
}
