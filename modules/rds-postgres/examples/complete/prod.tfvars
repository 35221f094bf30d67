# A production-shaped database: a standby in a second zone (three zones of subnets), 14 days of
# backups, enhanced monitoring every 15 s, 90 days of exported logs, a stricter slow-query log and
# idle-in-transaction timeout, and a bastion for migrations and emergencies.
environment = "prod"

database = {
  instance_class                         = "db.m7g.large"
  az_count                               = 3
  multi_az                               = true
  allocated_storage                      = 100
  max_allocated_storage                  = 500
  backup_retention_period                = 14
  minimum_backup_retention_days          = 7
  monitoring_interval                    = 15
  apply_immediately                      = false
  log_retention_in_days                  = 90
  log_min_duration_statement_ms          = 500
  idle_in_transaction_session_timeout_ms = 60000
  proxy_idle_client_timeout              = 900
  bastion                                = true
}
