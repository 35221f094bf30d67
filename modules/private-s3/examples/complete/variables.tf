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
