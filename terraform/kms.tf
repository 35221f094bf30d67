# One customer-managed key for the platform's own data outside S3 and RDS (which get their own
# keys from their modules): the job queues, the worker's parameters, image repositories and the
# web ACL's log group. Callers get use of the key through IAM (with kms:ViaService conditions).

data "aws_iam_policy_document" "platform_key" {
  #checkov:skip=CKV_AWS_109:A key policy, not an IAM policy: Resource "*" means this key only, and the account root principal delegates access to IAM.
  #checkov:skip=CKV_AWS_111:A key policy, not an IAM policy: Resource "*" means this key only, and the account root principal delegates access to IAM.
  #checkov:skip=CKV_AWS_356:A key policy, not an IAM policy: Resource "*" means this key only.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid = "CloudWatchLogsOfThisPlatform"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*${local.name}*"]
    }
  }
}

resource "aws_kms_key" "platform" {
  description             = "${local.name}: job queues, worker parameters, image repositories, WAF logs"
  enable_key_rotation     = true
  deletion_window_in_days = local.is_prod ? 30 : 7
  policy                  = data.aws_iam_policy_document.platform_key.json
}

resource "aws_kms_alias" "platform" {
  name          = "alias/${local.name}/platform"
  target_key_id = aws_kms_key.platform.key_id
}
