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
  description = "Worker image; null uses <account>.dkr.ecr.<region>.amazonaws.com/imgclass/worker:0.1.0."
  type        = string
  default     = null
}
