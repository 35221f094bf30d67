# Shared input: linked into every module that takes it as variables_permissions_boundary.tf
# (ADR 0023). tflint-ignore is for this folder linted on its own, where nothing reads the input; in a
# module tests/unit/test_shared_module_inputs.py checks that the module uses every input it links.
# tflint-ignore: terraform_unused_declarations
variable "permissions_boundary" {
  description = "ARN of the IAM policy set as permissions boundary on every role the module creates. Null sets none."
  type        = string
  default     = null

  # PermissionsBoundary is the ARN of a managed policy (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html);
  # its format is aws_id_patterns.json's iam_policy_arn, so a module that links this links aws_id_patterns.tf.
  validation {
    condition     = var.permissions_boundary == null || can(regex(local.aws_id_pattern.iam_policy_arn, coalesce(var.permissions_boundary, "x")))
    error_message = "permissions_boundary must be null or an IAM policy ARN (arn:aws:iam::<account>:policy/<name>)."
  }
}
