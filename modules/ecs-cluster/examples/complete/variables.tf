variable "name" {
  description = "Name of the example cluster (the tests pass a unique one)."
  type        = string
  default     = "imgclass-example"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the example."
  type        = string
  default     = "eu-west-1"
}
