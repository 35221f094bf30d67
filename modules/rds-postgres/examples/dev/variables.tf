variable "name" {
  description = "Name of the database, the proxy and the example's network (the tests pass a unique one)."
  type        = string
  default     = "imgclass-dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the example."
  type        = string
  default     = "eu-west-1"
}

variable "instance_class" {
  description = "DB instance class (one of the classes rds-postgres knows)."
  type        = string
  default     = "db.t4g.micro"
}

variable "allow_destroy" {
  description = "Turn deletion protection off and skip the final snapshot so the stack can be destroyed (tests and demos only)."
  type        = bool
  default     = false
}
