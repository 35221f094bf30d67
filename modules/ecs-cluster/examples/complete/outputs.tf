output "cluster_name" {
  description = "Name of the cluster."
  value       = module.cluster.cluster_name
}

output "cluster_arn" {
  description = "ARN of the cluster."
  value       = module.cluster.cluster_arn
}

output "kms_key_arn" {
  description = "KMS key of ECS Exec sessions and their audit log."
  value       = module.cluster.kms_key_arn
}

output "exec_log_group_name" {
  description = "Audit log group of ECS Exec sessions."
  value       = module.cluster.exec_log_group_name
}

output "container_insights_log_group_name" {
  description = "Log group of the Container Insights performance log events."
  value       = module.cluster.container_insights_log_group_name
}
