# Shared input: linked into every module that takes it as variables_tags.tf (ADR 0023).
# tflint-ignore is for this folder linted on its own, where nothing reads the input; in a module
# tests/unit/test_shared_module_inputs.py checks that the module uses every input it links.
# tflint-ignore: terraform_unused_declarations
variable "tags" {
  description = "Tags for every resource the module creates that takes tags."
  type        = map(string)
  default     = {}
  nullable    = false

  # Tag keys 1-128 characters, values 0-256, in every service the modules use, for example
  # https://docs.aws.amazon.com/kms/latest/APIReference/API_Tag.html and
  # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html
  validation {
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "tags keys must be at most 128 characters and values at most 256."
  }
}
