# Shared input: linked into every module that takes it as variables_deletion_protection.tf
# (ADR 0023). tflint-ignore is for this folder linted on its own, where nothing reads the input; in a
# module tests/unit/test_shared_module_inputs.py checks that the module uses every input it links.
# tflint-ignore: terraform_unused_declarations
variable "deletion_protection" {
  description = "Turn on AWS deletion protection on the module's resources that offer it: deleting them through the API (a destroy too) fails until it is turned off. Keep true wherever traffic or data depends on them; turn off only to tear down a test or demo stack."
  type        = bool
  default     = true
}
