# This folder is validated on its own (ADR 0023); kms_key_arn.tf reads local.aws_id_pattern, which a
# module that links it gets from the shared block ../aws_id_patterns.tf. That block reads the data
# file by a path one level up from a module, so this folder, one level deeper, reads it here.
locals {
  # tflint-ignore: terraform_unused_declarations
  aws_id_pattern = jsondecode(file("${path.module}/../aws_id_patterns.json")).patterns
}
