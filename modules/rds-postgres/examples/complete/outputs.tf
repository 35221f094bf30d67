output "db_instance_identifier" {
  description = "Identifier of the DB instance."
  value       = module.db.instance_identifier
}

output "db_endpoint" {
  description = "Endpoint of the DB instance (reachable only from the proxy)."
  value       = module.db.endpoint
}

output "db_security_group_id" {
  description = "Security group of the DB instance."
  value       = module.db.security_group_id
}

output "master_user_secret_arn" {
  description = "RDS-managed master secret."
  value       = module.db.master_user_secret_arn
}

output "kms_key_arn" {
  description = "KMS key of the database."
  value       = module.db.kms_key_arn
}

output "parameter_group_name" {
  description = "DB parameter group."
  value       = module.db.parameter_group_name
}

output "max_connections" {
  description = "Effective max_connections of the database."
  value       = module.db.max_connections
}

output "proxy_name" {
  description = "Name of the proxy."
  value       = module.proxy.proxy_name
}

output "proxy_endpoint" {
  description = "Endpoint the application connects to."
  value       = module.proxy.proxy_endpoint
}

output "proxy_security_group_id" {
  description = "Security group of the proxy."
  value       = module.proxy.security_group_id
}

output "proxy_role_arn" {
  description = "IAM role of the proxy."
  value       = module.proxy.role_arn
}

output "connection_cap" {
  description = "Most connections the proxy opens to the database."
  value       = module.proxy.connection_cap
}

output "bastion_security_group_id" {
  description = "Security group standing in for the bastion (null without one)."
  value       = one(aws_security_group.bastion[*].id)
}

output "monitoring_role_arn" {
  description = "IAM role of enhanced monitoring (null when it is off)."
  value       = module.db.monitoring_role_arn
}

output "app_security_group_id" {
  description = "Security group standing in for the application tasks."
  value       = aws_security_group.app.id
}

output "vpc_id" {
  description = "VPC of the example (for a second stack on the same network, such as a restore)."
  value       = module.network.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets of the example, one per zone."
  value       = module.network.private_subnet_ids
}

output "proxy_log_group_name" {
  description = "Log group of the proxy."
  value       = module.proxy.log_group_name
}
