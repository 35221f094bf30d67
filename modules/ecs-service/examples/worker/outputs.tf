output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.cluster.cluster_name
}

output "service_name" {
  description = "Name of the worker service."
  value       = module.worker.service_name
}

output "task_definition_arn" {
  description = "Task definition of the worker."
  value       = module.worker.task_definition_arn
}

output "security_group_id" {
  description = "Security group of the worker tasks."
  value       = module.worker.security_group_id
}

output "task_role_arn" {
  description = "Task role of the worker."
  value       = module.worker.task_role_arn
}

output "execution_role_arn" {
  description = "Execution role of the worker."
  value       = module.worker.execution_role_arn
}

output "log_group_name" {
  description = "Log group of the worker."
  value       = module.worker.log_group_name
}

output "autoscaling_resource_id" {
  description = "Application Auto Scaling resource ID of the worker."
  value       = module.worker.autoscaling_resource_id
}

output "queue_name" {
  description = "Name of the job queue the worker scales on."
  value       = aws_sqs_queue.jobs.name
}

output "max_db_connections" {
  description = "Database connections the worker holds at full scale-out."
  value       = module.worker.max_db_connections
}

output "peak_db_connections" {
  description = "Database connections during a deployment at full scale-out."
  value       = module.worker.peak_db_connections
}

output "deployment_alarm_names" {
  description = "Alarms that roll a deployment of the worker back."
  value       = module.worker.deployment_alarm_names
}

output "cluster_kms_key_arn" {
  description = "KMS key of the cluster's log groups."
  value       = module.cluster.kms_key_arn
}

output "container_insights_log_group_name" {
  description = "Container Insights performance log group of the cluster."
  value       = module.cluster.container_insights_log_group_name
}
