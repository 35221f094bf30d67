output "address" {
  description = "Host name of the instance (without the port)."
  value       = aws_db_instance.this.address
}

output "endpoint" {
  description = "Connection endpoint of the instance, host:port."
  value       = aws_db_instance.this.endpoint
}

output "port" {
  description = "Port the database listens on."
  value       = aws_db_instance.this.port
}

output "instance_identifier" {
  description = "DB instance identifier (the target of an RDS proxy)."
  value       = aws_db_instance.this.identifier
}

output "instance_arn" {
  description = "ARN of the DB instance."
  value       = aws_db_instance.this.arn
}

output "instance_resource_id" {
  description = "Resource id of the instance (db-...), the part of rds-db:connect ARNs for IAM authentication directly to the instance."
  value       = aws_db_instance.this.resource_id
}

output "database_name" {
  description = "Name of the database created with the instance."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "Master user name (its password is only in the master secret)."
  value       = aws_db_instance.this.username
}

output "security_group_id" {
  description = "Security group of the instance; its only ingress is from allowed_security_group_ids on the database port."
  value       = aws_security_group.this.id
}

output "master_user_secret_arn" {
  description = "ARN of the RDS-managed Secrets Manager secret holding the master credentials (what an RDS proxy authenticates with)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key for storage, the master secret, Performance Insights and logs (created or passed in)."
  value       = local.kms_key_arn
}

output "kms_key_created" {
  description = "Whether the module created the KMS key."
  value       = local.create_kms_key
}

output "parameter_group_name" {
  description = "Name of the DB parameter group."
  value       = aws_db_parameter_group.this.name
}

output "db_subnet_group_name" {
  description = "Name of the DB subnet group."
  value       = aws_db_subnet_group.this.name
}

output "max_connections" {
  description = "Effective max_connections the proxy and alarms are sized from: the max_connections input when set, else LEAST(DBInstanceClassMemory/9531392, 5000) with DBInstanceClassMemory estimated as the class memory minus a reserve of 10 % (at least 256 MiB)."
  value       = local.max_connections
}

output "max_connections_nominal" {
  description = "The formula applied to the nominal class memory (the commonly published figure): an upper bound of the real default, for comparison only."
  value       = local.max_connections_nominal
}

output "log_group_names" {
  description = "CloudWatch log groups the instance exports to, by log type (postgresql, upgrade)."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "monitoring_role_arn" {
  description = "IAM role used by enhanced monitoring (created or passed in); null when monitoring is off."
  value       = local.monitoring_role_arn
}
