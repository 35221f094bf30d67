output "arn" {
  description = "ARN of the load balancer (for the WAF web ACL association)."
  value       = aws_lb.this.arn
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer (app/<name>/<id>): the LoadBalancer dimension of its CloudWatch metrics and the first half of an ALBRequestCountPerTarget resource label."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "DNS name of the load balancer (target of the service's alias record)."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Route 53 hosted zone ID of the load balancer, for alias records."
  value       = aws_lb.this.zone_id
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener; services attach their listener rules to it (modules/ecs-service `load_balancer.listener_arn`)."
  value       = aws_lb_listener.https.arn
}

output "http_listener_arn" {
  description = "ARN of the HTTP listener, which only redirects to HTTPS."
  value       = aws_lb_listener.http.arn
}

output "security_group_id" {
  description = "ID of the load balancer's security group; services allow ingress from it only (modules/ecs-service `load_balancer.security_group_id`)."
  value       = aws_security_group.this.id
}

output "ssl_policy" {
  description = "TLS policy of the HTTPS listener."
  value       = aws_lb_listener.https.ssl_policy
}
