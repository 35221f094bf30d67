locals {
  # The instance classes the module can size a connection budget for, with their memory and vCPUs
  # and the constants of RDS's max_connections default. One data file, also read by the plan
  # checks (scripts/checks/tables.py), so the list and the formula's constants exist once.
  # RDS sets max_connections = LEAST(DBInstanceClassMemory/9531392, 5000):
  # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections
  instance_class_table = jsondecode(file("${path.module}/instance_classes.json"))
  instance_classes     = local.instance_class_table.classes
  connection_sizing    = local.instance_class_table.max_connections

  # DBInstanceClassMemory is the class memory minus what the OS and the RDS processes keep, so the
  # real default is below the formula applied to the nominal memory. The module budgets with a
  # conservative allowance for that reserve (reserve_fraction of the class memory, at least
  # reserve_min_bytes). Under-estimating only costs headroom; over-estimating is how connections
  # run out.
  memory_bytes         = local.instance_classes[var.instance_class].memory_gib * 1073741824
  memory_reserve_bytes = max(local.connection_sizing.reserve_min_bytes, local.memory_bytes * local.connection_sizing.reserve_fraction)
  max_connections_nominal = min(
    floor(local.memory_bytes / local.connection_sizing.bytes_per_connection),
    local.connection_sizing.ceiling,
  )
  max_connections_estimate = min(
    floor((local.memory_bytes - local.memory_reserve_bytes) / local.connection_sizing.bytes_per_connection),
    local.connection_sizing.ceiling,
  )
  max_connections = coalesce(var.max_connections, local.max_connections_estimate)

  # The final snapshot's name comes from the configuration alone. A plan-time clock (plantimestamp)
  # made every plan differ, so the deploy's re-plan never matched the reviewed plan (ADR 0010), and a
  # random suffix would be unknown in the reviewed plan. Snapshot identifiers are unique per account
  # and region: a second deletion under the same name fails with DBSnapshotAlreadyExists and leaves
  # the instance in place (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html),
  # which is the safe failure; final_snapshot_suffix names the next one.
  final_snapshot_identifier = var.final_snapshot_suffix == null ? "${var.identifier}-final" : "${var.identifier}-final-${var.final_snapshot_suffix}"

  # Backup and maintenance windows in minutes, for the overlap precondition on the instance.
  days                       = { mon = 0, tue = 1, wed = 2, thu = 3, fri = 4, sat = 5, sun = 6 }
  backup_parts               = try(regex("^(\\d\\d):(\\d\\d)-(\\d\\d):(\\d\\d)$", var.backup_window), ["0", "0", "0", "0"])
  backup_start               = tonumber(local.backup_parts[0]) * 60 + tonumber(local.backup_parts[1])
  backup_end                 = tonumber(local.backup_parts[2]) * 60 + tonumber(local.backup_parts[3])
  backup_window_minutes      = (local.backup_end - local.backup_start + 1440) % 1440
  maintenance_parts          = try(regex("^([a-z]{3}):(\\d\\d):(\\d\\d)-([a-z]{3}):(\\d\\d):(\\d\\d)$", var.maintenance_window), ["mon", "0", "0", "mon", "0", "0"])
  maintenance_start          = try(local.days[local.maintenance_parts[0]], 0) * 1440 + tonumber(local.maintenance_parts[1]) * 60 + tonumber(local.maintenance_parts[2])
  maintenance_end            = try(local.days[local.maintenance_parts[3]], 0) * 1440 + tonumber(local.maintenance_parts[4]) * 60 + tonumber(local.maintenance_parts[5])
  maintenance_window_minutes = (local.maintenance_end - local.maintenance_start + 10080) % 10080
  # Two intervals on the week's circle overlap when either starts inside the other; the daily backup
  # window is checked on each of the seven days.
  windows_overlap = anytrue([
    for d in range(7) : (
      ((d * 1440 + local.backup_start - local.maintenance_start + 10080) % 10080) < local.maintenance_window_minutes ||
      ((local.maintenance_start - d * 1440 - local.backup_start + 10080) % 10080) < local.backup_window_minutes
    )
  ])

  # A restored instance takes its engine, master user name and database name from the snapshot or
  # the source instance, so the module leaves them unset then (a value differing from the snapshot's
  # would plan a replacement of the restored instance).
  restoring = var.snapshot_identifier != null || var.restore_to_point_in_time != null

  engine_major   = split(".", var.engine_version)[0]
  log_exports    = ["postgresql", "upgrade"]
  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? module.kms_key[0].key_arn : var.kms_key_arn

  create_monitoring_role = var.monitoring_interval > 0 && var.monitoring_role_arn == null
  monitoring_role_arn    = var.monitoring_interval == 0 ? null : (local.create_monitoring_role ? aws_iam_role.monitoring[0].arn : var.monitoring_role_arn)

  # Parameters the module owns. Static ones wait for a reboot; the others apply at once.
  managed_parameters = concat(
    [
      { name = "rds.force_ssl", value = "1", apply_method = "pending-reboot" },
      { name = "log_connections", value = "1", apply_method = "immediate" },
      { name = "log_disconnections", value = "1", apply_method = "immediate" },
      { name = "log_lock_waits", value = "1", apply_method = "immediate" },
      { name = "log_min_duration_statement", value = tostring(var.log_min_duration_statement_ms), apply_method = "immediate" },
      { name = "idle_in_transaction_session_timeout", value = tostring(var.idle_in_transaction_session_timeout_ms), apply_method = "immediate" },
    ],
    var.max_connections == null ? [] : [
      { name = "max_connections", value = tostring(var.max_connections), apply_method = "pending-reboot" },
    ],
  )
}

# --- Encryption key -------------------------------------------------------------------------

# The account administers the key through IAM. RDS, Secrets Manager and Performance Insights use
# it on behalf of callers whose IAM policies allow it (kms:ViaService). A key created before
# modules/kms-key keeps its identity (moved_kms_key.tf): the instance cannot change its storage key
# without being replaced.
module "kms_key" {
  source = "../kms-key"
  count  = local.create_kms_key ? 1 : 0

  alias_name              = "alias/rds/${var.identifier}"
  description             = "RDS PostgreSQL ${var.identifier}: storage, master secret, Performance Insights, logs"
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                    = var.tags

  # CloudWatch Logs encrypts the exported database logs itself, so the key grants it use for this
  # instance's log groups and the companions' groups named in kms_key_log_group_names (the RDS proxy's
  # /aws/rds/proxy/<name>).
  cloudwatch_logs_log_groups = concat(["/aws/rds/instance/${var.identifier}/*"], var.kms_key_log_group_names)
}

# --- Network --------------------------------------------------------------------------------

resource "aws_db_subnet_group" "this" {
  name        = var.identifier
  description = "Private subnets of ${var.identifier}"
  subnet_ids  = var.subnet_ids
  tags        = var.tags
}

resource "aws_security_group" "this" {
  name_prefix = "${var.identifier}-db-"
  description = "PostgreSQL ${var.identifier}: ingress only from the listed security groups, no egress"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.identifier}-db" })

  # No inline rules: Terraform removes the default allow-all egress rule, and the ingress rules
  # below are separate resources. The database never initiates connections.

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = var.allowed_security_group_ids

  security_group_id            = aws_security_group.this.id
  description                  = "PostgreSQL from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = each.value
  tags                         = var.tags
}

# --- Parameters -----------------------------------------------------------------------------

resource "aws_db_parameter_group" "this" {
  name        = "${var.identifier}-postgres${local.engine_major}"
  family      = "postgres${local.engine_major}"
  description = "PostgreSQL ${local.engine_major} parameters of ${var.identifier}"
  tags        = var.tags

  dynamic "parameter" {
    for_each = concat(local.managed_parameters, var.parameters)

    content {
      name         = parameter.value.name
      value        = parameter.value.value
      apply_method = parameter.value.apply_method
    }
  }

  # A major upgrade needs the new family's group in place before the instance switches to it.
  lifecycle {
    create_before_destroy = true
  }
}

# --- Logs and monitoring --------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the log_retention_in_days input (30 days by default for database logs); long-term evidence belongs to the audit trail, not the engine log.
  for_each = toset(local.log_exports)

  # The name RDS exports to. Creating it first sets retention and encryption instead of letting RDS
  # create a never-expiring, unencrypted group.
  name              = "/aws/rds/instance/${var.identifier}/${each.key}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.kms_key_arn
  tags              = var.tags

  depends_on = [module.kms_key]
}

# The enhanced monitoring role's trust policy names the account, its managed policy the partition.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_iam_policy_document" "monitoring_assume" {
  count = local.create_monitoring_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count = local.create_monitoring_role ? 1 : 0

  name                 = "${var.identifier}-rds-monitoring"
  description          = "Enhanced monitoring of RDS instance ${var.identifier}"
  assume_role_policy   = data.aws_iam_policy_document.monitoring_assume[0].json
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count = local.create_monitoring_role ? 1 : 0

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

# --- Instance -------------------------------------------------------------------------------

resource "aws_db_instance" "this" {
  identifier     = var.identifier
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class
  db_name        = local.restoring ? null : var.database_name
  port           = var.port

  # Restore sources, read only when the instance is created (see ignore_changes below).
  # snapshot_identifier: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html
  # restore_to_point_in_time: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html
  # (provider arguments: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance#restore-to-point-in-time).
  snapshot_identifier = var.snapshot_identifier

  dynamic "restore_to_point_in_time" {
    for_each = var.restore_to_point_in_time == null ? [] : [var.restore_to_point_in_time]

    content {
      source_db_instance_identifier = restore_to_point_in_time.value.source_db_instance_identifier
      restore_time                  = restore_to_point_in_time.value.restore_time
      use_latest_restorable_time    = restore_to_point_in_time.value.use_latest_restorable_time ? true : null
    }
  }

  # The password lives only in the RDS-managed secret (rotated by RDS), encrypted with the module key.
  # On a restore the restore calls cannot turn this on for PostgreSQL (their ManageMasterUserPassword
  # applies to RDS for Oracle only), so the provider follows the restore with ModifyDBInstance
  # ManageMasterUserPassword + MasterUserSecretKmsKeyId: the restored instance gets a new secret of its
  # own, and master_user_secret_arn (what the proxy authenticates with) follows it.
  username                            = local.restoring ? null : var.master_username
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = local.kms_key_arn
  iam_database_authentication_enabled = true

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = local.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.this.id]
  publicly_accessible    = false
  multi_az               = var.multi_az
  parameter_group_name   = aws_db_parameter_group.this.name

  backup_retention_period   = var.backup_retention_period
  backup_window             = var.backup_window
  maintenance_window        = var.maintenance_window
  copy_tags_to_snapshot     = true
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = local.final_snapshot_identifier
  deletion_protection       = var.deletion_protection

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = var.allow_major_version_upgrade
  apply_immediately           = var.apply_immediately

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = local.kms_key_arn
  performance_insights_retention_period = var.performance_insights_retention_period
  monitoring_interval                   = var.monitoring_interval
  monitoring_role_arn                   = local.monitoring_role_arn
  enabled_cloudwatch_logs_exports       = local.log_exports

  tags = var.tags

  lifecycle {
    # Both restore arguments force a new instance in the provider. They describe how the instance
    # was created, not a state to converge to: adding, changing or removing them on an existing
    # instance must never plan the replacement (and loss) of a live database.
    ignore_changes = [snapshot_identifier, restore_to_point_in_time]

    # PreferredBackupWindow "must not conflict with the preferred maintenance window"
    # (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
    precondition {
      condition     = !local.windows_overlap
      error_message = "backup_window (${var.backup_window}) must not overlap maintenance_window (${var.maintenance_window}): RDS refuses windows that conflict."
    }
  }

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy_attachment.monitoring]
}
