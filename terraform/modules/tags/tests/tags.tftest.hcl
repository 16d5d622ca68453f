# `terraform test` in the module directory (no provider at all).
variables {
  shared_tags = { Project = "corpus", ManagedBy = "terraform" }
  env_tags    = { Environment = "wrong", Owner = "platform-team", CostCenter = "corpus-prod" }
  environment = "prod"
  root        = "prod/services"
  service     = "services"
}

run "environment_owner_and_service_on_every_resource" {
  command = plan

  assert {
    condition     = output.tags.Environment == "prod" && output.tags.Owner == "platform-team" && output.tags.Service == "services"
    error_message = "Every resource carries Environment (the root's, never the config's), Owner and a Service."
  }

  assert {
    condition     = output.tags.Project == "corpus" && output.tags.CostCenter == "corpus-prod" && output.tags.Root == "prod/services"
    error_message = "Shared and environment tags pass through, with the root."
  }
}

run "refuses_a_config_without_an_owner" {
  command = plan

  variables {
    env_tags = { CostCenter = "corpus-prod" }
  }

  expect_failures = [output.tags]
}
