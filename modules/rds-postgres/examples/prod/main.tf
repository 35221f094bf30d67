# A production-shaped database behind its proxy: Multi-AZ db.m7g.large, 14 days of backups,
# enhanced monitoring every 15 s, 90 days of exported logs, and two kinds of clients (the ECS tasks
# through the proxy; a bastion directly, for migrations and emergencies). The example builds the
# network it needs: a VPC with three private subnets.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Service   = "imgclass"
      ManagedBy = "terraform"
      Example   = "rds-postgres/prod"
    }
  }
}

# Three named zones, so the subnets never move when a region gains a zone.
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "zone-name"
    values = [for z in ["a", "b", "c"] : "${var.region}${z}"]
  }
}

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:Example network only; the platform's network module owns VPC flow logs.
  cidr_block = "10.50.0.0/16"
  tags       = { Name = var.name }
}

# Nothing may use the default security group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_subnet" "private" {
  count = 3

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(aws_vpc.this.cidr_block, 8, count.index)
  availability_zone = data.aws_availability_zones.available.names[count.index]
  tags              = { Name = "${var.name}-private-${count.index}" }
}

# Stand in for the security groups of the ECS tasks and of a bastion host.
resource "aws_security_group" "app" {
  #checkov:skip=CKV2_AWS_5:Stands in for the ECS service's security group, which the compute module attaches to its tasks.
  name_prefix = "${var.name}-app-"
  description = "Application tasks of ${var.name}"
  vpc_id      = aws_vpc.this.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "bastion" {
  #checkov:skip=CKV2_AWS_5:Stands in for a bastion's security group, attached where the bastion is defined.
  name_prefix = "${var.name}-bastion-"
  description = "Bastion for migrations and emergency access to ${var.name}"
  vpc_id      = aws_vpc.this.id

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
  security_group_id            = aws_security_group.bastion.id
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
  instance_class        = var.instance_class
  allocated_storage     = 100
  max_allocated_storage = 500
  vpc_id                = aws_vpc.this.id
  subnet_ids            = aws_subnet.private[*].id

  allowed_security_group_ids = {
    proxy   = module.proxy.security_group_id
    bastion = aws_security_group.bastion.id
  }

  multi_az                = true
  backup_retention_period = 14
  monitoring_interval     = 15
  log_retention_in_days   = 90

  log_min_duration_statement_ms          = 500
  idle_in_transaction_session_timeout_ms = 60000

  # Teardown of a throwaway stack only; both stay safe unless allow_destroy is set.
  deletion_protection = !var.allow_destroy
  skip_final_snapshot = var.allow_destroy

  # The proxy's log group is encrypted with this key too.
  kms_key_log_group_names = ["/aws/rds/proxy/${var.name}"]

  tags = { Environment = "prod" }
}

module "proxy" {
  source = "../../../rds-proxy"

  name                   = var.name
  vpc_id                 = aws_vpc.this.id
  subnet_ids             = aws_subnet.private[*].id
  db_instance_identifier = module.db.instance_identifier
  db_security_group_id   = module.db.security_group_id
  db_port                = module.db.port
  db_max_connections     = module.db.max_connections
  master_user_secret_arn = module.db.master_user_secret_arn
  secrets_kms_key_arns   = [module.db.kms_key_arn]
  log_kms_key_arn        = module.db.kms_key_arn
  log_retention_in_days  = 90

  allowed_security_group_ids = { app = aws_security_group.app.id }

  max_connections_percent      = 75
  max_idle_connections_percent = 35
  connection_borrow_timeout    = 30
  idle_client_timeout          = 900

  tags = { Environment = "prod" }
}
