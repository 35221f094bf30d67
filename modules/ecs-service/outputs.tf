output "service_name" {
  description = "Name of the ECS service (the ServiceName dimension of its metrics)."
  value       = aws_ecs_service.this.name
}

output "service_arn" {
  description = "ARN of the ECS service."
  value       = aws_ecs_service.this.id
}

output "cluster_name" {
  description = "Name of the cluster the service runs in (the ClusterName dimension of its metrics)."
  value       = local.cluster_name
}

output "task_definition_arn" {
  description = "ARN (with revision) of the task definition the service runs."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_family" {
  description = "Family of the task definition; CI registers new revisions under it."
  value       = aws_ecs_task_definition.this.family
}

output "container_name" {
  description = "Name of the main container."
  value       = var.container_name
}

output "security_group_id" {
  description = "Security group of the tasks; the database proxy allows ingress from it."
  value       = aws_security_group.this.id
}

output "execution_role_arn" {
  description = "ARN of the execution role (image pull, logs, the listed secrets)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ARN of the task role (the application's permissions: exactly task_role_statements)."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role (for example for rds-db:connect grants made elsewhere)."
  value       = aws_iam_role.task.name
}

output "log_group_name" {
  description = "Name of the service's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_kms_key_arn" {
  description = "KMS key that encrypts the log group (created or passed in)."
  value       = local.log_kms_key_arn
}

output "target_group_arn" {
  description = "ARN of the target group; null for a service without a load balancer."
  value       = local.load_balanced ? aws_lb_target_group.this[0].arn : null
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (the TargetGroup dimension of load balancer metrics); null without a load balancer."
  value       = local.load_balanced ? aws_lb_target_group.this[0].arn_suffix : null
}

output "load_balancer_arn_suffix" {
  description = "ARN suffix of the load balancer the service is attached to (from the listener ARN); null without a load balancer."
  value       = local.lb_arn_suffix
}

output "autoscaling_resource_id" {
  description = "Application Auto Scaling resource ID of the service (service/<cluster>/<service>)."
  value       = aws_appautoscaling_target.this.resource_id
}

output "min_capacity" {
  description = "Fewest tasks autoscaling keeps."
  value       = var.min_capacity
}

output "max_capacity" {
  description = "Most tasks autoscaling may run."
  value       = var.max_capacity
}

output "db_pool_size" {
  description = "Database connections each task opens (DB_POOL_SIZE in the container)."
  value       = var.db_pool_size
}

output "max_db_connections" {
  description = "Database connections the service holds at full scale-out: max_capacity x db_pool_size. The composition sums this over services and checks it against the proxy's connection cap."
  value       = local.max_db_connections
}

output "peak_db_connections" {
  description = "Database connections during a deployment at full scale-out: ceil(max_capacity x deployment_maximum_percent / 100) x db_pool_size, because old and new tasks overlap. Size the proxy for this when deploying under peak load must not fail."
  value       = local.peak_db_connections
}

output "deployment_alarm_names" {
  description = "CloudWatch alarms that fail (and, with deployment_rollback, roll back) a deployment of the service; empty when none are attached."
  value       = var.deployment_alarm_names
}
