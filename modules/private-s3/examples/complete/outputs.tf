output "bucket_id" {
  description = "Name of the data bucket."
  value       = module.bucket.bucket_id
}

output "bucket_arn" {
  description = "ARN of the data bucket."
  value       = module.bucket.bucket_arn
}

output "kms_key_arn" {
  description = "KMS key that encrypts the data bucket."
  value       = module.bucket.kms_key_arn
}

output "log_bucket_id" {
  description = "Name of the access-log bucket."
  value       = module.logs.bucket_id
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the data bucket."
  value       = module.bucket.bucket_regional_domain_name
}
