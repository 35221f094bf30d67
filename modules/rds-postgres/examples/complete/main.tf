# A database behind its proxy, in the two shapes the platform runs (pick one with -var-file):
# - dev.tfvars: single-AZ db.t4g.micro, one day of backups, no enhanced monitoring;
# - prod.tfvars: Multi-AZ db.m7g.large, 14 days of backups, enhanced monitoring every 15 s, 90 days of
#   exported logs, and a second kind of client (a bastion connecting directly, for migrations and
#   emergencies) besides the ECS tasks that go through the proxy.
# The example builds the network it needs (a VPC with one private subnet per zone) and security
# groups standing in for the clients, so one apply covers the database and the proxy together.
# The versions, the provider and the name and region inputs come from providers.tf, a link to the
# examples' shared harness modules/_fixtures/example/providers.tf: copy that file with the example
# (ADR 0022).

module "network" {
  source = "../../../_fixtures/network"

  region     = var.region
  name       = var.name
  cidr_block = "10.40.0.0/16"
  az_count   = var.database.az_count
}

# Stand in for the security groups of the ECS tasks and (when asked for) of a bastion host.
resource "aws_security_group" "app" {
  #checkov:skip=CKV2_AWS_5:Stands in for the ECS service's security group, which the compute module attaches to its tasks.
  name_prefix = "${var.name}-app-"
  description = "Application tasks of ${var.name}"
  vpc_id      = module.network.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "bastion" {
  #checkov:skip=CKV2_AWS_5:Stands in for a bastion's security group, attached where the bastion is defined.
  count = var.database.bastion ? 1 : 0

  name_prefix = "${var.name}-bastion-"
  description = "Bastion for migrations and emergency access to ${var.name}"
  vpc_id      = module.network.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "app_to_proxy" {
  security_group_id            = aws_security_group.app.id
  description                  = "PostgreSQL through the RDS proxy"
  ip_protocol                  = "tcp"
  from_port                    = module.db.port
  to_port                      = module.db.port
  referenced_security_group_id = module.proxy.security_group_id
}

resource "aws_vpc_security_group_egress_rule" "bastion_to_db" {
  count = var.database.bastion ? 1 : 0

  security_group_id            = aws_security_group.bastion[0].id
  description                  = "PostgreSQL directly to the database"
  ip_protocol                  = "tcp"
  from_port                    = module.db.port
  to_port                      = module.db.port
  referenced_security_group_id = module.db.security_group_id
}

module "db" {
  source = "../.."

  identifier            = var.name
  engine_version        = "17"
  instance_class        = var.database.instance_class
  allocated_storage     = var.database.allocated_storage
  max_allocated_storage = var.database.max_allocated_storage
  vpc_id                = module.network.vpc_id
  subnet_ids            = module.network.private_subnet_ids

  allowed_security_group_ids = merge(
    { proxy = module.proxy.security_group_id },
    var.database.bastion ? { bastion = aws_security_group.bastion[0].id } : {},
  )

  multi_az                      = var.database.multi_az
  backup_retention_period       = var.database.backup_retention_period
  minimum_backup_retention_days = var.database.minimum_backup_retention_days
  monitoring_interval           = var.database.monitoring_interval
  apply_immediately             = var.database.apply_immediately
  log_retention_in_days         = var.database.log_retention_in_days

  log_min_duration_statement_ms          = var.database.log_min_duration_statement_ms
  idle_in_transaction_session_timeout_ms = var.database.idle_in_transaction_session_timeout_ms

  # Teardown of a throwaway stack only; both stay safe unless allow_destroy is set.
  deletion_protection = !var.allow_destroy
  skip_final_snapshot = var.allow_destroy

  # The proxy's log group is encrypted with this key too.
  kms_key_log_group_names = ["/aws/rds/proxy/${var.name}"]

  tags = { Environment = var.environment }
}

module "proxy" {
  source = "../../../rds-proxy"

  name                   = var.name
  vpc_id                 = module.network.vpc_id
  subnet_ids             = module.network.private_subnet_ids
  db_instance_identifier = module.db.instance_identifier
  db_security_group_id   = module.db.security_group_id
  db_port                = module.db.port
  db_max_connections     = module.db.max_connections
  master_user_secret_arn = module.db.master_user_secret_arn
  secrets_kms_key_arns   = [module.db.kms_key_arn]
  log_kms_key_arn        = module.db.kms_key_arn
  log_retention_in_days  = var.database.log_retention_in_days
  idle_client_timeout    = var.database.proxy_idle_client_timeout

  allowed_security_group_ids = { app = aws_security_group.app.id }

  tags = { Environment = var.environment }
}
