# Buckets: uploads (browser PUT through presigned URLs), results (written by the worker), and one
# log bucket for the load balancer's access logs and the data buckets' server access logs. The log
# bucket uses SSE-S3 because neither ALB nor S3 log delivery can write to SSE-KMS buckets.

# Where each data bucket's server access logs go in the logs bucket: its own prefix, the one the
# logs bucket's policy lets S3's logging service write under for that bucket (server_access_log_sources).
locals {
  access_log_sources = {
    for key in ["uploads", "results"] : title(key) => {
      bucket = local.bucket_names[key]
      prefix = "s3-access/${local.bucket_names[key]}/"
    }
  }
}

module "logs_bucket" {
  #checkov:skip=CKV_AWS_145:ALB and S3 server access log delivery cannot write to SSE-KMS buckets; this log bucket uses SSE-S3 by design.
  source = "../modules/private-s3"

  bucket_name                        = local.bucket_names.logs
  encryption                         = "AES256"
  noncurrent_version_expiration_days = 7
  object_expiration_days             = local.production_like ? 365 : 30
  # Delivery grants: the load balancer's access logs and the data buckets' server access logs.
  elb_log_delivery_prefix   = local.alb_access_logs_prefix
  server_access_log_sources = local.access_log_sources
  force_destroy             = !var.deletion_protection
  tags                      = { DataClass = "logs" }
}

module "uploads_bucket" {
  source = "../modules/private-s3"

  bucket_name          = local.bucket_names.uploads
  kms_key_arn          = module.data_key.key_arn
  cors_allowed_origins = var.allowed_origins
  cors_allowed_methods = ["PUT"]
  # Object-created events go to EventBridge: an audit trail and a hook for malware scanning, while
  # jobs start only through POST /start-job (validated and rate limited) - see ARCHITECTURE.md.
  eventbridge_enabled                    = true
  object_expiration_days                 = var.retention.upload_days
  noncurrent_version_expiration_days     = 1
  abort_incomplete_multipart_upload_days = 1
  force_destroy                          = !var.deletion_protection
  tags                                   = { DataClass = "uploads" }

  logging = {
    target_bucket = module.logs_bucket.bucket_id
    target_prefix = local.access_log_sources.Uploads.prefix
  }
}

module "results_bucket" {
  source = "../modules/private-s3"

  bucket_name                        = local.bucket_names.results
  kms_key_arn                        = module.data_key.key_arn
  object_expiration_days             = var.retention.result_days
  noncurrent_version_expiration_days = local.production_like ? 30 : 7
  force_destroy                      = !var.deletion_protection
  tags                               = { DataClass = "results" }

  logging = {
    target_bucket = module.logs_bucket.bucket_id
    target_prefix = local.access_log_sources.Results.prefix
  }
}
