# Delivery bootstrap, applied once per AWS account by an administrator:
# - the bucket every environment's S3 backend keeps its state in (native S3 locking, no DynamoDB),
# - the GitHub Actions OIDC identity provider,
# - per environment a read-only plan role for pull requests and an apply role for the protected
#   GitHub environment, each trusted only for one exact `sub` claim and the STS audience.

locals {
  # The one statement of what a region name looks like, also read by the root and the plan checks
  # (ADR 0024).
  region_name_pattern = jsondecode(file("${path.module}/../../modules/_shared/region_name.json")).pattern
  # The formats of AWS identifiers (the permissions boundary's policy ARN), as the modules and the root read them.
  aws_id_pattern = jsondecode(file("${path.module}/../../modules/_shared/aws_id_patterns.json")).patterns

  oidc_host     = "token.actions.githubusercontent.com"
  oidc_audience = "sts.amazonaws.com"
  oidc_provider_arn = coalesce(
    var.oidc_provider_arn,
    try(aws_iam_openid_connect_provider.github[0].arn, null),
  )

  state_bucket_name = coalesce(var.state_bucket_name, "${var.service_name}-tfstate-${local.account_id}")
  state_bucket_arn  = "arn:${local.partition}:s3:::${local.state_bucket_name}"

  # Deploy roles live under their own path: the apply roles' IAM permissions never reach it.
  role_path = "/github-actions/"

  # GitHub's two subject formats: classic repo:<owner>/<repo>:<context>, and the immutable one
  # that carries the numeric ids and survives a rename or transfer of the repository.
  subject_repo = (
    var.github_owner_id == null
    ? "repo:${var.github_owner}/${var.github_repository}"
    : "repo:${var.github_owner}@${var.github_owner_id}/${var.github_repository}@${var.github_repository_id}"
  )

  environments = {
    for env, cfg in var.environments : env => {
      state_key       = coalesce(cfg.state_key, "${var.service_name}/${env}/terraform.tfstate")
      resource_prefix = coalesce(cfg.resource_prefix, "${var.service_name}-${env}")
      empty_buckets   = cfg.empty_buckets_on_destroy
      plan_subjects = concat(
        ["${local.subject_repo}:pull_request"],
        [for ref in var.plan_trusted_refs : "${local.subject_repo}:ref:${ref}"],
      )
      apply_subjects = ["${local.subject_repo}:environment:${env}"]
    }
  }

  # The prefix of an environment's GitHub variables (pre-prod -> PRE_PROD_PLAN_ROLE_ARN): a variable
  # name holds only letters, digits and underscores
  # (https://docs.github.com/en/actions/reference/workflows-and-actions/variables#naming-conventions-for-configuration-variables).
  # The Python tools compute the same with scripts/terraform/backend.py's github_prefix();
  # tests/modules/test_bootstrap_plan.py checks that both agree on a hyphenated environment.
  github_prefix = { for env in keys(var.environments) : env => upper(replace(env, "-", "_")) }

  # What a precise subject looks like; the roles refuse to be planned with anything else even if a
  # later edit bypasses the input validation.
  subject_pattern = "^repo:[A-Za-z0-9@._/-]+:(pull_request|environment:[a-z][a-z0-9-]*|ref:refs/(heads|tags)/[A-Za-z0-9._/-]+)$"
}

# --- GitHub OIDC identity provider ---------------------------------------------------------------

resource "aws_iam_openid_connect_provider" "github" {
  count = var.oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = [local.oidc_audience]
  # Optional and computed in provider 5.100 and 6.x: null lets IAM trust GitHub through its own CA
  # library (what AWS does for this provider regardless of the thumbprints).
  thumbprint_list = length(var.oidc_thumbprints) > 0 ? var.oidc_thumbprints : null
}

# --- State bucket ----------------------------------------------------------------------------------

module "state_bucket" {
  source = "../../modules/private-s3"

  bucket_name = local.state_bucket_name
  # Old state versions are the rollback of a bad apply; keep them for a quarter.
  noncurrent_version_expiration_days = 90
  force_destroy                      = false
  tags                               = var.tags
}
