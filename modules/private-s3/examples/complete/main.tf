# A private bucket with every option on: SSE-KMS with the module's key, access logging to a second
# bucket (SSE-S3, because S3 log delivery cannot write to SSE-KMS buckets), CORS for presigned
# browser uploads, EventBridge notifications and a storage-class transition.
# The versions, the provider and the name and region inputs come from providers.tf, a link to the
# examples' shared harness modules/_fixtures/example/providers.tf: copy that file with the example
# (ADR 0022).

module "logs" {
  #checkov:skip=CKV_AWS_145:S3 server access log delivery cannot write to SSE-KMS buckets; the log bucket uses SSE-S3 by design.
  source = "../.."

  bucket_name                        = "${var.name}-logs"
  encryption                         = "AES256"
  noncurrent_version_expiration_days = 30
  object_expiration_days             = 365
  server_access_log_sources          = { Data = { bucket = "${var.name}-data", prefix = "s3-access/" } }
  force_destroy                      = var.force_destroy
  tags                               = { DataClass = "logs" }
}

module "bucket" {
  source = "../.."

  bucket_name          = "${var.name}-data"
  cors_allowed_origins = var.cors_allowed_origins
  eventbridge_enabled  = true
  transitions          = [{ days = 30, storage_class = "STANDARD_IA" }]
  force_destroy        = var.force_destroy
  tags                 = { DataClass = "uploads" }

  logging = {
    target_bucket = module.logs.bucket_id
    target_prefix = "s3-access/"
  }
}
