# The bucket a load balancer of the examples writes its access logs to
# (modules/alb/examples/complete, modules/ecs-service/examples/api): modules/private-s3 with SSE-S3
# and its grant for Elastic Load Balancing's delivery under the prefix. A test fixture, not a
# published module: the platform's root has its own log bucket, granted the same way.

module "bucket" {
  #checkov:skip=CKV_AWS_145:Elastic Load Balancing access log delivery supports SSE-S3 only; the log bucket uses AES256 by design.
  source = "../../private-s3"

  bucket_name                        = var.bucket_name
  encryption                         = "AES256"
  noncurrent_version_expiration_days = 30
  object_expiration_days             = 90
  elb_log_delivery_prefix            = var.prefix
  force_destroy                      = var.force_destroy
  tags                               = { DataClass = "logs" }
}
