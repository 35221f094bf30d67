output "proxy_name" {
  description = "Name of the proxy."
  value       = aws_db_proxy.this.name
}

output "proxy_arn" {
  description = "ARN of the proxy."
  value       = aws_db_proxy.this.arn
}

output "proxy_endpoint" {
  description = "Host name clients connect to (TLS required, IAM authentication tokens as passwords)."
  value       = aws_db_proxy.this.endpoint
}

output "port" {
  description = "Port the proxy listens on (the database's port)."
  value       = var.db_port
}

output "security_group_id" {
  description = "Security group of the proxy; pass it to rds-postgres allowed_security_group_ids."
  value       = aws_security_group.this.id
}

output "role_arn" {
  description = "IAM role the proxy uses to read its secrets."
  value       = aws_iam_role.this.arn
}

output "iam_connect_arn_prefix" {
  description = "Prefix of the rds-db:connect resource for this proxy; append \"/<db user>\" in the IAM policy of a client (for example an ECS task role)."
  value       = "arn:${local.partition}:rds-db:${local.region}:${local.account_id}:dbuser:${element(split(":", aws_db_proxy.this.arn), 6)}"
}

output "max_connections_percent" {
  description = "Share of the database's max_connections the proxy may open."
  value       = var.max_connections_percent
}

output "connection_cap" {
  description = "Most database connections the proxy opens: floor(db_max_connections * max_connections_percent / 100). Size client pools and alarms against it."
  value       = local.connection_cap
}

output "idle_connections_kept" {
  description = "Most idle database connections the proxy keeps open: floor(db_max_connections * max_idle_connections_percent / 100)."
  value       = local.idle_connection_keep
}

output "log_group_name" {
  description = "CloudWatch log group the proxy writes to, /aws/rds/proxy/<name>, created by the module with retention and the log_kms_key_arn key."
  value       = aws_cloudwatch_log_group.this.name
}
