variable "name" {
  description = "Name tag of the VPC; the subnets and route table are tagged <name>-public-<n> / <name>-private-<n>."
  type        = string
}

variable "region" {
  description = "Region of the provider; the subnets go to its zones a, b (and c)."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC, a /16: each subnet is one /24 of it (public from .0, private from .10)."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.cidr_block)) && endswith(var.cidr_block, "/16")
    error_message = "cidr_block must be an IPv4 /16 such as \"10.40.0.0/16\"."
  }
}

variable "az_count" {
  description = "How many Availability Zones (<region>a, b, c in that order) get one subnet of each kind."
  type        = number
  default     = 2

  # An Application Load Balancer needs subnets in at least two Availability Zones:
  # https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
  validation {
    condition     = contains([2, 3], var.az_count)
    error_message = "az_count must be 2 or 3: the examples' load balancers and DB subnet groups need two zones, no example needs more than three."
  }
}

variable "public_subnets" {
  description = "Create public subnets routed to an internet gateway (for an internet-facing load balancer)."
  type        = bool
  default     = false
}

variable "private_subnets" {
  description = "Create private subnets without a route out (tasks, databases)."
  type        = bool
  default     = true
}
