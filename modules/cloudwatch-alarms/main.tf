data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  region       = data.aws_region.current.id
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

# Keys created before modules/kms-key keep their identity (and the topic its key).
moved {
  from = aws_kms_key.this[0]
  to   = module.kms_key[0].aws_kms_key.this
}

moved {
  from = aws_kms_alias.this[0]
  to   = module.kms_key[0].aws_kms_alias.this
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

# --- Alarms (definitions in alarms.tf) ------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.metric_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${each.value.description} Runbook: ${var.runbook_base_url}/${each.value.runbook}.md"
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  treat_missing_data  = each.value.treat_missing_data

  # A single metric ...
  namespace          = each.value.namespace
  metric_name        = each.value.metric_name
  dimensions         = each.value.dimensions
  statistic          = each.value.statistic
  extended_statistic = each.value.extended_statistic
  period             = each.value.period

  # ... or metric math: exactly one query returns the value the alarm compares.
  dynamic "metric_query" {
    for_each = each.value.queries

    content {
      id          = metric_query.value.id
      expression  = try(metric_query.value.expression, null)
      label       = try(metric_query.value.label, null)
      return_data = try(metric_query.value.return_data, false)

      dynamic "metric" {
        for_each = try([metric_query.value.metric], [])

        content {
          namespace   = metric.value.namespace
          metric_name = metric.value.metric_name
          dimensions  = metric.value.dimensions
          stat        = metric.value.stat
          period      = metric.value.period
        }
      }
    }
  }

  # Critical alarms feed the service-degraded composite, which notifies once for all of them;
  # SLO window alarms feed their burn-rate composites. Everything else notifies by itself.
  actions_enabled = var.actions_enabled
  alarm_actions   = each.value.notify ? local.actions : []
  ok_actions      = each.value.notify ? local.actions : []

  tags = merge(var.tags, { Severity = each.value.critical ? "critical" : "warning" })

  # Notifications published before CloudWatch may use the topic would be lost.
  depends_on = [aws_sns_topic_policy.this]
}

resource "aws_cloudwatch_composite_alarm" "slo_burn" {
  for_each = local.burn_composites

  alarm_name        = "${var.name}-${each.key}"
  alarm_description = "${each.value.description} Runbook: ${var.runbook_base_url}/${each.value.runbook}.md"
  alarm_rule = join(" AND ", [
    for k in each.value.windows : "ALARM(\"${aws_cloudwatch_metric_alarm.this[k].alarm_name}\")"
  ])

  # The fast burn is critical and pages through service-degraded; the slow burn notifies by itself.
  actions_enabled = var.actions_enabled
  alarm_actions   = each.value.critical && local.composite_enabled ? [] : local.actions
  ok_actions      = each.value.critical && local.composite_enabled ? [] : local.actions

  tags = merge(var.tags, { Severity = each.value.critical ? "critical" : "warning" })
}

resource "aws_cloudwatch_composite_alarm" "service_degraded" {
  count = local.composite_enabled ? 1 : 0

  alarm_name        = "${var.name}-service-degraded"
  alarm_description = "The ${var.environment} service is degraded: at least one critical alarm is in ALARM (${join(", ", local.critical_alarm_keys)}). This alarm notifies once for all of them; open the dashboard ${var.name} and the runbook of each alarm in ALARM. Runbook: ${var.runbook_base_url}/service-degraded.md"
  alarm_rule = join(" OR ", concat(
    [for k in local.critical_metric_keys : "ALARM(\"${aws_cloudwatch_metric_alarm.this[k].alarm_name}\")"],
    [for k in local.critical_burn_keys : "ALARM(\"${aws_cloudwatch_composite_alarm.slo_burn[k].alarm_name}\")"],
  ))

  actions_enabled = var.actions_enabled
  alarm_actions   = local.actions
  ok_actions      = local.actions

  tags = merge(var.tags, { Severity = "critical" })
}
