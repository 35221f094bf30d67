# The Terraform and AWS provider versions every configuration of this repository accepts, stated once:
# each module, fixture and example, the root and bootstrap link this file as their versions.tf
# (ADR 0023), and the Python tooling reads the provider constraint from it
# (scripts/terraform/tf.py, provider_constraint()). CI plans the root at both ends of the range
# (provider 5.100.0 and ~> 6.0, .github/workflows). A change here changes them all at once.
terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}
