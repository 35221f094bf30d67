output "proxy_endpoint" {
  description = "Endpoint the application connects to."
  value       = module.proxy.proxy_endpoint
}

output "connection_cap" {
  description = "Most connections the proxy opens to the database."
  value       = module.proxy.connection_cap
}

output "iam_connect_arn_prefix" {
  description = "rds-db:connect resource prefix for the clients' IAM policies."
  value       = module.proxy.iam_connect_arn_prefix
}
