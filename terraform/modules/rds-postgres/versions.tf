terraform {
  required_version = ">= 1.11" # write-only arguments and ephemeral resources (the master password with a replica)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}
