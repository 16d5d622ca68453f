terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Partial configuration: scripts/tf.sh fills it in (state bucket, <env>/<resource>/ key, lock table).
  backend "s3" {}
}
