# Checks of the delivery pipeline against a mocked provider (no AWS calls): stage order,
# the approval before every prod action, prod actions that name only prod things,
# encrypted artifacts, the build image everywhere, notifications, the pull-request gate,
# the infrastructure pipeline, and a pinned .ci/Dockerfile.
# `terraform test` in the module directory.
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111111111111" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000001" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111111111111:role/corpus-shared-delivery-role" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:111111111111:corpus-shared-delivery-notifications" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::corpus-shared-delivery-artifacts-111111111111" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:111111111111:log-group:/codebuild/corpus-shared-delivery" }
  }
  mock_resource "aws_codepipeline" {
    defaults = { arn = "arn:aws:codepipeline:us-east-1:111111111111:corpus-shared-delivery" }
  }
  mock_resource "aws_codebuild_project" {
    defaults = { arn = "arn:aws:codebuild:us-east-1:111111111111:project/corpus-shared-delivery" }
  }
}

# Distinct helper roles per environment (the checks below compare them).
override_resource {
  target = aws_iam_role.ops["test"]
  values = { arn = "arn:aws:iam::111111111111:role/corpus-shared-delivery-ops-test" }
}

override_resource {
  target = aws_iam_role.ops["prod"]
  values = { arn = "arn:aws:iam::111111111111:role/corpus-shared-delivery-ops-prod" }
}

variables {
  name = "corpus-shared-delivery"
  source_config = {
    provider       = "CodeStarSourceConnection"
    repository     = "example-org/corpus"
    branch         = "main"
    connection_arn = "arn:aws:codestar-connections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000"
  }
  ecr_repositories = {
    documents = { url = "111111111111.dkr.ecr.us-east-1.amazonaws.com/corpus-shared-documents", arn = "arn:aws:ecr:us-east-1:111111111111:repository/corpus-shared-documents" }
    ingest    = { url = "111111111111.dkr.ecr.us-east-1.amazonaws.com/corpus-shared-ingest", arn = "arn:aws:ecr:us-east-1:111111111111:repository/corpus-shared-ingest" }
  }
  build_image_repository = {
    url = "111111111111.dkr.ecr.us-east-1.amazonaws.com/corpus-shared-build-image"
    arn = "arn:aws:ecr:us-east-1:111111111111:repository/corpus-shared-build-image"
  }
  ecr_kms_key_arn = "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-0000000000ec"
  # test in the pipeline's account, prod in its own account through a deploy role.
  environments = [
    { name = "test", url = "https://test.corpus.example.com" },
    { name = "prod", approval = true, account_id = "222222222222", deploy_role_arn = "arn:aws:iam::222222222222:role/corpus-prod-deployer", url = "https://corpus.example.com" },
  ]
}

run "delivery_pipeline" {
  command = apply

  # Stage order: nothing reaches an environment before the build, prod only after test.
  assert {
    condition     = [for s in aws_codepipeline.this[0].stage : s.name] == ["Source", "Build", "Deploy-test", "Deploy-prod"]
    error_message = "stages must be Source, Build, Deploy-test, Deploy-prod"
  }

  # The commit is available to the approval message.
  assert {
    condition     = aws_codepipeline.this[0].stage[0].action[0].namespace == "SourceVariables"
    error_message = "the source action must publish its variables as SourceVariables"
  }

  # Build: the backend (./scripts/test.sh and the deployment files) and the web app.
  assert {
    condition = toset([for a in aws_codepipeline.this[0].stage[1].action : "${a.name}=${a.configuration.ProjectName}=${join(",", a.output_artifacts)}"]) == toset([
      "Build=corpus-shared-delivery-build=BuildOutput",
      "BuildWeb=corpus-shared-delivery-web=WebOutput",
    ])
    error_message = "the Build stage must run the backend build (BuildOutput) and the web build (WebOutput)"
  }

  assert {
    condition     = aws_codebuild_project.build.source[0].buildspec == "buildspec.yml" && aws_codebuild_project.web.source[0].buildspec == "frontend/buildspec.yml"
    error_message = "the build projects must run the repository's buildspec.yml and frontend/buildspec.yml"
  }

  # The approval is the first action of Deploy-prod and nothing else of prod runs with it.
  assert {
    condition = (
      length([for a in aws_codepipeline.this[0].stage[3].action : a if a.category == "Approval"]) == 1 &&
      alltrue([for a in aws_codepipeline.this[0].stage[3].action : a.category == "Approval" ? a.run_order == 1 : a.run_order > 1])
    )
    error_message = "Deploy-prod must start with exactly one manual approval that runs before every other prod action"
  }

  # Test has no approval: it is deployed as soon as the build passed.
  assert {
    condition     = length([for a in aws_codepipeline.this[0].stage[2].action : a if a.category == "Approval"]) == 0
    error_message = "Deploy-test must not wait for an approval"
  }

  # The approval message: the commit and the test site it runs on.
  assert {
    condition = alltrue([for a in aws_codepipeline.this[0].stage[3].action : (
      strcontains(a.configuration.CustomData, "#{SourceVariables.CommitId}") &&
      strcontains(a.configuration.CustomData, "https://test.corpus.example.com") &&
      a.configuration.ExternalEntityLink == "https://test.corpus.example.com" &&
      a.configuration.NotificationArn == module.notifications.arn
    ) if a.category == "Approval"])
    error_message = "the approval must notify the topic with the commit and the test site's URL"
  }

  # No prod action names anything of test: deployment groups, projects (and through them
  # buckets, distributions, roles), deploy roles.
  assert {
    condition = alltrue([for a in aws_codepipeline.this[0].stage[3].action :
    !strcontains(jsonencode(a.configuration), "test") && (a.role_arn == null || a.role_arn == "arn:aws:iam::222222222222:role/corpus-prod-deployer") if a.category != "Approval"])
    error_message = "a prod action names a test resource or another role than prod's deploy role"
  }

  assert {
    condition = alltrue([for a in aws_codepipeline.this[0].stage[3].action :
      a.configuration.DeploymentGroupName == "corpus-prod-${trimprefix(a.name, "BlueGreen-")}" &&
    a.configuration.ApplicationName == "corpus-prod-${trimprefix(a.name, "BlueGreen-")}" if a.category == "Deploy"])
    error_message = "prod's blue/green actions must name prod's CodeDeploy applications and deployment groups"
  }

  # Every CodeBuild action of prod runs a project of prod: ENVIRONMENT=prod (the bucket and
  # distribution come from /corpus/prod/...), prod's deploy role, the prod helper role.
  assert {
    condition = alltrue([for a in aws_codepipeline.this[0].stage[3].action : alltrue([
      for k, p in aws_codebuild_project.helper : (
        p.service_role == aws_iam_role.ops["prod"].arn &&
        contains([for v in p.environment[0].environment_variable : "${v.name}=${v.value}"], "ENVIRONMENT=prod") &&
        contains([for v in p.environment[0].environment_variable : "${v.name}=${v.value}"], "DEPLOY_ROLE_ARN=arn:aws:iam::222222222222:role/corpus-prod-deployer")
      ) if p.name == a.configuration.ProjectName
    ]) && length([for p in aws_codebuild_project.helper : p if p.name == a.configuration.ProjectName]) == 1 if a.category == "Build" || a.category == "Test"])
    error_message = "a prod CodeBuild action runs a project that is not prod's (environment, deploy role or helper role)"
  }

  assert {
    condition     = aws_iam_role.ops["prod"].name == "corpus-shared-delivery-ops-prod" && aws_iam_role.ops["prod"].arn != aws_iam_role.ops["test"].arn
    error_message = "prod's helper projects must have a role of their own"
  }

  # Within each environment: migrations and the hook Lambda, then blue/green and workers,
  # then the web app (after the backend it calls), then the smoke test.
  assert {
    condition = alltrue([for s in slice(aws_codepipeline.this[0].stage, 2, 4) : (
      toset([for a in s.action : "${a.run_order}:${a.name}"]) == setunion(
        toset(s.name == "Deploy-prod" ? ["1:Approve"] : []),
        toset(["2:Migrate", "2:PublishHook", "3:BlueGreen-documents", "3:BlueGreen-ingest", "3:RollWorkers", "4:PublishWeb", "5:Smoke"]),
      )
    )])
    error_message = "each Deploy stage must run Migrate+PublishHook, then BlueGreen-*+RollWorkers, then PublishWeb, then Smoke"
  }

  assert {
    condition     = alltrue([for s in slice(aws_codepipeline.this[0].stage, 2, 4) : alltrue([for a in s.action : a.input_artifacts == tolist(["WebOutput"]) if a.name == "PublishWeb"])])
    error_message = "PublishWeb must publish the web build"
  }

  assert {
    condition     = alltrue([for s in slice(aws_codepipeline.this[0].stage, 2, 4) : alltrue([for a in s.action : toset(a.input_artifacts) == toset(["SourceOutput", "BuildOutput"]) && a.configuration.PrimarySource == "SourceOutput" if a.name == "PublishHook"])])
    error_message = "PublishHook needs the source (scripts/) and the build output (deploy/deploy-hook.zip)"
  }

  # Artifacts: the bucket's own KMS key, for both pipelines and every project.
  assert {
    condition = alltrue([for p in concat(aws_codepipeline.this, aws_codepipeline.infra) :
    one(one(p.artifact_store).encryption_key).type == "KMS" && one(one(p.artifact_store).encryption_key).id == module.key.key_arn])
    error_message = "pipeline artifacts must be encrypted with the pipeline's KMS key"
  }

  assert {
    condition = alltrue([for p in concat([aws_codebuild_project.build, aws_codebuild_project.web, aws_codebuild_project.image], values(aws_codebuild_project.helper), values(aws_codebuild_project.infra), aws_codebuild_project.pr) :
    p.encryption_key == module.key.key_arn])
    error_message = "every CodeBuild project must encrypt its output with the pipeline's KMS key"
  }

  # One build environment: every project but the image build runs in the build image.
  assert {
    condition = alltrue([for p in concat([aws_codebuild_project.build, aws_codebuild_project.web], values(aws_codebuild_project.helper), values(aws_codebuild_project.infra), aws_codebuild_project.pr) :
    p.environment[0].image == output.build_image && p.environment[0].image_pull_credentials_type == "SERVICE_ROLE"])
    error_message = "every CodeBuild project of the pipeline must run in the build image"
  }

  assert {
    condition     = can(regex("^111111111111\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/corpus-shared-build-image:[0-9a-f]{16}$", output.build_image))
    error_message = "the build image must be the build-image repository at its content tag"
  }

  assert {
    condition     = aws_codebuild_project.image.source[0].buildspec == ".ci/image.yml" && aws_codebuild_project.image.environment[0].privileged_mode
    error_message = "the image project must build .ci/Dockerfile with Docker (privileged)"
  }

  # Caches for cargo and npm between builds.
  assert {
    condition     = alltrue([for p in concat([aws_codebuild_project.build, aws_codebuild_project.web], aws_codebuild_project.pr) : p.cache[0].type == "S3"])
    error_message = "the build, web and pull-request projects must keep an S3 cache"
  }

  # Everyone hears about failures.
  assert {
    condition = alltrue([for r in aws_codestarnotifications_notification_rule.pipeline : toset(r.event_type_ids) == toset([
      "codepipeline-pipeline-pipeline-execution-failed",
      "codepipeline-pipeline-pipeline-execution-succeeded",
      "codepipeline-pipeline-manual-approval-needed",
    ]) && one(r.target).address == module.notifications.arn]) && length(aws_codestarnotifications_notification_rule.pipeline) == 2
    error_message = "both pipelines must notify the topic of failed and succeeded executions and approvals"
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.deployment_failed[0].event_pattern).detail.state == ["FAILURE", "STOP"] &&
      jsondecode(aws_cloudwatch_event_rule.deployment_failed[0].event_pattern).detail.application == [{ prefix = "corpus-test-" }] &&
      aws_cloudwatch_event_target.deployment_failed[0].arn == module.notifications.arn
    )
    error_message = "failed and stopped deployments of the same-account environments must reach the topic"
  }

  # Pull requests to main run ./scripts/test.sh (.ci/pr.yml) and get a status.
  assert {
    condition = (
      aws_codebuild_project.pr[0].source[0].report_build_status &&
      aws_codebuild_project.pr[0].source[0].buildspec == ".ci/pr.yml" &&
      aws_codebuild_project.pr[0].source[0].location == "https://github.com/example-org/corpus.git"
    )
    error_message = "the pull-request project must report its status and run .ci/pr.yml"
  }

  assert {
    condition = toset([for f in one(aws_codebuild_webhook.pr[0].filter_group).filter : "${f.type}=${f.pattern}"]) == toset([
      "EVENT=PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED",
      "BASE_REF=^refs/heads/main$",
    ])
    error_message = "the pull-request webhook must fire on created/updated/reopened pull requests to main"
  }

  # Infrastructure pipeline: only terraform/ changes; plan, apply test, approval, apply prod.
  assert {
    condition     = [for s in aws_codepipeline.infra[0].stage : s.name] == ["Source", "Plan", "Apply-test", "Apply-prod"]
    error_message = "the infrastructure pipeline must plan, apply test, then prod"
  }

  assert {
    condition     = aws_codepipeline.infra[0].trigger[0].git_configuration[0].push[0].file_paths[0].includes == tolist(["terraform/**"])
    error_message = "the infrastructure pipeline must start on changes of terraform/ only"
  }

  assert {
    condition = alltrue([for a in aws_codepipeline.infra[0].stage[3].action : a.category == "Approval" ? a.run_order == 1 : (
    a.run_order > 1 && a.configuration.ProjectName == "corpus-shared-delivery-terraform-apply-prod")]) && length([for a in aws_codepipeline.infra[0].stage[3].action : a if a.category == "Approval"]) == 1
    error_message = "Apply-prod must wait for an approval and apply prod only"
  }

  assert {
    condition = (
      contains([for v in aws_codebuild_project.infra["plan"].environment[0].environment_variable : "${v.name}=${v.value}"], "ENVIRONMENTS=test prod") &&
      contains([for v in aws_codebuild_project.infra["apply-prod"].environment[0].environment_variable : "${v.name}=${v.value}"], "ENVIRONMENTS=prod") &&
      strcontains(aws_codebuild_project.infra["apply-prod"].source[0].buildspec, "./scripts/deploy.sh apply \"$env\"") &&
      !strcontains(aws_codebuild_project.infra["apply-prod"].source[0].buildspec, "\n          ./scripts/deploy.sh apply \"$env\" --allow-destroy") &&
      strcontains(aws_codebuild_project.infra["plan"].source[0].buildspec, "plans/*.txt")
    )
    error_message = "the plan project must plan test and prod and keep the plans; apply-prod must apply prod through deploy.sh (destroy guard on)"
  }
}

# Against the emulator: no pipelines, webhooks or notification rules; the projects remain.
run "emulator" {
  command = plan

  variables {
    emulator_compatible = true
  }

  assert {
    condition = (
      length(aws_codepipeline.this) == 0 && length(aws_codepipeline.infra) == 0 &&
      length(aws_codebuild_webhook.pr) == 0 && length(aws_codebuild_webhook.image) == 0 &&
      length(aws_codestarnotifications_notification_rule.pipeline) == 0 &&
      length(aws_codebuild_source_credential.github) == 0
    )
    error_message = "what moto cannot create must be off against the emulator"
  }

  assert {
    condition     = length(aws_codebuild_project.pr) == 1 && length(aws_codebuild_project.infra) == 3
    error_message = "the CodeBuild projects are still created against the emulator"
  }
}

# CodeCommit has no pull-request statuses or file-path triggers: no gate, no infra pipeline.
run "codecommit" {
  command = plan

  variables {
    source_config = { provider = "CodeCommit", repository = "corpus", branch = "main" }
  }

  assert {
    condition     = length(aws_codebuild_project.pr) == 0 && length(aws_codepipeline.infra) == 0 && aws_codebuild_project.image.source[0].type == "CODECOMMIT"
    error_message = "with CodeCommit the pull-request gate and the infrastructure pipeline are off"
  }
}

# .ci/Dockerfile pins every tool (docs/delivery.md, "Build image").
run "build_image_is_pinned" {
  command = plan

  module {
    source = "./tests/build-image"
  }

  # Every build argument has an exact value: versions are dotted numbers, nothing "latest".
  assert {
    condition = alltrue([for k, v in output.args : (
      endswith(k, "_VERSION") || k == "RUST_TOOLCHAIN" ? can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", v)) : v != "" && !strcontains(lower(v), "latest")
    )])
    error_message = "a build argument of .ci/Dockerfile is not an exact version"
  }

  assert {
    condition = (
      can(regex("^1\\.11\\.[0-9]+$", output.args.TERRAFORM_VERSION)) &&
      output.args.AWS_PROVIDER_VERSION == "5.100.0" &&
      can(regex("^20\\.[0-9]+\\.[0-9]+$", output.args.NODE_VERSION)) &&
      output.args.RUST_TOOLCHAIN == output.rust_toolchain_file &&
      can(regex("^2\\.[0-9]+\\.[0-9]+$", output.args.AWSCLI_VERSION)) &&
      can(regex("^[0-9]{8}T[0-9]{6}Z$", output.args.DEBIAN_SNAPSHOT)) &&
      can(regex("^[0-9]+\\.[0-9]+-slim$", output.args.DEBIAN_TAG))
    )
    error_message = "the toolchain versions of .ci/Dockerfile are not the pinned ones (Terraform 1.11.x, aws 5.100.0, Node 20.x, rust-toolchain.toml, awscli v2, Debian snapshot, exact Debian tag)"
  }

  # The base image is the pinned tag (or a digest).
  assert {
    condition     = output.froms == ["debian:$${DEBIAN_TAG}"] || alltrue([for f in output.froms : strcontains(f, "@sha256:")])
    error_message = "the base image of .ci/Dockerfile must be the pinned Debian tag or a digest"
  }

  # Debian packages only from the dated snapshot.
  assert {
    condition     = length(output.apt_sources) > 0 && alltrue([for s in output.apt_sources : startswith(s, "http://snapshot.debian.org/archive/") && endswith(s, "/$${DEBIAN_SNAPSHOT}")])
    error_message = "apt sources of .ci/Dockerfile must be the dated Debian snapshot"
  }

  # Every download names a pinned version in its URL.
  assert {
    condition     = alltrue([for u in output.urls : startswith(u, "http://snapshot.debian.org/") || can(regex("\\$\\{(TERRAFORM|NODE|RUSTUP|AWSCLI)_VERSION\\}", u))])
    error_message = "a download in .ci/Dockerfile is not pinned by a version argument"
  }

  # No unpinned installs: no curl | sh, no rustup update, no npm install -g, no pip install
  # of anything but the pinned requirements.
  assert {
    condition = alltrue([for l in output.run_lines : !(
      can(regex("curl[^|]*\\|\\s*(ba)?sh\\b", l)) || strcontains(l, "rustup update") ||
      can(regex("npm (i|install) (-g|--global)", l)) || can(regex("pip3? install", l)) ||
      strcontains(l, "sh.rustup.rs")
    )])
    error_message = ".ci/Dockerfile installs something that is not pinned"
  }

  # The tools scripts/test.sh and the pipeline need are in the image.
  assert {
    condition = alltrue([for tool in ["postgresql-15", "chromium", "shellcheck", "jq", "musl-tools", "docker.io", "python3-venv", "x86_64-unknown-linux-musl", "/opt/tf-plugins", "clippy,rustfmt"] :
    anytrue([for l in output.run_lines : strcontains(l, tool)])])
    error_message = ".ci/Dockerfile misses a tool of the build environment"
  }
}
