locals {
  # ECS Exec audits sessions into the cluster's execute-command log group, written with the task role.
  exec_log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/ecs/${local.cluster_name}/execute-command"

  # What the execution role may read.
  secret_refs = distinct(concat(values(var.secrets), flatten([for s in var.sidecars : values(s.secrets)])))
  # A Secrets Manager reference may carry :json-key:version-stage:version-id; IAM wants the secret ARN.
  secretsmanager_arns = distinct([for r in local.secret_refs : join(":", slice(split(":", r), 0, 7)) if split(":", r)[2] == "secretsmanager"])
  ssm_parameter_arns  = distinct([for r in local.secret_refs : r if split(":", r)[2] == "ssm"])

  images = concat([var.image], [for s in var.sidecars : s.image])
  ecr_matches = [
    for i in local.images : try(regex("^([0-9]{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", i), null)
  ]
  ecr_repository_arns = distinct([
    for m in local.ecr_matches : "arn:${local.partition}:ecr:${m[1]}:${m[0]}:repository/${m[2]}" if m != null
  ])
}

# Only ECS tasks of this account and region may assume the roles (confused-deputy protection).
data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "EcsTasksOfThisAccount"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name                 = "${var.name}-execution"
  description          = "ECS pulls the images of ${var.name}, writes its logs and reads its secrets"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = 3600
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "execution" {
  # GetAuthorizationToken has no resource-level permissions; it only issues a registry login.
  #checkov:skip=CKV_AWS_356:ecr:GetAuthorizationToken supports no resource scoping; every other statement names its resources.
  #checkov:skip=CKV_AWS_111:ecr:GetAuthorizationToken supports no resource scoping; every other statement names its resources.
  dynamic "statement" {
    for_each = length(local.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(local.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "EcrPullServiceImages"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
      resources = local.ecr_repository_arns
    }
  }

  statement {
    sid       = "WriteServiceLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:log-stream:*"]
  }

  dynamic "statement" {
    for_each = length(local.secretsmanager_arns) > 0 ? [1] : []

    content {
      sid       = "ReadListedSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.secretsmanager_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.ssm_parameter_arns) > 0 ? [1] : []

    content {
      sid       = "ReadListedParameters"
      actions   = ["ssm:GetParameters"]
      resources = local.ssm_parameter_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.secrets_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptListedSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com", "ssm.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name                 = "${var.name}-task"
  description          = "Application permissions of ECS service ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = 3600
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "task" {
  #checkov:skip=CKV_AWS_111:ECS Exec's ssmmessages channel actions support no resource scoping; present only when enable_execute_command is true.
  #checkov:skip=CKV_AWS_356:ECS Exec's ssmmessages channel actions support no resource scoping; present only when enable_execute_command is true.
  dynamic "statement" {
    for_each = var.task_role_statements

    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }

  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []

    content {
      sid = "EcsExecChannels"
      actions = [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []

    content {
      sid       = "EcsExecAuditLog"
      actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
      resources = [local.exec_log_group_arn, "${local.exec_log_group_arn}:log-stream:*"]
    }
  }

  dynamic "statement" {
    for_each = var.enable_execute_command && var.execute_command_kms_key_arn != null ? [1] : []

    content {
      sid       = "EcsExecSessionKey"
      actions   = ["kms:Decrypt"]
      resources = [var.execute_command_kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  count = length(var.task_role_statements) > 0 || var.enable_execute_command ? 1 : 0

  name   = "application"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}
