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

variable "domain_name" {
  description = "Domain served by the load balancer; the example creates a public hosted zone for it (validation completes once the zone is delegated to)."
  type        = string
  default     = "app.imgclass.example.com"
}
