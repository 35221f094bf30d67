locals {
  log_group_name     = "/ecs/${var.name}"
  log_group_arn      = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  create_log_kms_key = var.log_kms_key_arn == null
  log_kms_key_arn    = local.create_log_kms_key ? module.kms_key[0].key_arn : var.log_kms_key_arn
}

module "kms_key" {
  source = "../kms-key"
  count  = local.create_log_kms_key ? 1 : 0

  alias_name              = "alias/ecs/${var.name}/logs"
  description             = "Log group ${local.log_group_name} of ECS service ${var.name}"
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                    = var.tags

  # CloudWatch Logs may use the key for this service's log group and nothing else.
  cloudwatch_logs_log_groups = [local.log_group_name]
}

# Keys created before modules/kms-key keep their identity (and the log events they encrypt stay readable).
moved {
  from = aws_kms_key.logs[0]
  to   = module.kms_key[0].aws_kms_key.this
}

moved {
  from = aws_kms_alias.logs[0]
  to   = module.kms_key[0].aws_kms_alias.this
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.log_kms_key_arn
  tags              = var.tags
}
