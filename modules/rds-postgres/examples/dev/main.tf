# A dev-sized database behind its proxy: single-AZ db.t4g.micro, one day of backups, no enhanced
# monitoring. The example builds the network it needs (a VPC with two private subnets) and a security
# group standing in for the ECS tasks, so one apply covers the database and the proxy together.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Service   = "imgclass"
      ManagedBy = "terraform"
      Example   = "rds-postgres/dev"
    }
  }
}

# Two named zones, so the subnets never move when a region gains a zone.
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "zone-name"
    values = ["${var.region}a", "${var.region}b"]
  }
}

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:Example network only; the platform's network module owns VPC flow logs.
  cidr_block = "10.40.0.0/16"
  tags       = { Name = var.name }
}

# Nothing may use the default security group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(aws_vpc.this.cidr_block, 8, count.index)
  availability_zone = data.aws_availability_zones.available.names[count.index]
  tags              = { Name = "${var.name}-private-${count.index}" }
}

# Stands in for the security group of the ECS tasks that talk to the database.
resource "aws_security_group" "app" {
  #checkov:skip=CKV2_AWS_5:Stands in for the ECS service's security group, which the compute module attaches to its tasks.
  name_prefix = "${var.name}-app-"
  description = "Application tasks of ${var.name}"
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

module "db" {
  source = "../.."

  identifier     = var.name
  engine_version = "17"
  instance_class = var.instance_class
  vpc_id         = aws_vpc.this.id
  subnet_ids     = aws_subnet.private[*].id

  allowed_security_group_ids = { proxy = module.proxy.security_group_id }

  multi_az                = false
  backup_retention_period = 1
  # A dev database whose data can be lost: one day of point-in-time recovery is enough.
  minimum_backup_retention_days = 1
  monitoring_interval           = 0
  apply_immediately             = true

  # Teardown of a throwaway stack only; both stay safe unless allow_destroy is set.
  deletion_protection = !var.allow_destroy
  skip_final_snapshot = var.allow_destroy

  # The proxy's log group is encrypted with this key too.
  kms_key_log_group_names = ["/aws/rds/proxy/${var.name}"]

  tags = { Environment = "dev" }
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

  allowed_security_group_ids = { app = aws_security_group.app.id }

  tags = { Environment = "dev" }
}
