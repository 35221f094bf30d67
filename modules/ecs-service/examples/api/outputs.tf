output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.cluster.cluster_name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = module.cluster.cluster_arn
}

output "service_name" {
  description = "Name of the API service."
  value       = module.api.service_name
}

output "task_definition_arn" {
  description = "Task definition of the API."
  value       = module.api.task_definition_arn
}

output "security_group_id" {
  description = "Security group of the API tasks."
  value       = module.api.security_group_id
}

output "database_security_group_id" {
  description = "Security group standing in for the database proxy."
  value       = aws_security_group.database.id
}

output "execution_role_arn" {
  description = "Execution role of the API."
  value       = module.api.execution_role_arn
}

output "task_role_arn" {
  description = "Task role of the API."
  value       = module.api.task_role_arn
}

output "log_group_name" {
  description = "Log group of the API."
  value       = module.api.log_group_name
}

output "target_group_arn" {
  description = "Target group of the API."
  value       = module.api.target_group_arn
}

output "autoscaling_resource_id" {
  description = "Application Auto Scaling resource ID of the API."
  value       = module.api.autoscaling_resource_id
}

output "alb_arn" {
  description = "ARN of the load balancer."
  value       = module.alb.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer."
  value       = module.alb.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.alb.dns_name
}

output "alb_security_group_id" {
  description = "Security group of the load balancer."
  value       = module.alb.security_group_id
}

output "https_listener_arn" {
  description = "HTTPS listener of the load balancer."
  value       = module.alb.https_listener_arn
}

output "http_listener_arn" {
  description = "HTTP listener (redirect only) of the load balancer."
  value       = module.alb.http_listener_arn
}

output "certificate_arn" {
  description = "Certificate of the HTTPS listener."
  value       = local.certificate_arn
}

output "access_log_bucket" {
  description = "Bucket that receives the load balancer's access logs."
  value       = module.alb_logs.bucket_id
}

output "signing_key_secret_arn" {
  description = "Secret the API reads at start."
  value       = aws_secretsmanager_secret.signing_key.arn
}

output "max_db_connections" {
  description = "Database connections the API holds at full scale-out."
  value       = module.api.max_db_connections
}
