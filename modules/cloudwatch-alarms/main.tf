locals {
  account_root = "arn:${local.partition}:iam::${local.account_id}:root"

  create_topic   = var.alarm_topic_arn == null
  create_kms_key = local.create_topic && var.kms_key_arn == null
  topic_name     = "${var.name}-alarms"
  # Known at plan time (no dependency on the topic), so policies and the dashboard can name it.
  topic_arn   = local.create_topic ? "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.topic_name}" : var.alarm_topic_arn
  kms_key_arn = local.create_topic ? coalesce(var.kms_key_arn, try(module.kms_key[0].key_arn, null)) : null

  # Every alarm of the module is named "<name>-..."; the grants to CloudWatch are scoped to exactly these.
  alarm_arn_prefix  = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:"
  alarm_arn_pattern = "${local.alarm_arn_prefix}${var.name}-*"

  actions = concat([local.topic_arn], var.additional_alarm_actions)
}

# --- Encryption key for the topic ------------------------------------------------------------

# A key created before modules/kms-key keeps its identity (moved_kms_key.tf), and the topic its key.
module "kms_key" {
  source = "../kms-key"
  count  = local.create_kms_key ? 1 : 0

  alias_name              = "alias/sns/${local.topic_name}"
  description             = "SNS encryption for ${local.topic_name} (CloudWatch alarm notifications)"
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                    = var.tags

  # CloudWatch publishes to an encrypted topic only if it may use the key; without this statement the
  # alarms change state and every notification is dropped without an error anywhere:
  # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
  service_statements = {
    CloudWatchAlarmsUseKey = {
      service = "cloudwatch.amazonaws.com"
      actions = ["kms:Decrypt", "kms:GenerateDataKey*"]
      conditions = [
        { test = "StringEquals", variable = "aws:SourceAccount", values = [local.account_id] },
        { test = "ArnLike", variable = "aws:SourceArn", values = [local.alarm_arn_pattern] },
      ]
    }
  }
}

# --- Topic ----------------------------------------------------------------------------------

resource "aws_sns_topic" "this" {
  count = local.create_topic ? 1 : 0

  name              = local.topic_name
  display_name      = "${var.name} alarms"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "topic" {
  count = local.create_topic ? 1 : 0

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["sns:Publish"]
    resources = [local.topic_arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arn_pattern]
    }
  }

  # What the default topic policy grants the owning account, without its Principal "*".
  statement {
    sid = "AccountOwnerManagement"
    actions = [
      "sns:AddPermission",
      "sns:DeleteTopic",
      "sns:GetTopicAttributes",
      "sns:ListSubscriptionsByTopic",
      "sns:Publish",
      "sns:RemovePermission",
      "sns:SetTopicAttributes",
      "sns:Subscribe",
    ]
    resources = [local.topic_arn]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [local.topic_arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  count = local.create_topic ? 1 : 0

  arn    = aws_sns_topic.this[0].arn
  policy = data.aws_iam_policy_document.topic[0].json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.email_subscriptions)

  topic_arn = local.topic_arn
  protocol  = "email"
  endpoint  = each.value

  depends_on = [aws_sns_topic.this]
}

resource "aws_sns_topic_subscription" "https" {
  for_each = toset(var.https_subscriptions)

  topic_arn = local.topic_arn
  protocol  = "https"
  endpoint  = each.value

  depends_on = [aws_sns_topic.this]
}
