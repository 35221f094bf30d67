# A domain for a load balancer of the examples (modules/alb/examples/complete,
# modules/ecs-service/examples/api): a public hosted zone, a DNS-validated ACM certificate for the
# domain. Validation completes once the zone is delegated to. The alias record that points the domain
# at the load balancer is the dns-alias fixture (see there why it is not here). A test fixture, not a published module: the platform is given an issued
# certificate.

resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38:DNSSEC signing of the public zone is the domain owner's decision, outside the examples.
  #checkov:skip=CKV2_AWS_39:Query logging of the public zone is the domain owner's decision, outside the examples.
  name          = var.domain_name
  force_destroy = var.force_destroy
}

resource "aws_acm_certificate" "this" {
  domain_name       = var.domain_name
  validation_method = "DNS"

  # A listener always holds a certificate: the replacement is issued before the old one goes.
  lifecycle {
    create_before_destroy = true
  }
}

# One CNAME record per domain of the certificate proves control of it:
# https://docs.aws.amazon.com/acm/latest/APIReference/API_DnsValidationChallenge.html
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
