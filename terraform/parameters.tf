# Run-time settings of the worker in SSM Parameter Store: one parameter per classification prompt
# and one JSON document of model settings. The worker reads them when a job starts, so a prompt
# changes without a deployment. Terraform creates each parameter with its initial value and then
# leaves the value alone (ignore_changes): Parameter Store's version history is the record of
# prompt changes and their rollback (docs/adr/0004-runtime-parameters-in-ssm.md).

# Standard tier: values up to 4 KB, no charge. var.classification refuses a longer prompt, service_name
# a path prefix Parameter Store reserves (aws, ssm); the path is five levels of the fifteen allowed
# (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html).
resource "aws_ssm_parameter" "prompt" {
  for_each = var.classification.prompts

  name        = "${local.parameter_prefix}/prompts/${each.key}"
  description = "Classification prompt \"${each.key}\" (initial value from Terraform; edited in Parameter Store)"
  type        = "SecureString"
  tier        = "Standard"
  key_id      = module.data_key.key_arn
  value       = each.value

  lifecycle {
    ignore_changes = [value]
  }
}

resource "aws_ssm_parameter" "model" {
  name        = "${local.parameter_prefix}/model"
  description = "Model settings of the classification worker as JSON (initial value from Terraform; edited in Parameter Store)"
  type        = "SecureString"
  tier        = "Standard"
  key_id      = module.data_key.key_arn
  value       = jsonencode(var.classification.model)

  lifecycle {
    ignore_changes = [value]
  }
}

locals {
  worker_parameter_arns = concat(
    [for p in aws_ssm_parameter.prompt : p.arn],
    [aws_ssm_parameter.model.arn],
  )
}
