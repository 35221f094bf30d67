output "alb_arn" {
  description = "ARN of the load balancer."
  value       = module.alb.arn
}

output "dns_name" {
  description = "DNS name of the load balancer."
  value       = module.alb.dns_name
}

output "https_listener_arn" {
  description = "HTTPS listener that services attach their rules to."
  value       = module.alb.https_listener_arn
}

output "security_group_id" {
  description = "Security group of the load balancer."
  value       = module.alb.security_group_id
}

output "access_log_bucket" {
  description = "Bucket of the access logs."
  value       = module.logs.bucket_id
}
