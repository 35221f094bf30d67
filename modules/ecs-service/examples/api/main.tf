# A load-balanced API service behind the HTTPS load balancer, with everything it stands on: a VPC
# with public and private subnets, the log bucket the load balancer writes to, a DNS-validated
# certificate, the ECS cluster and a database security group the tasks may connect to.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Service   = "imgclass"
      ManagedBy = "terraform"
      Example   = "ecs-service/api"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_elb_service_account" "current" {}

locals {
  account_id      = data.aws_caller_identity.current.account_id
  partition       = data.aws_partition.current.partition
  image           = coalesce(var.image, "${local.account_id}.dkr.ecr.${var.region}.amazonaws.com/imgclass/api:0.1.0")
  log_bucket_name = "${var.name}-alb-logs"
  log_prefix      = "alb"
  certificate_arn = var.certificate_arn != null ? var.certificate_arn : aws_acm_certificate_validation.this[0].certificate_arn
}

# --- Network (the platform looks up an existing one instead) ----------------------------------

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

# --- Access-log bucket: SSE-S3, because Elastic Load Balancing cannot write to SSE-KMS buckets --

data "aws_iam_policy_document" "alb_log_delivery" {
  # Regions opened before August 2022 deliver as the regional Elastic Load Balancing account,
  # newer ones as the log-delivery service principal; granting both keeps the example portable.
  statement {
    sid       = "ElbLogDeliveryAccount"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${local.log_bucket_name}/${local.log_prefix}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.current.arn]
    }
  }

  statement {
    sid       = "ElbLogDeliveryService"
    actions   = ["s3:PutObject"]
    resources = ["arn:${local.partition}:s3:::${local.log_bucket_name}/${local.log_prefix}/AWSLogs/${local.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

module "alb_logs" {
  #checkov:skip=CKV_AWS_145:Elastic Load Balancing access log delivery supports SSE-S3 only; the log bucket uses AES256 by design.
  source = "../../../private-s3"

  bucket_name                        = local.log_bucket_name
  encryption                         = "AES256"
  noncurrent_version_expiration_days = 30
  object_expiration_days             = 90
  additional_policy_json             = data.aws_iam_policy_document.alb_log_delivery.json
  force_destroy                      = var.force_destroy
  tags                               = { DataClass = "logs" }
}

# --- Certificate (when none is passed in): DNS-validated in a hosted zone of the example ----------

resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38:DNSSEC signing of the public zone is the domain owner's decision, outside this example.
  #checkov:skip=CKV2_AWS_39:Query logging of the public zone is the domain owner's decision, outside this example.
  count = var.certificate_arn == null ? 1 : 0

  name          = var.domain_name
  force_destroy = true
}

resource "aws_acm_certificate" "this" {
  count = var.certificate_arn == null ? 1 : 0

  domain_name       = var.domain_name
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = var.certificate_arn == null ? {
    for o in aws_acm_certificate.this[0].domain_validation_options : o.domain_name => o
  } : {}

  zone_id         = aws_route53_zone.this[0].zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count = var.certificate_arn == null ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
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
  access_logs_prefix  = local.log_prefix
}

resource "aws_route53_record" "api" {
  count = var.certificate_arn == null ? 1 : 0

  zone_id = aws_route53_zone.this[0].zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = module.alb.dns_name
    zone_id                = module.alb.zone_id
    evaluate_target_health = true
  }
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
