variable "bucket_name" {
  description = "Name of the access-log bucket."
  type        = string
}

variable "prefix" {
  description = "Prefix the load balancer writes under (its access_logs_prefix), without a trailing slash."
  type        = string
  default     = "alb"
}

variable "force_destroy" {
  description = "Let the bucket be destroyed with logs in it (tests and demos only)."
  type        = bool
  default     = false
}
