# An internet-facing load balancer in two public subnets: HTTPS with a DNS-validated certificate,
# HTTP redirected to HTTPS, access logs to an SSE-S3 bucket made with modules/private-s3 whose policy
# lets Elastic Load Balancing deliver. Services attach listener rules to `https_listener_arn`.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Service   = "imgclass"
      ManagedBy = "terraform"
      Example   = "alb/complete"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_elb_service_account" "current" {}

locals {
  log_bucket_name = "${var.name}-alb-logs"
  log_prefix      = "alb"
  log_objects     = "arn:${data.aws_partition.current.partition}:s3:::${local.log_bucket_name}/${local.log_prefix}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
}

# --- Network (the platform looks up an existing one instead) ----------------------------------

module "network" {
  source = "../../../_fixtures/network"

  region          = var.region
  name            = var.name
  cidr_block      = "10.44.0.0/16"
  public_subnets  = true
  private_subnets = false
}

# --- Access-log bucket: SSE-S3, because Elastic Load Balancing cannot write to SSE-KMS buckets --

data "aws_iam_policy_document" "log_delivery" {
  # Regions opened before August 2022 deliver as the regional Elastic Load Balancing account,
  # newer ones as the log-delivery service principal; granting both keeps the example portable.
  statement {
    sid       = "ElbLogDeliveryAccount"
    actions   = ["s3:PutObject"]
    resources = [local.log_objects]

    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.current.arn]
    }
  }

  statement {
    sid       = "ElbLogDeliveryService"
    actions   = ["s3:PutObject"]
    resources = [local.log_objects]

    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

module "logs" {
  #checkov:skip=CKV_AWS_145:Elastic Load Balancing access log delivery supports SSE-S3 only; the log bucket uses AES256 by design.
  source = "../../../private-s3"

  bucket_name                        = local.log_bucket_name
  encryption                         = "AES256"
  noncurrent_version_expiration_days = 30
  object_expiration_days             = 90
  additional_policy_json             = data.aws_iam_policy_document.log_delivery.json
  tags                               = { DataClass = "logs" }
}

# --- Certificate: DNS-validated in a hosted zone for the domain ---------------------------------

resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38:DNSSEC signing of the public zone is the domain owner's decision, outside this example.
  #checkov:skip=CKV2_AWS_39:Query logging of the public zone is the domain owner's decision, outside this example.
  name = var.domain_name
}

resource "aws_acm_certificate" "this" {
  domain_name       = var.domain_name
  validation_method = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = { for o in aws_acm_certificate.this.domain_validation_options : o.domain_name => o }

  zone_id         = aws_route53_zone.this.zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

# --- Load balancer ---------------------------------------------------------------------------

module "alb" {
  source = "../.."

  name                = var.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.public_subnet_ids
  certificate_arn     = aws_acm_certificate_validation.this.certificate_arn
  ssl_policy          = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  deletion_protection = true
  access_logs_bucket  = module.logs.bucket_id
  access_logs_prefix  = local.log_prefix
  tags                = { Team = "platform" }
}

resource "aws_route53_record" "this" {
  zone_id = aws_route53_zone.this.zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = module.alb.dns_name
    zone_id                = module.alb.zone_id
    evaluate_target_health = true
  }
}
