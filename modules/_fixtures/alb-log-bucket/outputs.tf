output "bucket_id" {
  description = "Name of the access-log bucket."
  value       = module.bucket.bucket_id
}

output "prefix" {
  description = "Prefix the policy lets Elastic Load Balancing write under: pass it as the load balancer's access_logs_prefix."
  value       = var.prefix
}
