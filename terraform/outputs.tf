output "alb_dns_name" {
  description = "DNS name of the load balancer (point the API's DNS record at it)."
  value       = module.alb.dns_name
}

output "api_url" {
  description = "Base URL of the API: https://<api_domain_name>, or the load balancer's DNS name when no domain is set."
  value       = "https://${coalesce(var.api_domain_name, module.alb.dns_name)}"
}

output "uploads_bucket" {
  description = "Bucket the browser uploads images to (presigned PUT under uploads/)."
  value       = module.uploads_bucket.bucket_id
}

output "results_bucket" {
  description = "Bucket the worker writes classification results to (under results/)."
  value       = module.results_bucket.bucket_id
}

output "logs_bucket" {
  description = "Bucket of the load balancer's access logs (alb/) and the data buckets' server access logs (s3-access/)."
  value       = module.logs_bucket.bucket_id
}

output "queue_url" {
  description = "URL of the job queue."
  value       = aws_sqs_queue.jobs.url
}

output "dead_letter_queue_url" {
  description = "URL of the job queue's dead-letter queue (redrive from here after a fix)."
  value       = aws_sqs_queue.dlq.url
}

output "proxy_endpoint" {
  description = "RDS Proxy endpoint the services connect to (TLS, IAM authentication)."
  value       = module.proxy.proxy_endpoint
}

output "database_identifier" {
  description = "RDS instance identifier."
  value       = module.database.instance_identifier
}

output "dashboard_url" {
  description = "Console URL of the platform's CloudWatch dashboard."
  value       = module.alarms.dashboard_url
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (subscribe the on-call pager here)."
  value       = module.alarms.topic_arn
}

output "repository_urls" {
  description = "ECR repository URLs by image (api, worker); CI pushes <url>:<commit sha>."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = module.cluster.cluster_name
}

output "service_names" {
  description = "ECS service names by role (what CI waits on for stability after a deployment)."
  value       = { api = module.api.service_name, worker = module.worker.service_name }
}

output "worker_parameter_names" {
  description = "SSM parameters the worker reads at run time (edit prompts here; Terraform keeps the edits)."
  value       = concat([for p in aws_ssm_parameter.prompt : p.name], [aws_ssm_parameter.model.name])
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL on the load balancer."
  value       = aws_wafv2_web_acl.this.arn
}

output "connection_budget" {
  description = "The database connection budget: per service max tasks x pool size, reserved connections, the total against the proxy cap and the database's max_connections."
  value       = local.connection_budget
}
