# Shared block: the platform's service name and every rule its uses impose. Linked as service_name.tf
# into terraform/ and terraform/bootstrap (ADR 0024): both take the same value, and bootstrap
# scopes the deploy roles to the names and tag the root builds from it, so a name bootstrap accepted
# and the root refused would give roles for a platform that can never be planned.
# The tflint-ignore is for this folder linted on its own, where nothing reads the input;
# tests/unit/test_shared_blocks.py checks that every configuration that links the file reads it.
# tflint-ignore: terraform_unused_declarations
variable "service_name" {
  description = "Short name of the service; prefixes every resource name (<service_name>-<environment>-...) and becomes the Service tag. terraform/ and terraform/bootstrap take the same value: bootstrap names its own resources with it and scopes the deploy roles to that prefix and tag."
  type        = string
  default     = "imgclass"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", var.service_name))
    error_message = "service_name must be 3-16 characters of lowercase letters, digits and hyphens, starting with a letter (it is part of S3 bucket and RDS names)."
  }

  # The tightest composed name is the worker's service and target group, <service_name>-<environment>-worker,
  # which must fit Elastic Load Balancing's 32 characters
  # (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html, Name):
  # 16 + 1 + 4 (prod) + 7 = 28. The modules check every composed name again (alb, ecs-service, rds-*).

  # The database, its parameter group, final snapshot and proxy are named <service_name>-<environment>...,
  # and RDS identifiers can't contain two consecutive hyphens
  # (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html, DBInstanceIdentifier;
  # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html, DBProxyName).
  validation {
    condition     = !strcontains(var.service_name, "--")
    error_message = "service_name must not contain \"--\": it names the database and its proxy (<service_name>-<environment>), and RDS refuses identifiers with two consecutive hyphens."
  }

  # Every bucket name starts with <service_name>-, and S3 reserves these prefixes (xn-- is refused above)
  # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
  validation {
    condition     = !startswith(var.service_name, "sthree-") && !startswith(var.service_name, "amzn-s3-demo-")
    error_message = "service_name must not start with \"sthree-\" or \"amzn-s3-demo-\": it begins every bucket name (<service_name>-<environment>-uploads-<account>), and S3 reserves those prefixes."
  }

  # The worker's Parameter Store path is /<service_name>/<environment>/worker/..., and a parameter name
  # can't be prefixed with "aws" or "ssm", in any case
  # (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html, Name).
  validation {
    condition     = !startswith(var.service_name, "aws") && !startswith(var.service_name, "ssm")
    error_message = "service_name must not start with \"aws\" or \"ssm\": it is the first level of the worker's Parameter Store path (/<service_name>/<environment>/worker/...), and Parameter Store refuses names with those prefixes."
  }
}
