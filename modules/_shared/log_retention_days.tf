# Shared block: the retention periods CloudWatch Logs accepts, in days. Linked as
# log_retention_days.tf into every configuration that validates a log group's retention (ADR 0024),
# so the list and the error messages that quote it come from one text. PutRetentionPolicy,
# retentionInDays: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
# The tflint-ignore is for this folder linted on its own, where nothing reads the local;
# tests/unit/test_shared_blocks.py checks that every configuration that links the file reads it.
locals {
  # tflint-ignore: terraform_unused_declarations
  log_retention_days = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
}
