output "certificate_arn" {
  description = "The certificate, once validated: a listener given it waits for the validation."
  value       = aws_acm_certificate_validation.this.certificate_arn
}

output "zone_id" {
  description = "The hosted zone of the domain."
  value       = aws_route53_zone.this.zone_id
}
