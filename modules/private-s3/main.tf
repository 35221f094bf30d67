locals {
  create_kms_key = var.encryption == "aws:kms" && var.kms_key_arn == null
  kms_key_arn    = var.encryption == "aws:kms" ? coalesce(var.kms_key_arn, try(module.kms_key[0].key_arn, null)) : null

  elb_log_delivery = var.elb_log_delivery_prefix != null

  # The order in which S3 Lifecycle can move objects between classes (see the transitions validations).
  transition_waterfall = ["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]
}

# --- Encryption key -------------------------------------------------------------------------

# The key policy delegates to IAM only: S3 uses the key with its callers' permissions (kms:ViaService).
# A key created before modules/kms-key keeps its identity (moved_kms_key.tf), so the objects it
# encrypts stay readable.
module "kms_key" {
  source = "../kms-key"
  count  = local.create_kms_key ? 1 : 0

  alias_name              = "alias/s3/${var.bucket_name}"
  description             = "SSE-KMS for s3://${var.bucket_name}"
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                    = var.tags
}

# --- Bucket ---------------------------------------------------------------------------------

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Cross-region replication is the caller's disaster-recovery decision; versioning and lifecycle protect against deletion here.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.encryption
      kms_master_key_id = local.kms_key_arn
    }
    # Bucket keys cut KMS request costs by ~99 % for SSE-KMS; meaningless (and ignored) for SSE-S3.
    bucket_key_enabled = var.encryption == "aws:kms"
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "housekeeping"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  dynamic "rule" {
    for_each = length(var.transitions) > 0 || var.object_expiration_days != null ? [1] : []

    content {
      id     = "current-versions"
      status = "Enabled"

      filter {}

      abort_incomplete_multipart_upload {
        days_after_initiation = var.abort_incomplete_multipart_upload_days
      }

      dynamic "transition" {
        for_each = var.transitions

        content {
          days          = transition.value.days
          storage_class = transition.value.storage_class
        }
      }

      dynamic "expiration" {
        for_each = var.object_expiration_days == null ? [] : [var.object_expiration_days]

        content {
          days = expiration.value
        }
      }
    }
  }

  # Lifecycle rules apply to versions; configure them once versioning is on.
  depends_on = [aws_s3_bucket_versioning.this]
}

# --- Log delivery grants -------------------------------------------------------------------

# Load balancer access logs: Elastic Load Balancing writes under <prefix>/AWSLogs/<account>/ and
# nowhere else. Regions opened before August 2022 deliver as the region's Elastic Load Balancing
# account, newer ones as the log-delivery service principal:
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
# The service principal is granted everywhere, so the policy keeps working when a region moves
# over; the account only where one exists. aws_elb_service_account fails the plan in any other
# region ("unsupported AWS Region"), so it is read only for the regions it knows, the ones AWS lists
# with an account (the provider's table, hashicorp/aws 5.100).
locals {
  elb_account_regions = [
    "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ca-central-1", "cn-north-1", "cn-northwest-1",
    "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3", "me-south-1",
    "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2",
  ]
  elb_account = local.elb_log_delivery && contains(local.elb_account_regions, local.region)
}

data "aws_elb_service_account" "this" {
  count = local.elb_account ? 1 : 0
}

data "aws_iam_policy_document" "this" {
  source_policy_documents = var.additional_policy_json == null ? [] : [var.additional_policy_json]

  dynamic "statement" {
    for_each = merge(
      local.elb_account ? { ElbLogDeliveryAccount = { type = "AWS", identifiers = [data.aws_elb_service_account.this[0].arn] } } : {},
      local.elb_log_delivery ? { ElbLogDeliveryService = { type = "Service", identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"] } } : {},
    )

    content {
      sid       = statement.key
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.this.arn}/${var.elb_log_delivery_prefix}/AWSLogs/${local.account_id}/*"]

      principals {
        type        = statement.value.type
        identifiers = statement.value.identifiers
      }
    }
  }

  # S3 server access logs: each source bucket of this account writes under its own prefix only. The
  # conditions keep the logging service from writing here on behalf of anyone else's bucket:
  # https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
  dynamic "statement" {
    for_each = var.server_access_log_sources

    content {
      sid       = "S3ServerAccessLogs${statement.key}"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.this.arn}/${statement.value.prefix}*"]

      principals {
        type        = "Service"
        identifiers = ["logging.s3.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }

      condition {
        test     = "ArnLike"
        variable = "aws:SourceArn"
        values   = ["arn:${local.partition}:s3:::${statement.value.bucket}"]
      }
    }
  }

  # Requests the bucket refuses from anyone, the key being the statement's Sid: plain HTTP, and TLS
  # older than 1.2 (https://repost.aws/knowledge-center/s3-enforce-modern-tls). Deny statements cover
  # the bucket and its objects alike.
  dynamic "statement" {
    for_each = {
      DenyInsecureTransport = { test = "Bool", variable = "aws:SecureTransport", values = ["false"] }
      DenyOutdatedTLS       = { test = "NumericLessThan", variable = "s3:TlsVersion", values = ["1.2"] }
    }

    content {
      sid       = statement.key
      effect    = "Deny"
      actions   = ["s3:*"]
      resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

      principals {
        type        = "*"
        identifiers = ["*"]
      }

      condition {
        test     = statement.value.test
        variable = statement.value.variable
        values   = statement.value.values
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  # A policy put before the public access block exists could be judged public and rejected.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_logging" "this" {
  count = var.logging == null ? 0 : 1

  bucket        = aws_s3_bucket.this.id
  target_bucket = var.logging.target_bucket
  target_prefix = var.logging.target_prefix
}

resource "aws_s3_bucket_cors_configuration" "this" {
  count = length(var.cors_allowed_origins) > 0 ? 1 : 0

  bucket = aws_s3_bucket.this.id

  cors_rule {
    allowed_origins = var.cors_allowed_origins
    allowed_methods = var.cors_allowed_methods
    # Presigned PUTs send Content-Type and the SDK's checksum headers; nothing else is needed.
    allowed_headers = ["content-type", "content-md5", "x-amz-checksum-*", "x-amz-sdk-checksum-algorithm"]
    expose_headers  = ["ETag"]
    max_age_seconds = var.cors_max_age_seconds
  }
}

resource "aws_s3_bucket_notification" "this" {
  count = var.eventbridge_enabled ? 1 : 0

  bucket      = aws_s3_bucket.this.id
  eventbridge = true
}
