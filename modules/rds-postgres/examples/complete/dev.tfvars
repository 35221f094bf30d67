# A dev-sized database whose data can be lost: one zone, one day of point-in-time recovery, no
# enhanced monitoring, changes applied at once. Storage, log retention, the slow-query threshold and
# the idle timeouts are the modules' defaults, stated so that this file is the whole shape.
environment = "dev"

database = {
  instance_class                         = "db.t4g.micro"
  az_count                               = 2
  multi_az                               = false
  allocated_storage                      = 20
  max_allocated_storage                  = 100
  backup_retention_period                = 1
  minimum_backup_retention_days          = 1
  monitoring_interval                    = 0
  apply_immediately                      = true
  log_retention_in_days                  = 30
  log_min_duration_statement_ms          = 1000
  idle_in_transaction_session_timeout_ms = 300000
  proxy_idle_client_timeout              = 1800
  bastion                                = false
}
