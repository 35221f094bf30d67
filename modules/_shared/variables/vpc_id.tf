# Shared input: linked into every module that takes it as variables_vpc_id.tf (ADR 0023).
# tflint-ignore is for this folder linted on its own, where nothing reads the input; in a module
# tests/unit/test_shared_module_inputs.py checks that the module uses every input it links.
# tflint-ignore: terraform_unused_declarations
variable "vpc_id" {
  description = "ID of the VPC the module creates its security groups in; the subnets passed must belong to it."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID: vpc- and 8 to 17 lowercase hexadecimal digits (vpc-0123abcd...)."
  }
}
