terraform {
  # Partial configuration: key and region come from environments/<env>.s3.tfbackend, the account's
  # bucket and KMS key from STATE_BUCKET / STATE_KMS_KEY_ARN (python -m scripts init --env dev;
  # scripts/terraform/backend.py). State is locked with S3 conditional writes (use_lockfile), so no DynamoDB
  # table is needed.
  backend "s3" {}
}
