# Shared input: linked into every module that takes it as variables_kms_key_deletion_window_in_days.tf
# (ADR 0023). tflint-ignore is for this folder linted on its own, where nothing reads the input; in a
# module tests/unit/test_shared_module_inputs.py checks that the module uses every input it links.
# tflint-ignore: terraform_unused_declarations
variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before a module-created KMS key is deleted (7-30 days)."
  type        = number
  default     = 30

  # ScheduleKeyDeletion: PendingWindowInDays 7-30.
  # https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30 && floor(var.kms_key_deletion_window_in_days) == var.kms_key_deletion_window_in_days
    error_message = "kms_key_deletion_window_in_days must be a whole number from 7 to 30."
  }
}
