variable "zone_id" {
  description = "The hosted zone the record goes in (output zone_id of the dns-certificate fixture)."
  type        = string
}

variable "name" {
  description = "The domain name the record answers for."
  type        = string
}

variable "load_balancer" {
  description = "The load balancer the domain points at (outputs dns_name and zone_id of modules/alb)."
  type = object({
    dns_name = string
    zone_id  = string
  })
  nullable = false
}
