variable "domain_name" {
  description = "Domain served by the load balancer; the example creates a public hosted zone for it (validation completes once the zone is delegated to)."
  type        = string
  default     = "app.imgclass.example.com"
}
