# Shared input: linked into every module that takes it as variables_kms_key_arn.tf (ADR 0023).
# tflint-ignore is for this folder linted on its own, where nothing reads the input; in a module
# tests/unit/test_shared_module_inputs.py checks that the module uses every input it links.
# tflint-ignore: terraform_unused_declarations
variable "kms_key_arn" {
  description = "ARN of an existing customer-managed KMS key for what the module encrypts; its README says what the key policy must allow. Null: the module creates a key with rotation on (modules/kms-key)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex(local.aws_id_pattern.kms_key_arn, var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or key id."
  }
}
