variable "domain_name" {
  description = "Domain served by the load balancer; the fixture creates a public hosted zone for it."
  type        = string
}

variable "force_destroy" {
  description = "Let the zone be destroyed with records in it that Terraform did not create (tests and demos only)."
  type        = bool
  default     = false
}
