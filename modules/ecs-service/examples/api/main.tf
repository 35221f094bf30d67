# A load-balanced API service behind the HTTPS load balancer, with everything it stands on: a VPC
# with public and private subnets, the log bucket the load balancer writes to, a DNS-validated
# certificate, the ECS cluster and a database security group the tasks may connect to.
# The versions, the provider and the name and region inputs come from providers.tf, a link to the
# examples' shared harness modules/_fixtures/example/providers.tf: copy that file with the example
# (ADR 0022). The network, the log bucket and the domain are fixtures the examples share
# (modules/_fixtures).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id      = data.aws_caller_identity.current.account_id
  partition       = data.aws_partition.current.partition
  image           = coalesce(var.image, "${local.account_id}.dkr.ecr.${var.region}.amazonaws.com/imgclass/api:0.1.0")
  certificate_arn = var.certificate_arn != null ? var.certificate_arn : module.domain[0].certificate_arn
}

# --- What the service stands on (the platform looks these up or is given them) -----------------

module "network" {
  source = "../../../_fixtures/network"

  region         = var.region
  name           = var.name
  cidr_block     = "10.43.0.0/16"
  public_subnets = true
}

# Stands in for the RDS Proxy's security group: the tasks may connect to it on 5432, nothing else.
resource "aws_security_group" "database" {
  #checkov:skip=CKV2_AWS_5:Stand-in for the database proxy's security group; the data tier attaches it in the platform.
  name        = "${var.name}-database"
  description = "Database proxy of the example"
  vpc_id      = module.network.vpc_id
}

# The load balancer's access logs: SSE-S3, because Elastic Load Balancing cannot write to SSE-KMS
# buckets.
module "alb_logs" {
  source = "../../../_fixtures/alb-log-bucket"

  bucket_name   = "${var.name}-alb-logs"
  force_destroy = var.force_destroy
}

# Without certificate_arn: a hosted zone of the example, a DNS-validated certificate and the alias
# record pointing the domain at the load balancer.
module "domain" {
  source = "../../../_fixtures/dns-certificate"
  count  = var.certificate_arn == null ? 1 : 0

  domain_name   = var.domain_name
  force_destroy = true
}

module "alias" {
  source = "../../../_fixtures/dns-alias"
  count  = var.certificate_arn == null ? 1 : 0

  zone_id       = module.domain[0].zone_id
  name          = var.domain_name
  load_balancer = { dns_name = module.alb.dns_name, zone_id = module.alb.zone_id }
}

# --- Cluster and load balancer -----------------------------------------------------------------

module "cluster" {
  source = "../../../ecs-cluster"

  name = var.name
}

module "alb" {
  source = "../../../alb"

  name                = var.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.public_subnet_ids
  certificate_arn     = local.certificate_arn
  deletion_protection = var.deletion_protection
  access_logs_bucket  = module.alb_logs.bucket_id
  access_logs_prefix  = module.alb_logs.prefix
}

# --- Secret the API reads at start (its value is set outside Terraform) --------------------------

module "secrets_key" {
  source = "../../../kms-key"

  alias_name              = "alias/${var.name}/api-secrets"
  description             = "Secrets of the ${var.name} API"
  deletion_window_in_days = 7
}

resource "aws_secretsmanager_secret" "signing_key" {
  #checkov:skip=CKV2_AWS_57:An application signing key rotated by the release process, not by a rotation Lambda.
  name                    = "${var.name}/api/signing-key"
  kms_key_id              = module.secrets_key.key_arn
  recovery_window_in_days = 0
}

# --- The API service ---------------------------------------------------------------------------

module "api" {
  source = "../.."

  name        = "${var.name}-api"
  cluster_arn = module.cluster.cluster_arn
  vpc_id      = module.network.vpc_id
  subnet_ids  = module.network.private_subnet_ids

  image          = local.image
  cpu            = 512
  memory         = 1024
  container_port = 8080
  stop_timeout   = 30

  container_health_check = {
    command = ["CMD-SHELL", "wget -qO- http://127.0.0.1:8080/health || exit 1"]
  }

  environment_variables = {
    UPLOAD_BUCKET = "${var.name}-uploads"
    LOG_LEVEL     = "info"
  }
  secrets = {
    SIGNING_KEY = aws_secretsmanager_secret.signing_key.arn
  }
  secrets_kms_key_arns = [module.secrets_key.key_arn]

  db_pool_size          = 5
  db_port               = 5432
  db_security_group_ids = [aws_security_group.database.id]

  load_balancer = {
    listener_arn        = module.alb.https_listener_arn
    security_group_id   = module.alb.security_group_id
    priority            = 100
    path_patterns       = ["/*"]
    health_check_path   = "/health"
    slow_start          = 30
    requests_per_target = 500
  }

  min_capacity = 2
  max_capacity = 4

  task_role_statements = [
    {
      sid       = "PresignUploads"
      actions   = ["s3:PutObject"]
      resources = ["arn:${local.partition}:s3:::${var.name}-uploads/uploads/*"]
    },
    {
      sid       = "StartJobs"
      actions   = ["sqs:SendMessage"]
      resources = ["arn:${local.partition}:sqs:${var.region}:${local.account_id}:${var.name}-jobs"]
    },
  ]

}
