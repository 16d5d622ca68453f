# The database logins of the tasks (issue 10, item 1; docs/runbook-database.md, "Database
# roles and credential rotation"). The database root keeps one secret per service login;
# here each task role may read its own, and the migration task, the only one that logs in
# as the master user, gets a role of its own.
locals {
  logins = local.database.service_logins

  # The pipeline's migrate step (modules/pipeline/buildspecs/migrate.yml) starts the
  # documents image with command "migrate", this task role, and this environment.
  migrate_settings = {
    task_role_arn = aws_iam_role.migrate.arn
    environment = {
      DATABASE_URL              = local.database.database_url_without_password
      DATABASE_SECRET_ARN       = local.database.master_secret_arn
      DATABASE_ROLE_SECRET_ARNS = join(",", [for k in sort(keys(local.logins)) : local.logins[k].secret_arn])
      # The service's own login must not reach the migration (it runs as the master user).
      DATABASE_READ_URL = ""
    }
  }
  migrate_secret_arns = compact(concat([local.database.master_secret_arn], [for l in values(local.logins) : l.secret_arn]))
}

data "aws_iam_policy_document" "documents" {
  statement {
    sid       = "DatabaseLogin"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.logins.documents.secret_arn]
  }

  statement {
    sid       = "DecryptDatabaseLogin"
    actions   = ["kms:Decrypt"]
    resources = [local.database.kms_key_arn]
  }
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# Named corpus-<env>-documents-*: the pipeline may pass it to ECS (PassMigrationAndWorkerRoles).
resource "aws_iam_role" "migrate" {
  name               = "${local.name_prefix}-documents-migrate"
  description        = "Task role of the documents migration task: the master login and the service logins it sets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = { Service = "documents" }
}

data "aws_iam_policy_document" "migrate" {
  statement {
    sid       = "DatabaseLogins"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.migrate_secret_arns
  }

  statement {
    sid       = "DecryptDatabaseLogins"
    actions   = ["kms:Decrypt"]
    resources = [local.database.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "migrate" {
  name   = "database-logins"
  role   = aws_iam_role.migrate.id
  policy = data.aws_iam_policy_document.migrate.json
}
