output "cluster_name" {
  description = "Name of the cluster (the ClusterName dimension of its metrics)."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the cluster, the `cluster_arn` input of modules/ecs-service. Known once the capacity providers are attached, so services never start before FARGATE_SPOT is available."
  value       = aws_ecs_cluster.this.arn

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

output "capacity_providers" {
  description = "Capacity providers registered with the cluster."
  value       = local.capacity_providers
}

output "container_insights" {
  description = "Container Insights level of the cluster."
  value       = var.container_insights
}

output "kms_key_arn" {
  description = "KMS key of ECS Exec sessions and their audit log (created or passed in). A service with ECS Exec enabled needs kms:Decrypt on it (modules/ecs-service `execute_command_kms_key_arn`)."
  value       = local.kms_key_arn
}

output "exec_log_group_name" {
  description = "Log group that receives the output of every ECS Exec session."
  value       = aws_cloudwatch_log_group.exec.name
}

output "container_insights_log_group_name" {
  description = "Log group of the Container Insights performance log events, created by the module with retention and the KMS key before Container Insights would create it unmanaged."
  value       = aws_cloudwatch_log_group.container_insights.name
}
