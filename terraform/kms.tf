# Customer-managed keys: one per environment and purpose, not one per module instance
# (docs/adr/0018-one-kms-key-per-environment-and-purpose.md). Every module that would create a key of
# its own is handed one of these (kms_key_arn / log_kms_key_arn).
#
# data:       what the platform holds for its users and itself: the database (storage, Performance
#             Insights, master secret, exported PostgreSQL logs, which carry statements and their
#             parameters), the upload and result buckets, the job queues, the worker's parameters and
#             the database users' secrets. S3, RDS, SQS, SSM and Secrets Manager use the key with their
#             caller's IAM permissions (kms:ViaService in iam.tf and the modules' roles), so the policy
#             names no service but CloudWatch Logs for the database's own log groups.
# operations: what running the platform produces: every other log group (services, ECS Exec, Container
#             Insights, RDS Proxy, WAF), the alarm topic, and the image repositories.

locals {
  # The groups CloudWatch Logs may encrypt with the operations key (modules/kms-key grants it use
  # for these names and no other).
  operations_log_groups = [
    "/ecs/${local.name}-*",                                 # modules/ecs-service: /ecs/<service name>
    "/aws/ecs/${local.name}/execute-command",               # modules/ecs-cluster: ECS Exec audit log
    "/aws/ecs/containerinsights/${local.name}/performance", # modules/ecs-cluster: Container Insights
    "/aws/rds/proxy/${local.name}",                         # modules/rds-proxy
    local.waf_log_group_name,                               # waf.tf
  ]

  kms_deletion_window_in_days = local.production_like ? 30 : 7
}

module "data_key" {
  source = "../modules/kms-key"

  alias_name              = "alias/${local.name}/data"
  description             = "${local.name}: database, upload and result buckets, job queues, worker parameters, database user secrets"
  deletion_window_in_days = local.kms_deletion_window_in_days

  # The database's exported PostgreSQL logs.
  cloudwatch_logs_log_groups = ["/aws/rds/instance/${local.name}/*"]
}

module "operations_key" {
  source = "../modules/kms-key"

  alias_name              = "alias/${local.name}/operations"
  description             = "${local.name}: log groups, alarm topic, image repositories"
  deletion_window_in_days = local.kms_deletion_window_in_days

  cloudwatch_logs_log_groups = local.operations_log_groups

  service_statements = {
    # CloudWatch alarms publish to the encrypted alarm topic only if CloudWatch may use its key;
    # otherwise every notification is dropped silently:
    # https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    CloudWatchAlarmsPublish = {
      service = "cloudwatch.amazonaws.com"
      actions = ["kms:Decrypt", "kms:GenerateDataKey*"]
      conditions = [
        { test = "StringEquals", variable = "aws:SourceAccount", values = [local.account_id] },
        { test = "ArnLike", variable = "aws:SourceArn", values = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${local.alarm_name_prefix}-*"] },
      ]
    }
  }
}

# --- Migration from one key per module instance (ADR 0018) ------------------------------------------
#
# The keys stay, with their key material: deleting a key makes everything it encrypted unreadable.
# Refactoring across module boundaries from the root with moved blocks, and chaining them after the
# modules' own moved blocks: https://developer.hashicorp.com/terraform/language/modules/develop/refactoring

# The database's key (with its alias) becomes the data key: an RDS instance cannot change its storage
# key in place (changing kms_key_id replaces the instance), so the key the database has is the one to keep.
moved {
  from = module.database.module.kms_key[0]
  to   = module.data_key
}

# The platform key becomes the operations key: it already encrypts the WAF and RDS Proxy log groups
# and the image repositories (whose key cannot change once a repository exists).
moved {
  from = aws_kms_key.platform
  to   = module.operations_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.platform
  to   = module.operations_key.aws_kms_alias.this
}

# The retired keys (the buckets', the services' log keys, the cluster's, the alarm topic's) are
# forgotten, not deleted: objects and log events written before the switch stay encrypted under them.
# A removed block cannot name them where the modules' moved blocks put them
# (module.<m>.module.kms_key[0]): that module call is still declared (with count = 0), and Terraform
# refuses to forget what is declared. So each key module instance is first moved to an address no
# block declares, module.retired_kms_keys["<m>"], and that is removed with destroy = false
# (Terraform >= 1.7; from names a resource or module, without instance keys):
# https://developer.hashicorp.com/terraform/language/state/remove and
# https://developer.hashicorp.com/terraform/language/block/removed
# Schedule their deletion by hand once the data they encrypted has expired (ADR 0018).
moved {
  from = module.uploads_bucket.module.kms_key[0]
  to   = module.retired_kms_keys["uploads_bucket"]
}

moved {
  from = module.results_bucket.module.kms_key[0]
  to   = module.retired_kms_keys["results_bucket"]
}

moved {
  from = module.api.module.kms_key[0]
  to   = module.retired_kms_keys["api"]
}

moved {
  from = module.worker.module.kms_key[0]
  to   = module.retired_kms_keys["worker"]
}

moved {
  from = module.cluster.module.kms_key[0]
  to   = module.retired_kms_keys["cluster"]
}

moved {
  from = module.alarms.module.kms_key[0]
  to   = module.retired_kms_keys["alarms"]
}

removed {
  from = module.retired_kms_keys

  lifecycle {
    destroy = false
  }
}
