# A proxy put in front of a database that is already running (for example one created by
# modules/rds-postgres in another stack). Subnets, VPC, port and master secret are read from the
# instance; the proxy opens a path into the database's security group for itself.
# The database and its proxy created together: see modules/rds-postgres/examples/complete.
# The versions, the provider and the name and region inputs come from providers.tf, a link to the
# examples' shared harness modules/_fixtures/example/providers.tf: copy that file with the example
# (ADR 0022).

data "aws_db_instance" "this" {
  db_instance_identifier = var.db_instance_identifier
}

data "aws_db_subnet_group" "this" {
  name = data.aws_db_instance.this.db_subnet_group
}

module "proxy" {
  source = "../.."

  name                   = var.name
  vpc_id                 = data.aws_db_subnet_group.this.vpc_id
  subnet_ids             = sort(data.aws_db_subnet_group.this.subnet_ids)
  db_instance_identifier = data.aws_db_instance.this.db_instance_identifier
  db_security_group_id   = var.db_security_group_id
  db_port                = data.aws_db_instance.this.port
  db_max_connections     = var.db_max_connections
  master_user_secret_arn = data.aws_db_instance.this.master_user_secret[0].secret_arn
  secrets_kms_key_arns   = [data.aws_db_instance.this.master_user_secret[0].kms_key_id]
  log_kms_key_arn        = var.log_kms_key_arn

  allowed_security_group_ids = var.client_security_group_ids
}

# The database's side of the path: without it the proxy's egress rule leads nowhere.
resource "aws_vpc_security_group_ingress_rule" "db_from_proxy" {
  security_group_id            = var.db_security_group_id
  description                  = "PostgreSQL from RDS proxy ${var.name}"
  ip_protocol                  = "tcp"
  from_port                    = data.aws_db_instance.this.port
  to_port                      = data.aws_db_instance.this.port
  referenced_security_group_id = module.proxy.security_group_id
}
