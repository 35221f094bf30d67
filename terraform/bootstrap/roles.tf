# Deploy roles: per environment one plan role (pull requests, read-only) and one apply role (only
# the job that runs in the GitHub environment of the same name). Both trust exactly one OIDC
# provider, the STS audience and an exact list of subjects: StringEquals, never StringLike.

locals {
  # Per role: its statement id and the exact subjects it trusts.
  trusts = merge([
    for env, cfg in local.environments : {
      "plan/${env}"  = { sid = "GitHubPullRequestsAndTrustedRefs", subjects = cfg.plan_subjects }
      "apply/${env}" = { sid = "GitHubEnvironment", subjects = cfg.apply_subjects }
    }
  ]...)
}

data "aws_iam_policy_document" "trust" {
  for_each = local.trusts

  statement {
    sid     = each.value.sid
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = [local.oidc_audience]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = each.value.subjects
    }
  }
}

resource "aws_iam_role" "plan" {
  for_each = local.environments

  name                 = "${var.service_name}-gha-plan-${each.key}"
  path                 = local.role_path
  description          = "Read-only plan of ${each.key} from pull requests of ${var.github_owner}/${var.github_repository} (GitHub OIDC)."
  assume_role_policy   = data.aws_iam_policy_document.trust["plan/${each.key}"].json
  max_session_duration = var.max_session_duration

  lifecycle {
    precondition {
      condition     = length(each.value.plan_subjects) > 0 && alltrue([for s in each.value.plan_subjects : can(regex(local.subject_pattern, s))])
      error_message = "The plan role of ${each.key} would trust an imprecise subject (${join(", ", each.value.plan_subjects)}); every sub must be exact, without wildcards."
    }
  }
}

resource "aws_iam_role" "apply" {
  for_each = local.environments

  name                 = "${var.service_name}-gha-apply-${each.key}"
  path                 = local.role_path
  description          = "Apply ${each.key} from the GitHub environment ${each.key} of ${var.github_owner}/${var.github_repository} (GitHub OIDC)."
  assume_role_policy   = data.aws_iam_policy_document.trust["apply/${each.key}"].json
  max_session_duration = var.max_session_duration

  lifecycle {
    precondition {
      condition     = length(each.value.apply_subjects) == 1 && alltrue([for s in each.value.apply_subjects : can(regex(local.subject_pattern, s)) && endswith(s, ":environment:${each.key}")])
      error_message = "The apply role of ${each.key} must trust exactly the subject of the GitHub environment ${each.key} (got ${join(", ", each.value.apply_subjects)})."
    }
  }
}

# --- Managed policies and their attachments ---------------------------------------------------------
#
# Every document comes from the tables in policies.tf (local.policy_json), rendered and checked
# against the 6,144-character limit in one place. The five resources keep the addresses an applied
# bootstrap has in its state: their instance keys are environment names of the caller's choosing,
# and a moved block names literal addresses only, so merging them into one for_each resource would
# destroy and recreate the policies of any environment it could not list.
# https://developer.hashicorp.com/terraform/language/moved

resource "aws_iam_policy" "read" {
  name        = "${var.service_name}-gha-read"
  path        = local.role_path
  description = "Read what Terraform refreshes for the ${var.service_name} platform (no object or secret values)."
  policy      = local.policy_json["read"]
}

resource "aws_iam_policy" "read_names" {
  for_each = local.environments

  name        = "${var.service_name}-gha-read-${each.key}"
  path        = local.role_path
  description = "Read the metadata of the ${each.key} resources Terraform refreshes (no object or secret values)."
  policy      = local.policy_json["read/${each.key}"]
}

resource "aws_iam_policy" "plan_state" {
  for_each = local.environments

  name        = "${var.service_name}-gha-plan-state-${each.key}"
  path        = local.role_path
  description = "Read the ${each.key} state and write only its lock file."
  policy      = local.policy_json["plan-state/${each.key}"]
}

resource "aws_iam_policy" "apply_state" {
  for_each = local.environments

  name        = "${var.service_name}-gha-apply-state-${each.key}"
  path        = local.role_path
  description = "Read and write the ${each.key} state and its lock file."
  policy      = local.policy_json["apply-state/${each.key}"]
}

resource "aws_iam_policy" "apply" {
  for_each = local.apply_policies

  name        = "${var.service_name}-gha-apply-${each.key}"
  path        = local.role_path
  description = "Change ${each.value.area} of ${each.value.env}: resources named ${local.environments[each.value.env].resource_prefix}* or tagged Service=${var.service_name}."
  policy      = local.policy_json["${each.value.doc}/${each.value.env}"]
}

locals {
  apply_policies = merge([
    for env in keys(local.environments) : {
      "compute-${env}"  = { env = env, doc = "compute", area = "compute and network (ECS, load balancing, autoscaling, WAF, security groups)" }
      "data-${env}"     = { env = env, doc = "data", area = "data and keys (RDS, RDS Proxy, Secrets Manager, SSM, KMS)" }
      "services-${env}" = { env = env, doc = "services", area = "storage, messaging and monitoring (S3, SQS, SNS, ECR, logs, alarms, events)" }
      "iam-${env}"      = { env = env, doc = "iam", area = "IAM roles of the platform and the guard rails around the delivery resources" }
    }
  ]...)

  plan_attachments = merge([
    for env in keys(local.environments) : {
      "${env}-read"       = { env = env, arn = aws_iam_policy.read.arn }
      "${env}-read-names" = { env = env, arn = aws_iam_policy.read_names[env].arn }
      "${env}-state"      = { env = env, arn = aws_iam_policy.plan_state[env].arn }
    }
  ]...)

  apply_attachments = merge([
    for env in keys(local.environments) : merge(
      {
        "${env}-read"       = { env = env, arn = aws_iam_policy.read.arn }
        "${env}-read-names" = { env = env, arn = aws_iam_policy.read_names[env].arn }
        "${env}-state"      = { env = env, arn = aws_iam_policy.apply_state[env].arn }
      },
      { for area in ["compute", "data", "services", "iam"] : "${env}-${area}" => { env = env, arn = aws_iam_policy.apply["${area}-${env}"].arn } },
    )
  ]...)
}

resource "aws_iam_role_policy_attachment" "plan" {
  for_each = local.plan_attachments

  role       = aws_iam_role.plan[each.value.env].name
  policy_arn = each.value.arn
}

resource "aws_iam_role_policy_attachment" "apply" {
  for_each = local.apply_attachments

  role       = aws_iam_role.apply[each.value.env].name
  policy_arn = each.value.arn
}
