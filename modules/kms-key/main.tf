locals {
  account_root = "arn:${local.partition}:iam::${local.account_id}:root"

  # CloudWatch Logs encrypts and decrypts log events itself, so the key policy must grant it use; it
  # calls KMS with the log group's ARN as encryption context, which pins the grant to named groups:
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
  # ArnLike matches an ARN without wildcards exactly, and a trailing * matches a family of groups:
  # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
  cloudwatch_logs_statement = length(var.cloudwatch_logs_log_groups) == 0 ? {} : {
    CloudWatchLogs = {
      service    = "logs.${local.region}.amazonaws.com"
      actions    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      conditions = [{ test = "ArnLike", variable = "kms:EncryptionContext:aws:logs:arn", values = [for name in var.cloudwatch_logs_log_groups : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${name}"] }]
    }
  }
}

# The key policy: the account administers the key through IAM, and each AWS service that must use
# the key in its own name (not on behalf of a caller's IAM identity) gets one statement, always
# conditioned to the resources it acts for.
data "aws_iam_policy_document" "this" {
  # The three skips below are the only ones for key policies in this repository: every key is made here.
  #checkov:skip=CKV_AWS_109:A key policy, not an IAM policy: Resource "*" means this key only, and the account root principal delegates access to IAM.
  #checkov:skip=CKV_AWS_111:A key policy, not an IAM policy: Resource "*" means this key only, and the account root principal delegates access to IAM.
  #checkov:skip=CKV_AWS_356:A key policy, not an IAM policy: Resource "*" means this key only.

  # Without this statement no IAM policy can grant use or administration of the key, and the key
  # becomes unmanageable; with it, S3, RDS, SQS, SSM, Secrets Manager and ECR use the key through
  # their callers' IAM permissions (kms:ViaService):
  # https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  dynamic "statement" {
    for_each = merge(local.cloudwatch_logs_statement, var.service_statements)

    content {
      sid       = statement.key
      actions   = statement.value.actions
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = [statement.value.service]
      }

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
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days
  policy                  = data.aws_iam_policy_document.this.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = var.alias_name
  target_key_id = aws_kms_key.this.key_id
}
