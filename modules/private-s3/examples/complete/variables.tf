variable "name" {
  description = "Prefix of the example's bucket names (the tests pass a unique one)."
  type        = string
  default     = "imgclass-example"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,50}[a-z0-9]$", var.name))
    error_message = "name must be 3-52 characters of lowercase letters, digits and hyphens."
  }
}

variable "region" {
  description = "AWS region of the example."
  type        = string
  default     = "eu-west-1"
}

variable "cors_allowed_origins" {
  description = "Origins allowed to PUT through presigned URLs from a browser."
  type        = list(string)
  default     = ["https://app.example.com"]
}

variable "force_destroy" {
  description = "Let the example be destroyed with objects in it (tests and demos only)."
  type        = bool
  default     = false
}
