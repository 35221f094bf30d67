# The alias record that points an example's domain at its load balancer. A fixture of its own, not
# part of dns-certificate: the load balancer needs that fixture's certificate and this record needs
# the load balancer, and checkov's graph does not evaluate a module caught in such a module-level
# cycle (with the record inside dns-certificate, CKV_AWS_150 and four other checks were no longer
# run on module.alb of modules/alb/examples/complete). The price: checkov's CKV2_AWS_23 (an A record
# attached to a resource) cannot follow the alias through this module's input, so it no longer runs on
# the examples' record; the platform itself creates no DNS records. A test fixture, not a published module.

resource "aws_route53_record" "this" {
  zone_id = var.zone_id
  name    = var.name
  type    = "A"

  alias {
    name                   = var.load_balancer.dns_name
    zone_id                = var.load_balancer.zone_id
    evaluate_target_health = true
  }
}
