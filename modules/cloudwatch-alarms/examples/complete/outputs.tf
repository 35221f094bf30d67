output "alarm_arns" {
  description = "ARN of every alarm, by name."
  value       = module.alarms.alarm_arns
}

output "alarm_thresholds" {
  description = "Computed threshold of every metric alarm, by name."
  value       = module.alarms.alarm_thresholds
}

output "critical_alarm_names" {
  description = "The service-degraded composite and the critical alarms it aggregates."
  value       = module.alarms.critical_alarm_names
}

output "composite_alarm_arn" {
  description = "ARN of the service-degraded composite alarm."
  value       = module.alarms.composite_alarm_arn
}

output "topic_arn" {
  description = "ARN of the alarm topic."
  value       = module.alarms.topic_arn
}

output "kms_key_arn" {
  description = "KMS key encrypting the alarm topic."
  value       = module.alarms.kms_key_arn
}

output "dashboard_name" {
  description = "Name of the dashboard."
  value       = module.alarms.dashboard_name
}

output "dashboard_url" {
  description = "Console URL of the dashboard."
  value       = module.alarms.dashboard_url
}
