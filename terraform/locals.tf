# The credentials must belong to the account the per-account values were written for: a plan of
# dev's values with prod's credentials (or the reverse) stops here, before anything is compared.
data "aws_caller_identity" "current" {
  lifecycle {
    postcondition {
      condition     = self.account_id == var.account_id
      error_message = "account_id is ${var.account_id}, but these credentials belong to account ${self.account_id}: use the ${var.environment} account's credentials, or correct account_id (TF_VAR_account_id locally, the GitHub variable ${upper(var.environment)}_ACCOUNT_ID in the pipeline; see docs/cicd.md)."
    }

    # terraform.tfvars is loaded automatically and beats TF_VAR_* (Terraform's variable precedence:
    # environment variables < terraform.tfvars < *.auto.tfvars < -var/-var-file,
    # https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence),
    # so a leftover file would silently override the per-account values the pipeline and
    # terraform/<env>.account.env set.
    postcondition {
      condition     = !fileexists("${path.module}/terraform.tfvars") && !fileexists("${path.module}/terraform.tfvars.json")
      error_message = "terraform/terraform.tfvars (or .tfvars.json) exists and would override the per-account TF_VAR_* values: delete it and put per-account values in terraform/${var.environment}.account.env (see docs/cicd.md)."
    }
  }
}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # The one statement of what a region name looks like, also read by the plan checks (ADR 0024).
  region_name_pattern = jsondecode(file("${path.module}/../modules/_shared/region_name.json")).pattern
  # The formats of the AWS identifiers the inputs take, as the modules read them (ADR 0024).
  aws_id_pattern = jsondecode(file("${path.module}/../modules/_shared/aws_id_patterns.json")).patterns

  name       = "${var.service_name}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  # The one place an environment name becomes behaviour: intents.json lists the environments (prod is
  # production-like, dev is not) and what each kind demands. The modules take the intents below, never
  # an environment name, and the plan checks read the same file instead of keeping their own list.
  # lookup: an environment the file does not list is refused by variables.tf, with the list.
  intent_table    = jsondecode(file("${path.module}/intents.json"))
  production_like = lookup(local.intent_table.environments, var.environment, "not_production_like") == "production_like"
  # minimum_backup_retention_days for modules/rds-postgres, allow_latest_image_tag for
  # modules/ecs-service, require_alarm_actions for modules/cloudwatch-alarms; require_deletion_protection
  # and require_multi_az for variables.tf's rails on deletion_protection and database.multi_az.
  intents = merge(
    local.intent_table[local.production_like ? "production_like" : "not_production_like"],
    { production_like = local.production_like },
  )

  # Where the pipeline keeps an environment's per-account values: GitHub variables <PREFIX>_<NAME>, the
  # prefix as bootstrap's outputs and scripts/terraform/backend.py (github_prefix) spell it.
  github_prefix = upper(replace(var.environment, "-", "_"))

  # A placeholder left in a per-account value: the names reserved for documentation and testing
  # (example.com/.net/.org, https://www.rfc-editor.org/rfc/rfc2606; .example, .invalid, .test), which
  # never reach a person or a paging service.
  placeholder_domain_pattern = "((^|[./@])example\\.(com|net|org)|\\.(example|invalid|test))(:[0-9]+)?$"

  # Per account, from TF_VAR_permissions_boundary_arn: the pipeline passes an unset GitHub variable
  # as "", which means no boundary.
  permissions_boundary_arn = var.permissions_boundary_arn == "" ? null : var.permissions_boundary_arn

  # Parameter Store path the worker reads at run time (prompts and model settings).
  parameter_prefix = "/${var.service_name}/${var.environment}/worker"

  # Buckets are global: the account id keeps names unique across accounts and environments.
  bucket_names = {
    uploads = "${local.name}-uploads-${local.account_id}"
    results = "${local.name}-results-${local.account_id}"
    logs    = "${local.name}-logs-${local.account_id}"
  }
  # Where the load balancer writes its access logs in the logs bucket, and the one prefix that
  # bucket's policy lets Elastic Load Balancing write under.
  alb_access_logs_prefix = "alb"

  # Prefix under which the browser uploads (presigned PUT); the API may presign nothing else.
  upload_prefix  = "uploads/"
  results_prefix = "results/"
}

# Beside the map it states: `python -m scripts plan` / `check-plan` read whether the plan is
# production-like from here (scripts/checks/findings.py), so the checks and the modules cannot
# disagree about an environment.
output "intents" {
  description = "What this environment demands, as the modules receive it: production_like, minimum_backup_retention_days, allow_latest_image_tag, require_alarm_actions."
  value       = local.intents
}
