# PostgreSQL behind RDS Proxy. Services never talk to the database directly: they connect to the
# proxy with IAM authentication tokens (no passwords in tasks), each as its own database user, and
# the proxy holds at most connection_cap connections to the database, whatever the services do.

locals {
  # One database user per service: the api and worker roles may only connect as their own user,
  # and the database grants each only its tables (schema migrations create the roles).
  db_users = {
    api    = "${var.service_name}_api"
    worker = "${var.service_name}_worker"
  }
  db_usernames = { for k, v in local.db_users : k => replace(v, "-", "_") }
}

# Credentials of the per-service users, registered with the proxy (which authenticates to the
# database with them). Terraform creates the secrets but never a value: the schema migration that
# creates each role generates its password and stores it here, so no password reaches Terraform
# state or plans (docs/adr/0005-per-service-database-users.md).
resource "aws_secretsmanager_secret" "db_user" {
  #checkov:skip=CKV2_AWS_57:Rotation of these users' passwords is done by the schema migration that owns the roles; the proxy re-reads the secret on each new database connection.
  for_each = local.db_usernames

  name                    = "${local.name}/db/${each.key}"
  description             = "Credentials of database user ${each.value} (service ${each.key}); written by the schema migration, read by RDS Proxy"
  kms_key_id              = module.data_key.key_arn
  recovery_window_in_days = var.deletion_protection ? 30 : 0
}

module "database" {
  source = "../modules/rds-postgres"

  permissions_boundary = local.permissions_boundary_arn

  identifier              = local.name
  kms_key_arn             = module.data_key.key_arn
  engine_version          = var.database.engine_version
  instance_class          = var.database.instance_class
  allocated_storage       = var.database.allocated_storage
  max_allocated_storage   = var.database.max_allocated_storage
  database_name           = var.database.database_name
  vpc_id                  = local.vpc_id
  subnet_ids              = local.private_subnet_ids
  multi_az                = var.database.multi_az
  backup_retention_period = var.database.backup_retention_period
  deletion_protection     = var.deletion_protection
  skip_final_snapshot     = !var.deletion_protection
  apply_immediately       = !local.production_like
  monitoring_interval     = local.production_like ? 60 : 0
  log_retention_in_days   = var.log_retention_days

  # Intent from terraform/intents.json: the module refuses a backup_retention_period below it.
  minimum_backup_retention_days = local.intents.minimum_backup_retention_days

  # A restore keeps what the rest of the platform relies on: the identifier (so the proxy target
  # registration), the instance class (so max_connections and the proxy's connection cap) and the
  # parameter group come from this configuration, not from the backup; the master secret is a new
  # RDS-managed one and the proxy's auth follows master_user_secret_arn.
  snapshot_identifier      = try(var.database_restore.snapshot_identifier, null)
  restore_to_point_in_time = try(var.database_restore.point_in_time, null)

  allowed_security_group_ids = {
    proxy = module.proxy.security_group_id
  }
}

module "proxy" {
  source = "../modules/rds-proxy"

  permissions_boundary = local.permissions_boundary_arn

  name                   = local.name
  vpc_id                 = local.vpc_id
  subnet_ids             = local.private_subnet_ids
  db_instance_identifier = module.database.instance_identifier
  db_security_group_id   = module.database.security_group_id
  db_port                = module.database.port
  db_max_connections     = module.database.max_connections
  master_user_secret_arn = module.database.master_user_secret_arn
  additional_secret_arns = { for k, s in aws_secretsmanager_secret.db_user : k => s.arn }
  secrets_kms_key_arns   = [module.data_key.key_arn]

  # The proxy's own log group, /aws/rds/proxy/<name>: the operations key's policy names it (kms.tf).
  log_kms_key_arn       = module.operations_key.key_arn
  log_retention_in_days = var.log_retention_days

  allowed_security_group_ids = {
    api    = module.api.security_group_id
    worker = module.worker.security_group_id
  }

  max_connections_percent      = var.proxy.max_connections_percent
  max_idle_connections_percent = var.proxy.max_idle_connections_percent
  connection_borrow_timeout    = var.proxy.connection_borrow_timeout
  idle_client_timeout          = var.proxy.idle_client_timeout
}
