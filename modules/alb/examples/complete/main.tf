# An internet-facing load balancer in two public subnets: HTTPS with a DNS-validated certificate,
# HTTP redirected to HTTPS, access logs to an SSE-S3 bucket made with modules/private-s3 whose policy
# lets Elastic Load Balancing deliver. Services attach listener rules to `https_listener_arn`.
# The versions, the provider and the name and region inputs come from providers.tf, a link to the
# examples' shared harness modules/_fixtures/example/providers.tf: copy that file with the example
# (ADR 0022). The network, the log bucket and the domain are fixtures the examples share
# (modules/_fixtures).

# --- What the load balancer stands on (the platform looks these up or is given them) -----------

module "network" {
  source = "../../../_fixtures/network"

  region          = var.region
  name            = var.name
  cidr_block      = "10.44.0.0/16"
  public_subnets  = true
  private_subnets = false
}

# SSE-S3, because Elastic Load Balancing cannot write to SSE-KMS buckets.
module "logs" {
  source = "../../../_fixtures/alb-log-bucket"

  bucket_name = "${var.name}-alb-logs"
}

# The zone and the DNS-validated certificate; then the alias record that points the domain at the
# load balancer.
module "domain" {
  source = "../../../_fixtures/dns-certificate"

  domain_name = var.domain_name
}

module "alias" {
  source = "../../../_fixtures/dns-alias"

  zone_id       = module.domain.zone_id
  name          = var.domain_name
  load_balancer = { dns_name = module.alb.dns_name, zone_id = module.alb.zone_id }
}

# --- Load balancer ---------------------------------------------------------------------------

module "alb" {
  source = "../.."

  name                = var.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.public_subnet_ids
  certificate_arn     = module.domain.certificate_arn
  ssl_policy          = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  deletion_protection = true
  access_logs_bucket  = module.logs.bucket_id
  access_logs_prefix  = module.logs.prefix
  tags                = { Team = "platform" }
}
