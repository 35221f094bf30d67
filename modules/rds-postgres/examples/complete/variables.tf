variable "environment" {
  description = "Environment tag of the database and the proxy (dev.tfvars: dev, prod.tfvars: prod)."
  type        = string
}

variable "database" {
  description = "What the environment asks of its database and proxy; dev.tfvars and prod.tfvars each state all of it. The attributes are the rds-postgres and rds-proxy inputs of the same names (log_retention_in_days serves both, proxy_idle_client_timeout is the proxy's idle_client_timeout); az_count is how many zones get a private subnet; bastion adds a client that connects to the database directly."
  type = object({
    instance_class                         = string
    az_count                               = number
    multi_az                               = bool
    allocated_storage                      = number
    max_allocated_storage                  = number
    backup_retention_period                = number
    minimum_backup_retention_days          = number
    monitoring_interval                    = number
    apply_immediately                      = bool
    log_retention_in_days                  = number
    log_min_duration_statement_ms          = number
    idle_in_transaction_session_timeout_ms = number
    proxy_idle_client_timeout              = number
    bastion                                = bool
  })
  nullable = false
}

variable "allow_destroy" {
  description = "Turn deletion protection off and skip the final snapshot so the stack can be destroyed (tests and demos only)."
  type        = bool
  default     = false
}
