data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
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
    for_each = var.service_statements

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
