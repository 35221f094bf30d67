terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }

  # Partial configuration: bucket, key and region come from environments/<env>.s3.tfbackend
  # (terraform init -backend-config=environments/dev.s3.tfbackend). State is locked with S3
  # conditional writes (use_lockfile), so no DynamoDB table is needed.
  backend "s3" {}
}
