data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = "${var.service_name}-${var.environment}"
  is_prod    = var.environment == "prod"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  # Parameter Store path the worker reads at run time (prompts and model settings).
  parameter_prefix = "/${var.service_name}/${var.environment}/worker"

  # Buckets are global: the account id keeps names unique across accounts and environments.
  bucket_names = {
    uploads = "${local.name}-uploads-${local.account_id}"
    results = "${local.name}-results-${local.account_id}"
    logs    = "${local.name}-logs-${local.account_id}"
  }

  # Prefix under which the browser uploads (presigned PUT); the API may presign nothing else.
  upload_prefix  = "uploads/"
  results_prefix = "results/"
}
