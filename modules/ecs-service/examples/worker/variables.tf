variable "image" {
  description = "Worker image; null uses <account>.dkr.ecr.<region>.amazonaws.com/imgclass/worker:0.1.0."
  type        = string
  default     = null
}
