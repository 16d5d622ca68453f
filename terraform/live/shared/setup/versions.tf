terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: scripts/tf.sh fills it in (local state: this root creates the backend the others use).
  backend "local" {}
}
