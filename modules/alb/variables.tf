variable "name" {
  description = "Load balancer name: 1-32 letters, digits and hyphens, not starting or ending with a hyphen or starting with \"internal-\". Also names its security group <name>-alb."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$", var.name)) && !startswith(var.name, "internal-")
    error_message = "name must be 1-32 letters, digits and hyphens, must not start or end with a hyphen, and must not start with \"internal-\"."
  }
}

variable "subnet_ids" {
  description = "Public subnets (routed to an internet gateway) in at least two Availability Zones."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for s in var.subnet_ids : can(regex(local.aws_id_pattern.subnet_id, s))])
    error_message = "subnet_ids must list at least two subnet IDs (subnet-0123abcd...) in different Availability Zones."
  }
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate of the HTTPS listener (issued, in the load balancer's region)."
  type        = string

  validation {
    condition     = can(regex(local.aws_id_pattern.acm_certificate_arn, var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "additional_certificate_arns" {
  description = "Further ACM certificates for the HTTPS listener (SNI), for example for a second domain."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for c in var.additional_certificate_arns : can(regex(local.aws_id_pattern.acm_certificate_arn, c))])
    error_message = "additional_certificate_arns must be ACM certificate ARNs (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "ssl_policy" {
  description = "TLS security policy of the HTTPS listener. Only TLS 1.3 policies (TLS 1.2 minimum) and the forward-secrecy TLS 1.2 policies are accepted."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = can(regex("^ELBSecurityPolicy-(TLS13-1-[23]-|FS-1-2-Res-)", var.ssl_policy))
    error_message = "ssl_policy must be a TLS 1.3 policy with TLS 1.2 or 1.3 minimum (ELBSecurityPolicy-TLS13-1-2-..., ELBSecurityPolicy-TLS13-1-3-...) or a forward-secrecy TLS 1.2 policy (ELBSecurityPolicy-FS-1-2-Res-...)."
  }
}

variable "ingress_cidr_blocks" {
  description = "IPv4 ranges allowed to reach ports 443 and 80. The default, the whole internet, makes this the one security group of the platform open to 0.0.0.0/0."
  type        = list(string)
  default     = ["0.0.0.0/0"]
  nullable    = false

  validation {
    condition     = length(var.ingress_cidr_blocks) > 0 && alltrue([for c in var.ingress_cidr_blocks : can(cidrhost(c, 0)) && !strcontains(c, ":")])
    error_message = "ingress_cidr_blocks must list at least one IPv4 CIDR block (for example 0.0.0.0/0 or 203.0.113.0/24)."
  }
}

variable "idle_timeout" {
  description = "Seconds a connection may stay idle before the load balancer closes it (1-4000)."
  type        = number
  default     = 60

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000 && floor(var.idle_timeout) == var.idle_timeout
    error_message = "idle_timeout must be a whole number of seconds from 1 to 4000."
  }
}

variable "access_logs_bucket" {
  description = "Name of the S3 bucket that receives access logs. It must be in the same region, use SSE-S3 (AES256) default encryption (Elastic Load Balancing cannot write to SSE-KMS buckets), and grant Elastic Load Balancing s3:PutObject under <prefix>/AWSLogs/<account>/ (see README)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_logs_bucket))
    error_message = "access_logs_bucket must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens), not an ARN or s3:// URL."
  }
}

variable "access_logs_prefix" {
  description = "Key prefix of the access logs in the bucket, without leading or trailing slash. Must not contain \"AWSLogs\"."
  type        = string
  default     = "alb"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$", var.access_logs_prefix)) && !strcontains(var.access_logs_prefix, "AWSLogs")
    error_message = "access_logs_prefix must be a key prefix without leading or trailing slash (for example \"alb\" or \"prod/alb\") and must not contain \"AWSLogs\"."
  }
}
