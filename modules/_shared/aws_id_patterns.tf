# Shared block: what the AWS identifiers the inputs take look like (subnet and security group IDs,
# KMS key, ACM certificate and secret ARNs, an ECS secret's valueFrom, RDS DB instance identifiers,
# SQS queue and S3 bucket names), read from
# aws_id_patterns.json, which the Python tooling reads too. Linked as aws_id_patterns.tf into every
# module whose validations (its own, or a shared input's from modules/_shared/variables) check one
# (ADR 0024); the platform root reads the data file in terraform/locals.tf.
# The tflint-ignore is for this folder linted on its own, where nothing reads the local;
# tests/unit/test_shared_blocks.py checks that every configuration that links the file reads it.
locals {
  # tflint-ignore: terraform_unused_declarations
  aws_id_pattern = jsondecode(file("${path.module}/../_shared/aws_id_patterns.json")).patterns
}
