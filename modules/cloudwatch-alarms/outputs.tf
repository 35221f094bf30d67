output "alarm_arns" {
  description = "ARN of every alarm the module creates (metric and composite), by alarm name."
  value = merge(
    { for a in aws_cloudwatch_metric_alarm.this : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_composite_alarm.slo_burn : a.alarm_name => a.arn },
    { for a in aws_cloudwatch_composite_alarm.service_degraded : a.alarm_name => a.arn },
  )
}

output "alarm_thresholds" {
  description = "The threshold each metric alarm compares against, by alarm name, as computed from the inputs (for example <name>-db-connections = floor(max_connections * connections_threshold_percent / 100))."
  value       = local.alarm_thresholds
}

output "critical_alarm_names" {
  description = "Names of the critical alarms: the service-degraded composite (when enabled) first, then the alarms it aggregates. All of them are on the dashboard's alarm widget."
  value       = local.critical_alarm_names
}

output "composite_alarm_arn" {
  description = "ARN of the \"<name>-service-degraded\" composite alarm that notifies once for every critical alarm; null when composite_alarm_enabled is false or no critical alarm exists."
  value       = try(aws_cloudwatch_composite_alarm.service_degraded[0].arn, null)
}

output "topic_arn" {
  description = "ARN of the SNS topic alarms and OK transitions are sent to (created, or alarm_topic_arn)."
  value       = local.create_topic ? aws_sns_topic.this[0].arn : var.alarm_topic_arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the created topic (created or passed in); null when an existing topic is used."
  value       = local.kms_key_arn
}

output "planned_client_connections" {
  description = "Sum of the ECS services' max_db_connections: the client connections the proxy alarm allows before firing."
  value       = local.planned_client_connections
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard; null when dashboard_enabled is false."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}

output "dashboard_arn" {
  description = "ARN of the CloudWatch dashboard; null when dashboard_enabled is false."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_arn, null)
}

output "dashboard_url" {
  description = "Console URL of the dashboard; null when dashboard_enabled is false."
  value = var.dashboard_enabled ? format(
    "https://%s.%s/cloudwatch/home?region=%s#dashboards/dashboard/%s",
    local.region,
    lookup({ "aws-cn" = "console.amazonaws.cn", "aws-us-gov" = "console.amazonaws-us-gov.com" }, local.partition, "console.aws.amazon.com"),
    local.region,
    var.name,
  ) : null
}
