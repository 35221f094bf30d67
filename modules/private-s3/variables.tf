variable "bucket_name" {
  description = "Globally unique bucket name. 3-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit. Dots are refused: they break TLS for virtual-hosted-style requests."
  type        = string

  validation {
    condition     = can(regex(local.aws_id_pattern.s3_bucket_name, var.bucket_name))
    error_message = "bucket_name must be 3-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter or digit (no dots, no uppercase)."
  }

  # S3 reserves these prefixes and suffixes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html);
  # refusing "--" also covers xn--, --ol-s3, --x-s3 and --table-s3, and the format refuses .mrap.
  validation {
    condition     = !startswith(var.bucket_name, "sthree-") && !startswith(var.bucket_name, "amzn-s3-demo-") && !endswith(var.bucket_name, "-s3alias") && !strcontains(var.bucket_name, "--")
    error_message = "bucket_name must not start with \"sthree-\" or \"amzn-s3-demo-\", end with \"-s3alias\", or contain \"--\" (xn--, --ol-s3, --x-s3, --table-s3): S3 reserves them."
  }
}

variable "encryption" {
  description = "Default encryption: \"aws:kms\" (SSE-KMS with a customer-managed key and bucket keys) or \"AES256\" (SSE-S3). Use AES256 only for buckets AWS services deliver logs to (ALB and S3 server access logs cannot write to SSE-KMS buckets)."
  type        = string
  default     = "aws:kms"

  validation {
    condition     = contains(["aws:kms", "AES256"], var.encryption)
    error_message = "encryption must be \"aws:kms\" or \"AES256\"."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted (their parts are billed until then)."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "abort_incomplete_multipart_upload_days must be a whole number of days, at least 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions are deleted: the recovery window for overwritten or deleted objects."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days, at least 1."
  }
}

variable "object_expiration_days" {
  description = "Days after which current objects expire (become noncurrent). Null keeps objects until deleted."
  type        = number
  default     = null

  validation {
    condition     = var.object_expiration_days == null || try(var.object_expiration_days >= 1 && floor(var.object_expiration_days) == var.object_expiration_days, false)
    error_message = "object_expiration_days must be null or a whole number of days, at least 1."
  }

  # An Expiration earlier than (or on the day of) a Transition of the same rule is refused by
  # PutBucketLifecycleConfiguration ("'Days' in the Expiration action ... must be greater than 'Days'
  # in the Transition action"): https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
  validation {
    condition     = var.object_expiration_days == null || try(alltrue([for t in var.transitions : var.object_expiration_days > t.days]), false)
    error_message = "object_expiration_days must be greater than every transitions[*].days: S3 refuses a rule that expires objects before (or when) it transitions them."
  }
}

variable "transitions" {
  description = "Storage-class transitions of current objects, e.g. [{ days = 30, storage_class = \"STANDARD_IA\" }]. STANDARD_IA and ONEZONE_IA need at least 30 days."
  type = list(object({
    days          = number
    storage_class = string
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for t in var.transitions : contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], t.storage_class)])
    error_message = "transitions[*].storage_class must be one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE."
  }

  validation {
    condition     = alltrue([for t in var.transitions : t.days >= 1 && floor(t.days) == t.days && (!contains(["STANDARD_IA", "ONEZONE_IA"], t.storage_class) || t.days >= 30)])
    error_message = "transitions[*].days must be a positive whole number, and at least 30 for STANDARD_IA and ONEZONE_IA."
  }

  # S3 refuses a lifecycle rule that names a storage class twice, that moves objects up the transition
  # waterfall (STANDARD_IA -> INTELLIGENT_TIERING -> ONEZONE_IA -> GLACIER_IR -> GLACIER -> DEEP_ARCHIVE),
  # or that moves them out of STANDARD_IA or ONEZONE_IA less than 30 days after moving them in:
  # https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
  validation {
    condition     = length(distinct([for t in var.transitions : t.storage_class])) == length(var.transitions)
    error_message = "transitions must name each storage_class at most once (S3 refuses two transitions to the same class in one rule)."
  }

  validation {
    condition = alltrue(flatten([
      for a in var.transitions : [
        for b in var.transitions : b.days > a.days
        if try(index(local.transition_waterfall, b.storage_class) > index(local.transition_waterfall, a.storage_class), false)
      ]
    ]))
    error_message = "transitions must follow the S3 transition waterfall STANDARD_IA -> INTELLIGENT_TIERING -> ONEZONE_IA -> GLACIER_IR -> GLACIER -> DEEP_ARCHIVE: each later class needs more days than every earlier one (S3 cannot move objects back up)."
  }

  validation {
    condition = alltrue(flatten([
      for a in var.transitions : [
        for b in var.transitions : b.days >= a.days + 30
        if contains(["STANDARD_IA", "ONEZONE_IA"], a.storage_class) && try(index(local.transition_waterfall, b.storage_class) > index(local.transition_waterfall, a.storage_class), false)
      ]
    ]))
    error_message = "transitions out of STANDARD_IA or ONEZONE_IA must come at least 30 days after the transition into it (S3 keeps objects 30 days in an IA class before the next transition)."
  }
}

variable "logging" {
  description = "Server access logging: the target bucket (which must allow logging.s3.amazonaws.com to write and use SSE-S3) and a key prefix. Null disables it."
  type = object({
    target_bucket = string
    target_prefix = optional(string, "s3-access/")
  })
  default = null

  validation {
    condition     = var.logging == null || try(length(var.logging.target_bucket) >= 3, false)
    error_message = "logging.target_bucket must name the bucket that receives access logs."
  }
}

variable "cors_allowed_origins" {
  description = "Origins allowed to use the bucket from a browser (presigned PUT uploads), each scheme://host[:port] with no path, or \"*\". Empty disables CORS."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for o in var.cors_allowed_origins : o == "*" || can(regex("^https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$", o))])
    error_message = "cors_allowed_origins entries must be an origin like https://app.example.com or http://localhost:3000 (scheme://host[:port], lowercase, no path or trailing slash), or \"*\"."
  }
}

variable "cors_allowed_methods" {
  description = "HTTP methods allowed for CORS requests."
  type        = list(string)
  default     = ["PUT"]
  nullable    = false

  validation {
    condition     = length(var.cors_allowed_methods) > 0 && alltrue([for m in var.cors_allowed_methods : contains(["GET", "PUT", "POST", "DELETE", "HEAD"], m)])
    error_message = "cors_allowed_methods must be a non-empty list of GET, PUT, POST, DELETE, HEAD."
  }
}

variable "cors_max_age_seconds" {
  description = "How long browsers may cache a CORS preflight response."
  type        = number
  default     = 3000

  validation {
    condition     = var.cors_max_age_seconds >= 0 && var.cors_max_age_seconds <= 86400
    error_message = "cors_max_age_seconds must be between 0 and 86400."
  }
}

variable "eventbridge_enabled" {
  description = "Send the bucket's object events to Amazon EventBridge."
  type        = bool
  default     = false
}

variable "elb_log_delivery_prefix" {
  description = "Let Elastic Load Balancing deliver a load balancer's access logs into this bucket under <prefix>/AWSLogs/<account>/: the prefix the load balancer's access_logs names (modules/alb access_logs_prefix, which checks its form). Needs encryption = \"AES256\". Null: no such grant."
  type        = string
  default     = null

  # "The only server-side encryption option that's supported is Amazon S3-managed keys (SSE-S3)":
  # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
  validation {
    condition     = var.elb_log_delivery_prefix == null || var.encryption == "AES256"
    error_message = "elb_log_delivery_prefix needs encryption = \"AES256\": Elastic Load Balancing delivers access logs only to buckets encrypted with SSE-S3."
  }
}

variable "server_access_log_sources" {
  description = "Buckets whose S3 server access logs this bucket receives: per source, its bucket name and the key prefix (ending in /) its logging.target_prefix names. The policy lets logging.s3.amazonaws.com write under each prefix for that bucket of this account only; the key is the statement's Sid suffix (S3ServerAccessLogs<key>). Needs encryption = \"AES256\"."
  type = map(object({
    bucket = string
    prefix = string
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k, v in var.server_access_log_sources : can(regex("^[A-Za-z0-9]+$", k)) && endswith(v.prefix, "/") && !startswith(v.prefix, "/")])
    error_message = "server_access_log_sources keys must be letters and digits (they end a statement Sid) and each prefix must end with \"/\" and not start with one."
  }

  # S3 delivers server access logs only to a bucket with SSE-S3 default encryption:
  # https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
  validation {
    condition     = length(var.server_access_log_sources) == 0 || var.encryption == "AES256"
    error_message = "server_access_log_sources needs encryption = \"AES256\": S3 delivers server access logs only to buckets encrypted with SSE-S3."
  }
}

variable "additional_policy_json" {
  description = "Further bucket policy statements as a JSON policy document (for example log delivery); merged with the module's TLS-only denies."
  type        = string
  default     = null

  validation {
    condition     = var.additional_policy_json == null || can(jsondecode(var.additional_policy_json).Statement)
    error_message = "additional_policy_json must be a JSON policy document with a Statement list."
  }
}

variable "force_destroy" {
  description = "Allow destroying the bucket while it still holds objects. Keep false wherever data lives."
  type        = bool
  default     = false
}
