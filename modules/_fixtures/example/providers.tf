# The harness every module example shares: the AWS provider with the project's default tags, and the
# two inputs every example takes. The versions are modules/_shared/versions.tf, which each example
# links as versions.tf like every other configuration here (ADR 0023). Each example links this
# file (examples/<example>/providers.tf -> ../../../_fixtures/example/providers.tf) instead of
# carrying a copy of it; see docs/adr/0022-shared-example-harness.md. To use one example outside
# this repository, copy this file and modules/_shared/versions.tf in place of the two links, and the
# fixtures the example calls.

# tflint-ignore is for this folder linted on its own, where nothing reads the name; every example
# that links this file uses it.
# tflint-ignore: terraform_unused_declarations
variable "name" {
  description = "Prefix of the example's resource names (the tests pass a unique one)."
  type        = string
  default     = "imgclass-example"

  # One rule for all examples, set by the tightest: ecs-service/worker names its service
  # "<name>-worker", which the module allows 32 characters.
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name))
    error_message = "name must be 3-24 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit."
  }
}

variable "region" {
  description = "AWS region of the example."
  type        = string
  default     = "eu-west-1"

  # No rule of its own: the provider refuses a name it does not know as a region before any call
  # (skip_region_validation is false by default, https://hashicorp.github.io/terraform-provider-aws/add-a-new-region/),
  # and the examples run only against real regions or the emulator's.
}

locals {
  # "<module>/<example>", read from where the example sits (modules/<module>/examples/<example>),
  # so the Example tag names the example that made a resource. Only those two path elements are
  # kept: the absolute path differs between machines and would change the tags. A copy elsewhere
  # is tagged with its directory's name.
  example_root = replace(abspath(path.root), "\\", "/")
  example = try(
    join("/", regex("modules/([^/]+)/examples/([^/]+)$", local.example_root)),
    basename(local.example_root),
  )
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Service   = "imgclass"
      ManagedBy = "terraform"
      Example   = local.example
    }
  }
}
