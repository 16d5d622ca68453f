variable "name" {
  description = "Pipeline name; also the prefix of its projects, roles, bucket and key (corpus-shared-delivery)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "name must be 3-41 lower-case letters, digits and '-'."
  }
}

variable "source_config" {
  description = "Where the code comes from: provider CodeStarSourceConnection (connection_arn + repository owner/name) or CodeCommit (repository name), and the branch that triggers the pipeline."
  type = object({
    provider       = string
    repository     = string
    branch         = string
    connection_arn = optional(string)
  })

  validation {
    condition     = contains(["CodeStarSourceConnection", "CodeCommit"], var.source_config.provider)
    error_message = "source_config.provider must be CodeStarSourceConnection or CodeCommit."
  }

  validation {
    condition     = var.source_config.provider != "CodeStarSourceConnection" || can(regex("^arn:aws[a-z-]*:(codestar-connections|codeconnections):", var.source_config.connection_arn))
    error_message = "source_config.connection_arn must be a CodeStar/CodeConnections connection ARN for CodeStarSourceConnection."
  }
}

variable "ecr_repositories" {
  description = "Image repository per service crate: service => { url, arn } (documents, ingest)."
  type = map(object({
    url = string
    arn = string
  }))
}

variable "ecr_kms_key_arn" {
  description = "KMS key encrypting the images (the build pushes with it)."
  type        = string
}

variable "environments" {
  description = "Deployment targets in order. Each: name (test, prod), approval (a manual approval before it), account_id (null: the pipeline's account), deploy_role_arn (role in that account that the deploy actions and helper builds assume; null: same account), url (public URL of the environment; the approval of the next environment links to it). The environment's roots publish what a deployment needs in SSM under /corpus/<env>/deploy/."
  type = list(object({
    name            = string
    approval        = optional(bool, false)
    account_id      = optional(string)
    deploy_role_arn = optional(string)
    url             = optional(string)
  }))

  validation {
    condition     = length(var.environments) > 0 && length(distinct([for e in var.environments : e.name])) == length(var.environments)
    error_message = "environments must list at least one environment, each once."
  }
}

variable "services" {
  description = "Services deployed blue/green by CodeDeploy in every environment (CodeDeploy application and deployment group corpus-<env>-<service>, container <service>)."
  type        = list(string)
  default     = ["documents", "ingest"]
}

variable "workers" {
  description = "Queue workers (ECS services without a load balancer) rolled by a helper build after the blue/green deployments: ECS service name => image (service crate) it runs."
  type        = map(string)
  default     = { "ingest-worker" = "ingest" }
}

variable "migrate_service" {
  description = "Service whose image runs the migrations (command override [\"migrate\"]) before each deployment."
  type        = string
  default     = "documents"
}

variable "build_image_repository" {
  description = "ECR repository of the build image (.ci/Dockerfile): { url, arn }. The image project pushes to it; every other project of the pipeline runs in it."
  type = object({
    url = string
    arn = string
  })
}

variable "build_image_tag" {
  description = "Tag of the build image the projects run in. null: derived from .ci/Dockerfile and scripts/requirements*.txt, exactly as .ci/image-tag.sh computes it (the tag the image project pushes)."
  type        = string
  default     = null
}

variable "image_builder_image" {
  description = "Standard CodeBuild image that builds the build image (it needs only Docker)."
  type        = string
  default     = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
}

variable "pull_request_gate" {
  description = "Run ./scripts/test.sh on every pull request to the branch and report the status to the repository (GitHub through the CodeConnections connection; ignored for CodeCommit)."
  type        = bool
  default     = true
}

variable "infrastructure_pipeline" {
  description = "A second pipeline for Terraform changes: on a push that changes terraform/, plan test and prod (plans kept as artifacts), apply test, then prod after a manual approval. Needs a CodeStarSourceConnection source (file path triggers)."
  type        = bool
  default     = true
}

variable "infrastructure_policy_arn" {
  description = "Managed policy of the role that runs Terraform in the infrastructure pipeline (it creates every kind of resource; with per-environment role_arn in config/<env>.yaml it only needs to assume those)."
  type        = string
  default     = "arn:aws:iam::aws:policy/AdministratorAccess"
}

variable "build_compute_type" {
  description = "CodeBuild compute type of the image build (the Rust build wants memory)."
  type        = string
  default     = "BUILD_GENERAL1_LARGE"
}

variable "notification_emails" {
  description = "Addresses told about manual approvals, failed and succeeded executions and failed or stopped deployments."
  type        = list(string)
  default     = []
}

variable "tls_only_policy" {
  description = "Passed to the artifact bucket (s3-bucket module): off only on the emulator."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the build logs."
  type        = number
  default     = 365
}

variable "emulator_compatible" {
  description = "Against the local AWS emulator only: skip what moto cannot create or read back (both CodePipeline pipelines, whose GetPipeline answer the provider cannot read, their CodeCommit trigger and CodeStar notification rules, the CodeBuild webhooks and source credential, the AWS managed policy of the Terraform role), give the CodeBuild projects' CODEPIPELINE source and artifacts a location, which moto requires and AWS ignores, and leave their encryption key to the default, which is all moto stores."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
