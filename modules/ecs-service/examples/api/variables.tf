variable "image" {
  description = "API image; null uses <account>.dkr.ecr.<region>.amazonaws.com/imgclass/api:0.1.0."
  type        = string
  default     = null
}

variable "domain_name" {
  description = "Domain of the API. Without certificate_arn the example creates a public hosted zone for it and a DNS-validated certificate; validation completes once the zone is delegated to."
  type        = string
  default     = "api.imgclass.example.com"
}

variable "certificate_arn" {
  description = "An issued ACM certificate for the HTTPS listener; null creates one for domain_name."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Deletion protection of the load balancer. On by default; set it to false (and apply) before destroying the example."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let the access-log bucket be destroyed with logs in it (tests and demos only)."
  type        = bool
  default     = false
}
