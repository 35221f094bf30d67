output "state_bucket" {
  description = "Name of the Terraform state bucket: STATE_BUCKET of python -m scripts init (terraform/<env>.account.env locally, the repository variable <ENV>_STATE_BUCKET in the pipeline)."
  value       = module.state_bucket.bucket_id
}

output "state_bucket_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the state bucket: STATE_KMS_KEY_ARN of python -m scripts init (<ENV>_STATE_KMS_KEY_ARN in the pipeline)."
  value       = module.state_bucket.kms_key_arn
}

output "backend_config" {
  description = "Per environment, the settings of its S3 backend: key, region, encrypt and use_lockfile are in terraform/environments/<env>.s3.tfbackend, bucket and kms_key_id are per account (STATE_BUCKET, STATE_KMS_KEY_ARN). kms_key_id matters: with encrypt = true alone the backend writes state with SSE-S3, not with the bucket's key."
  value = {
    for env, cfg in local.environments : env => {
      bucket       = module.state_bucket.bucket_id
      key          = cfg.state_key
      region       = local.region
      encrypt      = true
      kms_key_id   = module.state_bucket.kms_key_arn
      use_lockfile = true
    }
  }
}

output "oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC identity provider the deploy roles trust."
  value       = local.oidc_provider_arn
}

output "plan_role_arns" {
  description = "Per environment, the ARN of the read-only plan role that pull-request workflows assume."
  value       = { for env, role in aws_iam_role.plan : env => role.arn }
}

output "apply_role_arns" {
  description = "Per environment, the ARN of the apply role that only jobs in the GitHub environment of that name can assume."
  value       = { for env, role in aws_iam_role.apply : env => role.arn }
}

output "trust_subjects" {
  description = "Per environment, the exact OIDC subjects each role trusts (for review; StringEquals, no wildcards)."
  value = {
    for env, cfg in local.environments : env => {
      plan  = cfg.plan_subjects
      apply = cfg.apply_subjects
    }
  }
}

output "github_variables" {
  description = "Configuration variables the workflows read: repository variables (AWS_REGION, <ENV>_PLAN_ROLE_ARN, and the state backend's per-account settings <ENV>_STATE_BUCKET and <ENV>_STATE_KMS_KEY_ARN, which python -m scripts init reads as STATE_BUCKET and STATE_KMS_KEY_ARN) and, per GitHub environment, APPLY_ROLE_ARN. Names and ARNs, none a secret."
  value = {
    repository = merge(
      { AWS_REGION = local.region },
      { for env, role in aws_iam_role.plan : "${local.github_prefix[env]}_PLAN_ROLE_ARN" => role.arn },
      # Repository, not environment, variables: the pull-request plan job declares no environment
      # (docs/cicd.md), and plan and deploy must init the same backend.
      { for env in keys(local.environments) : "${local.github_prefix[env]}_STATE_BUCKET" => module.state_bucket.bucket_id },
      { for env in keys(local.environments) : "${local.github_prefix[env]}_STATE_KMS_KEY_ARN" => module.state_bucket.kms_key_arn },
    )
    environments = { for env, role in aws_iam_role.apply : env => { APPLY_ROLE_ARN = role.arn } }
  }
}
