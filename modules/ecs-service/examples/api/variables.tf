variable "name" {
  description = "Prefix of the example's resource names (the tests pass a unique one)."
  type        = string
  default     = "imgclass-example"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name))
    error_message = "name must be 3-24 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the example."
  type        = string
  default     = "eu-west-1"
}

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
