locals {
  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? module.kms_key[0].key_arn : var.kms_key_arn

  exec_log_group_name = "/aws/ecs/${var.name}/execute-command"

  # Container Insights writes its performance log events to this group and creates it, never
  # expiring and without our key, when it does not exist yet. "These logs are in CloudWatch Logs, in a
  # log group named /aws/ecs/containerinsights/CLUSTER_NAME/performance":
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-reference-performance-logs-ECS.html
  # The reference says Container Insights "automatically creates a log group ... You don't need to
  # create this log group yourself" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-reference.html):
  # creation is optional, so a group that exists first (ours, with retention and the key) is the one used.
  insights_log_group_name = "/aws/ecs/containerinsights/${var.name}/performance"

  # Providers not weighted in the default strategy are still registered, so services can pick them.
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]
}

# --- Key for ECS Exec sessions and their audit log ---------------------------------------------

# A key created before modules/kms-key keeps its identity (moved_kms_key.tf), so the log events it
# encrypts stay readable.
module "kms_key" {
  source = "../kms-key"
  count  = local.create_kms_key ? 1 : 0

  alias_name              = "alias/ecs/${var.name}"
  description             = "ECS Exec sessions, audit log and Container Insights performance log of cluster ${var.name}"
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                    = var.tags

  # CloudWatch Logs encrypts the ECS Exec audit log group and the Container Insights performance log
  # group with this key, and no other group.
  cloudwatch_logs_log_groups = [local.exec_log_group_name, local.insights_log_group_name]
}

resource "aws_cloudwatch_log_group" "exec" {
  name              = local.exec_log_group_name
  retention_in_days = var.exec_log_retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

# Created before the cluster turns Container Insights on, so Container Insights finds it instead of
# creating an unencrypted, never-expiring one (which the next apply could not create: it would exist).
resource "aws_cloudwatch_log_group" "container_insights" {
  #checkov:skip=CKV_AWS_338:Container Insights performance events are telemetry (the source of its metrics, which CloudWatch keeps as metrics), not an audit trail; retention is an input (default 30 days) because a year of per-task telemetry costs more than it tells. The audit log (ECS Exec) keeps 365 days.
  name              = local.insights_log_group_name
  retention_in_days = var.container_insights_log_retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags
}

# --- Cluster --------------------------------------------------------------------------------

resource "aws_ecs_cluster" "this" {
  name = var.name
  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.container_insights]

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  # ECS Exec stays off in every service by default; when a service turns it on, sessions are
  # encrypted with the cluster key and every command is written to the audit log group.
  configuration {
    execute_command_configuration {
      kms_key_id = local.kms_key_arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name
      }
    }
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = local.capacity_providers

  dynamic "default_capacity_provider_strategy" {
    for_each = var.default_capacity_provider_strategy

    content {
      capacity_provider = default_capacity_provider_strategy.value.capacity_provider
      weight            = default_capacity_provider_strategy.value.weight
      base              = default_capacity_provider_strategy.value.base
    }
  }
}
