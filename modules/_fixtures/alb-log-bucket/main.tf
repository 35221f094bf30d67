# The bucket a load balancer of the examples writes its access logs to
# (modules/alb/examples/complete, modules/ecs-service/examples/api): modules/private-s3 with SSE-S3
# and a policy that lets Elastic Load Balancing deliver. A test fixture, not a published module: the platform's root has its own.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_elb_service_account" "current" {}

locals {
  # Elastic Load Balancing writes under <prefix>/AWSLogs/<account>/ and nowhere else.
  log_objects = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.prefix}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
}

# Regions opened before August 2022 deliver as the regional Elastic Load Balancing account, newer
# ones as the log-delivery service principal; granting both keeps the examples portable:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
data "aws_iam_policy_document" "log_delivery" {
  statement {
    sid       = "ElbLogDeliveryAccount"
    actions   = ["s3:PutObject"]
    resources = [local.log_objects]

    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.current.arn]
    }
  }

  statement {
    sid       = "ElbLogDeliveryService"
    actions   = ["s3:PutObject"]
    resources = [local.log_objects]

    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

module "bucket" {
  #checkov:skip=CKV_AWS_145:Elastic Load Balancing access log delivery supports SSE-S3 only; the log bucket uses AES256 by design.
  source = "../../private-s3"

  bucket_name                        = var.bucket_name
  encryption                         = "AES256"
  noncurrent_version_expiration_days = 30
  object_expiration_days             = 90
  additional_policy_json             = data.aws_iam_policy_document.log_delivery.json
  force_destroy                      = var.force_destroy
  tags                               = { DataClass = "logs" }
}
