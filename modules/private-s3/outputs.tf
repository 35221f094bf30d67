output "bucket_id" {
  description = "Name of the bucket, known once its policy is in place (so log delivery or other grants that rely on the policy can follow)."
  value       = aws_s3_bucket.this.id

  depends_on = [aws_s3_bucket_policy.this]
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Region-specific domain name of the bucket (for presigned URLs and origins)."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the bucket (created or passed in); null with SSE-S3."
  value       = local.kms_key_arn
}

output "kms_key_created" {
  description = "Whether the module created the KMS key (false when one was passed in or SSE-S3 is used)."
  value       = local.create_kms_key
}

output "encryption" {
  description = "Default encryption algorithm of the bucket (aws:kms or AES256)."
  value       = var.encryption
}

output "policy_json" {
  description = "The bucket policy document applied to the bucket."
  value       = data.aws_iam_policy_document.this.json
}
