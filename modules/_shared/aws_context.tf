# Shared block: the account, partition and region the configuration's provider works in. Linked as
# aws_context.tf into every configuration that builds ARNs from all three (ADR 0024), so the three
# lookups and their local names are one text. Reading them costs no permission:
# sts:GetCallerIdentity needs none (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
# and the partition and region come from the provider's own configuration.
# A configuration that checks the account (the platform root's postcondition) or uses only some of
# the three keeps its own lookups. The tflint-ignore is for this folder linted on its own, where
# nothing reads the locals; tests/unit/test_shared_blocks.py checks that every configuration that
# links the file reads all three.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

# tflint annotations cover one line, so each local carries its own (tflint issue 1641).
locals {
  # tflint-ignore: terraform_unused_declarations
  account_id = data.aws_caller_identity.current.account_id
  # tflint-ignore: terraform_unused_declarations
  partition = data.aws_partition.current.partition
  # tflint-ignore: terraform_unused_declarations
  region = data.aws_region.current.id
}
