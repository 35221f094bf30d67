variable "db_instance_identifier" {
  description = "Identifier of the running RDS for PostgreSQL instance (with an RDS-managed master secret)."
  type        = string
}

variable "db_security_group_id" {
  description = "Security group of the database (output security_group_id of rds-postgres)."
  type        = string
}

variable "db_max_connections" {
  description = "Effective max_connections of the database (output max_connections of rds-postgres)."
  type        = number
}

variable "client_security_group_ids" {
  description = "Security groups of the services that connect through the proxy, keyed by a static name."
  type        = map(string)
}

variable "log_kms_key_arn" {
  description = "Customer-managed KMS key for the proxy's log group /aws/rds/proxy/<name>; its policy must allow CloudWatch Logs for that group (rds-postgres: list the group in kms_key_log_group_names)."
  type        = string
}
