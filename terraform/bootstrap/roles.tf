# Deploy roles: per environment one plan role (pull requests, read-only) and one apply role (only
# the job that runs in the GitHub environment of the same name). Both trust exactly one OIDC
# provider, the STS audience and an exact list of subjects: StringEquals, never StringLike.

data "aws_iam_policy_document" "plan_trust" {
  for_each = local.environments

  statement {
    sid     = "GitHubPullRequestsAndTrustedRefs"
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
      values   = each.value.plan_subjects
    }
  }
}

data "aws_iam_policy_document" "apply_trust" {
  for_each = local.environments

  statement {
    sid     = "GitHubEnvironment"
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
      values   = each.value.apply_subjects
    }
  }
}

resource "aws_iam_role" "plan" {
  for_each = local.environments

  name                 = "${var.service_name}-gha-plan-${each.key}"
  path                 = local.role_path
  description          = "Read-only plan of ${each.key} from pull requests of ${var.github_owner}/${var.github_repository} (GitHub OIDC)."
  assume_role_policy   = data.aws_iam_policy_document.plan_trust[each.key].json
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
  assume_role_policy   = data.aws_iam_policy_document.apply_trust[each.key].json
  max_session_duration = var.max_session_duration

  lifecycle {
    precondition {
      condition     = length(each.value.apply_subjects) == 1 && alltrue([for s in each.value.apply_subjects : can(regex(local.subject_pattern, s)) && endswith(s, ":environment:${each.key}")])
      error_message = "The apply role of ${each.key} must trust exactly the subject of the GitHub environment ${each.key} (got ${join(", ", each.value.apply_subjects)})."
    }
  }
}

# --- Managed policies and their attachments ---------------------------------------------------------

resource "aws_iam_policy" "read" {
  name        = "${var.service_name}-gha-read"
  path        = local.role_path
  description = "Read what Terraform refreshes for the ${var.service_name} platform (no object or secret values)."
  policy      = data.aws_iam_policy_document.read.json

  lifecycle {
    precondition {
      condition     = length(replace(data.aws_iam_policy_document.read.json, "/\\s/", "")) <= 6144
      error_message = "The read policy exceeds IAM's 6,144-character limit for managed policies; split it."
    }
  }
}

resource "aws_iam_policy" "read_names" {
  for_each = local.environments

  name        = "${var.service_name}-gha-read-${each.key}"
  path        = local.role_path
  description = "Read the metadata of the ${each.key} resources Terraform refreshes (no object or secret values)."
  policy      = data.aws_iam_policy_document.read_names[each.key].json

  lifecycle {
    precondition {
      condition     = length(replace(data.aws_iam_policy_document.read_names[each.key].json, "/\\s/", "")) <= 6144
      error_message = "The read policy of ${each.key} exceeds IAM's 6,144-character limit for managed policies; split it."
    }
  }
}

resource "aws_iam_policy" "plan_state" {
  for_each = local.environments

  name        = "${var.service_name}-gha-plan-state-${each.key}"
  path        = local.role_path
  description = "Read the ${each.key} state and write only its lock file."
  policy      = data.aws_iam_policy_document.plan_state[each.key].json
}

resource "aws_iam_policy" "apply_state" {
  for_each = local.environments

  name        = "${var.service_name}-gha-apply-state-${each.key}"
  path        = local.role_path
  description = "Read and write the ${each.key} state and its lock file."
  policy      = data.aws_iam_policy_document.apply_state[each.key].json
}

resource "aws_iam_policy" "apply" {
  for_each = local.apply_policies

  name        = "${var.service_name}-gha-apply-${each.key}"
  path        = local.role_path
  description = "Change ${each.value.area} of ${each.value.env}: resources named ${local.environments[each.value.env].resource_prefix}* or tagged Service=${var.service_name}."
  policy      = each.value.json

  lifecycle {
    precondition {
      condition     = length(replace(each.value.json, "/\\s/", "")) <= 6144
      error_message = "The apply policy ${each.key} exceeds IAM's 6,144-character limit for managed policies; split it."
    }
  }
}

locals {
  apply_policies = merge([
    for env in keys(local.environments) : {
      "compute-${env}"  = { env = env, area = "compute and network (ECS, load balancing, autoscaling, WAF, security groups)", json = data.aws_iam_policy_document.apply_compute[env].json }
      "data-${env}"     = { env = env, area = "data and keys (RDS, RDS Proxy, Secrets Manager, SSM, KMS)", json = data.aws_iam_policy_document.apply_data[env].json }
      "services-${env}" = { env = env, area = "storage, messaging and monitoring (S3, SQS, SNS, ECR, logs, alarms, events)", json = data.aws_iam_policy_document.apply_services[env].json }
      "iam-${env}"      = { env = env, area = "IAM roles of the platform and the guard rails around the delivery resources", json = data.aws_iam_policy_document.apply_iam[env].json }
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
