variable "identifier" {
  description = "DB instance identifier, also the base name of the security group, parameter group, subnet group, log groups, monitoring role and final snapshot. 3-49 characters of lowercase letters, digits and hyphens, starting with a letter."
  type        = string

  # RDS allows 63 characters (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html,
  # DBInstanceIdentifier), but the monitoring role <identifier>-rds-monitoring must fit IAM's 64-character
  # role names (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html, RoleName), so 49.
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,47}[a-z0-9]$", var.identifier)) && !strcontains(var.identifier, "--")
    error_message = "identifier must be 3-49 characters of lowercase letters, digits and hyphens, start with a letter, end with a letter or digit and contain no \"--\" (the monitoring role <identifier>-rds-monitoring must fit IAM's 64-character role name limit)."
  }
}

variable "engine_version" {
  description = "PostgreSQL version of the 16 or 17 line: the major alone (\"17\", recommended: RDS picks the current minor and auto minor upgrades stay in step with the configuration) or major.minor (\"17.4\")."
  type        = string
  default     = "17"

  validation {
    condition     = can(regex("^(16|17)(\\.[0-9]{1,2})?$", var.engine_version))
    error_message = "engine_version must be a PostgreSQL 16 or 17 version written as MAJOR or MAJOR.MINOR, e.g. \"17\" or \"16.8\" (no patch level, no prefix, no other major line)."
  }
}

variable "instance_class" {
  description = "DB instance class. Must be one the module knows the memory of (instance_classes.json), because the connection budget (output max_connections) is computed from it."
  type        = string

  validation {
    condition     = contains(keys(local.instance_classes), var.instance_class)
    error_message = "instance_class \"${var.instance_class}\" is not in the module's sizing table, so the connection budget cannot be computed. Known classes: ${join(", ", sort(keys(local.instance_classes)))}. To use another class, add its memory and vCPUs to modules/rds-postgres/instance_classes.json."
  }
}

variable "allocated_storage" {
  description = "Initial gp3 storage in GiB (20-65536)."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536 && floor(var.allocated_storage) == var.allocated_storage
    error_message = "allocated_storage must be a whole number of GiB from 20 to 65536."
  }
}

variable "max_allocated_storage" {
  description = "Upper limit in GiB for storage autoscaling. Must be greater than allocated_storage (autoscaling is always on)."
  type        = number
  default     = 100

  validation {
    condition     = var.max_allocated_storage > var.allocated_storage && var.max_allocated_storage <= 65536 && floor(var.max_allocated_storage) == var.max_allocated_storage
    error_message = "max_allocated_storage must be a whole number of GiB greater than allocated_storage and at most 65536 (storage autoscaling stays on)."
  }

  # RDS refuses a maximum storage threshold less than 10 % above the allocated storage ("Invalid max
  # storage size"): https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html
  validation {
    condition     = var.max_allocated_storage >= ceil(var.allocated_storage * 1.1)
    error_message = "max_allocated_storage (${var.max_allocated_storage} GiB) must be at least 10 % above allocated_storage (${var.allocated_storage} GiB), that is at least ${ceil(var.allocated_storage * 1.1)} GiB: RDS refuses a smaller storage autoscaling threshold."
  }
}

variable "database_name" {
  description = "Name of the database created with the instance."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must be 1-63 letters, digits or underscores, starting with a letter."
  }
}

variable "master_username" {
  description = "Master user name. Its password is generated and rotated by RDS in Secrets Manager; the module never accepts or outputs a password."
  type        = string
  default     = "dbadmin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && !contains(["rdsadmin", "rdsrepladmin", "rds_superuser", "postgres"], var.master_username)
    error_message = "master_username must be 1-63 lowercase letters, digits or underscores, start with a letter, and not be a reserved name (rdsadmin, rdsrepladmin, rds_superuser, postgres)."
  }
}

variable "port" {
  description = "TCP port the database listens on."
  type        = number
  default     = 5432

  validation {
    condition     = var.port >= 1150 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number from 1150 to 65535 (the range RDS allows)."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the DB subnet group, in at least two Availability Zones."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets in different Availability Zones: RDS rejects a DB subnet group that covers fewer than two."
  }

  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex(local.aws_id_pattern.subnet_id, s))]) && length(distinct(var.subnet_ids)) == length(var.subnet_ids)
    error_message = "subnet_ids entries must be distinct subnet ids (subnet-xxxxxxxx)."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on the database port, keyed by a static name (for example { proxy = module.proxy.security_group_id, bastion = \"sg-...\" }). The only ingress the database has; CIDR blocks are not accepted."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k, v in var.allowed_security_group_ids : can(regex("^[a-z][a-z0-9_-]{0,31}$", k))])
    error_message = "allowed_security_group_ids keys must be short static names (1-32 lowercase letters, digits, \"_\" or \"-\", starting with a letter)."
  }

  validation {
    condition     = alltrue([for k, v in var.allowed_security_group_ids : can(regex(local.aws_id_pattern.security_group_id, v))])
    error_message = "allowed_security_group_ids values must be security group ids (sg-xxxxxxxx), not CIDR blocks or names: the database only accepts traffic from known security groups."
  }
}

variable "publicly_accessible" {
  description = "Guard only: the database is never publicly accessible, and true is rejected. Reach it through the proxy or a bastion security group."
  type        = bool
  default     = false

  validation {
    condition     = var.publicly_accessible == false
    error_message = "publicly_accessible cannot be true: this database is private by design. Connect through the RDS proxy, or pass a bastion's security group in allowed_security_group_ids."
  }
}

variable "kms_key_log_group_names" {
  description = "Further CloudWatch log groups that may use the module-created key, by exact name: the groups of services paired with this database, such as its RDS proxy's /aws/rds/proxy/<proxy name> (modules/rds-proxy log_kms_key_arn). Ignored when kms_key_arn is passed in (that key's policy is the caller's)."
  type        = list(string)
  default     = []
  nullable    = false

  # Log group names: 1-512 of a-z, A-Z, 0-9, _ - / . # (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
  # A wildcard would widen the grant beyond the named groups, so * and ? are not accepted.
  validation {
    condition     = alltrue([for n in var.kms_key_log_group_names : can(regex("^/[A-Za-z0-9_./#-]{1,511}$", n))])
    error_message = "kms_key_log_group_names must be exact log group names starting with \"/\" (for example \"/aws/rds/proxy/imgclass-prod\"): letters, digits, _ - / . # only, no wildcards, at most 512 characters."
  }
}

variable "snapshot_identifier" {
  description = "Create the instance by restoring this DB snapshot (RestoreDBInstanceFromDBSnapshot): its name, an automated snapshot's rds:<name> or, for a snapshot shared from another account, its ARN. Read only when the instance is created: setting or removing it later changes nothing. The engine, master user name and database name come from the snapshot; the instance gets a new RDS-managed master secret. The snapshot must be encrypted with the key the module uses (kms_key_arn, or the module-created key): RDS restores with the snapshot's key, so copy a snapshot under another key first (aws rds copy-db-snapshot --kms-key-id). Null (default) creates an empty database. Mutually exclusive with restore_to_point_in_time."
  type        = string
  default     = null

  # DBSnapshotIdentifier: an existing snapshot's identifier (1-255 letters, digits, hyphens, starting
  # with a letter, no "--", no trailing hyphen; automated snapshots are named rds:<instance>-<date>),
  # or the ARN of a shared snapshot
  # (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html,
  # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html).
  validation {
    condition     = var.snapshot_identifier == null || (can(regex("^(arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:snapshot:)?(rds:)?[a-zA-Z][a-zA-Z0-9-]{0,254}$", coalesce(var.snapshot_identifier, "x"))) && !strcontains(coalesce(var.snapshot_identifier, "x"), "--") && !endswith(coalesce(var.snapshot_identifier, "x"), "-"))
    error_message = "snapshot_identifier must be a DB snapshot identifier (1-255 letters, digits and hyphens, starting with a letter, no \"--\", no trailing hyphen), an automated snapshot's rds:<name>, or a shared snapshot's ARN (arn:aws:rds:<region>:<account>:snapshot:<name>)."
  }
}

variable "restore_to_point_in_time" {
  description = "Create the instance as a point-in-time restore of another instance in this account and region (RestoreDBInstanceToPointInTime): source_db_instance_identifier, and either restore_time (UTC, RFC 3339 such as \"2026-03-01T09:30:00Z\", within the source's backup retention and before its latest restorable time) or use_latest_restorable_time = true. Read only when the instance is created: setting or removing it later changes nothing. The restored instance keeps the source's storage key, so the source must use the same key as this module (same environment). Null (default) creates an empty database. Mutually exclusive with snapshot_identifier."
  type = object({
    source_db_instance_identifier = string
    restore_time                  = optional(string)
    use_latest_restorable_time    = optional(bool, false)
  })
  default = null

  # SourceDBInstanceIdentifier must name an existing instance; DBInstanceIdentifier rules
  # (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceToPointInTime.html):
  # modules/_shared/aws_id_patterns.json, db_instance_identifier, and "--" apart (RE2 has no lookahead).
  validation {
    condition     = var.restore_to_point_in_time == null || (can(regex(local.aws_id_pattern.db_instance_identifier, try(var.restore_to_point_in_time.source_db_instance_identifier, ""))) && !strcontains(try(var.restore_to_point_in_time.source_db_instance_identifier, ""), "--"))
    error_message = "restore_to_point_in_time.source_db_instance_identifier must be a DB instance identifier: 1-63 lowercase letters, digits and hyphens, starting with a letter, no \"--\", no trailing hyphen."
  }

  # RestoreTime and UseLatestRestorableTime: exactly one ("Can't be specified if ... is provided").
  validation {
    condition     = var.restore_to_point_in_time == null || (try(var.restore_to_point_in_time.restore_time, null) != null) != try(var.restore_to_point_in_time.use_latest_restorable_time, false)
    error_message = "restore_to_point_in_time needs exactly one of restore_time or use_latest_restorable_time = true: RDS refuses both, and neither names a point to restore to."
  }

  # RestoreTime: "Value must be a time in Universal Coordinated Time (UTC) format", example
  # 2009-09-07T23:45:00Z, and before the latest restorable time, so never in the future.
  validation {
    condition     = try(var.restore_to_point_in_time.restore_time, null) == null || (can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$", try(var.restore_to_point_in_time.restore_time, ""))) && try(timecmp(var.restore_to_point_in_time.restore_time, plantimestamp()) < 0, false))
    error_message = "restore_to_point_in_time.restore_time must be a past UTC time in RFC 3339 form with a Z suffix, such as \"2026-03-01T09:30:00Z\" (RDS restores only up to the source's latest restorable time)."
  }

  # RDS does not allow two instances with the same identifier, so the restore cannot take the
  # source's (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html).
  validation {
    condition     = try(var.restore_to_point_in_time.source_db_instance_identifier, null) != var.identifier
    error_message = "restore_to_point_in_time.source_db_instance_identifier must differ from identifier: RDS does not allow two instances with the same identifier, so a point-in-time restore always creates a new instance (see docs/runbooks/database-restore.md for restoring in place of a live instance)."
  }

  validation {
    condition     = var.restore_to_point_in_time == null || var.snapshot_identifier == null
    error_message = "snapshot_identifier and restore_to_point_in_time are mutually exclusive: an instance is restored from a snapshot or to a point in time, not both."
  }
}

variable "multi_az" {
  description = "Run a synchronous standby in a second Availability Zone (automatic failover)."
  type        = bool
  default     = true
}

variable "backup_retention_period" {
  description = "Days of automated backups and point-in-time recovery: 1-35, and at least minimum_backup_retention_days."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35 && floor(var.backup_retention_period) == var.backup_retention_period
    error_message = "backup_retention_period must be a whole number of days from 1 to 35 (0 would disable automated backups; RDS allows at most 35)."
  }

  validation {
    condition     = var.backup_retention_period >= var.minimum_backup_retention_days
    error_message = "backup_retention_period (${var.backup_retention_period}) is below minimum_backup_retention_days (${var.minimum_backup_retention_days}): keep at least that many days of point-in-time recovery, or lower the minimum where losing older restore points is acceptable."
  }
}

variable "minimum_backup_retention_days" {
  description = "The least backup_retention_period the caller accepts: the intent \"this database must keep N days of point-in-time recovery\". The default (7) suits any database whose data matters; a root lowers it only for environments whose data can be lost."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = var.minimum_backup_retention_days >= 1 && var.minimum_backup_retention_days <= 35 && floor(var.minimum_backup_retention_days) == var.minimum_backup_retention_days
    error_message = "minimum_backup_retention_days must be a whole number of days from 1 to 35 (RDS keeps automated backups for at most 35 days)."
  }
}

variable "backup_window" {
  description = "Daily backup window, UTC, hh24:mi-hh24:mi (at least 30 minutes, not overlapping the maintenance window)."
  type        = string
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "backup_window must be hh24:mi-hh24:mi in UTC, e.g. \"02:00-03:00\"."
  }

  # PreferredBackupWindow: at least 30 minutes (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
  # The overlap with the maintenance window, the other rule there, is a precondition on the instance.
  validation {
    condition     = !can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window)) || try((tonumber(substr(var.backup_window, 6, 2)) * 60 + tonumber(substr(var.backup_window, 9, 2)) - tonumber(substr(var.backup_window, 0, 2)) * 60 - tonumber(substr(var.backup_window, 3, 2)) + 1440) % 1440 >= 30, false)
    error_message = "backup_window must last at least 30 minutes (RDS refuses a shorter backup window)."
  }
}

variable "maintenance_window" {
  description = "Weekly maintenance window, UTC, ddd:hh24:mi-ddd:hh24:mi (minor version upgrades happen here)."
  type        = string
  default     = "sun:03:30-sun:04:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must be ddd:hh24:mi-ddd:hh24:mi in UTC with lowercase days, e.g. \"sun:03:30-sun:04:30\"."
  }

  # PreferredMaintenanceWindow: at least 30 minutes
  # (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
  validation {
    condition = !can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window)) || try((
      index(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], substr(var.maintenance_window, 10, 3)) * 1440 + tonumber(substr(var.maintenance_window, 14, 2)) * 60 + tonumber(substr(var.maintenance_window, 17, 2))
      -index(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], substr(var.maintenance_window, 0, 3)) * 1440 - tonumber(substr(var.maintenance_window, 4, 2)) * 60 - tonumber(substr(var.maintenance_window, 7, 2))
    + 10080) % 10080 >= 30, false)
    error_message = "maintenance_window must last at least 30 minutes (RDS refuses a shorter maintenance window)."
  }
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot. Keep false wherever data lives: the final snapshot is named <identifier>-final (or <identifier>-final-<final_snapshot_suffix>)."
  type        = bool
  default     = false
}

variable "final_snapshot_suffix" {
  description = "Optional suffix of the final snapshot's name, <identifier>-final-<suffix>. Null names it <identifier>-final. The name is fixed by the configuration, never by the clock, so a re-plan equals the reviewed plan; snapshot names are unique per account and region, so set a new suffix (for example the date of the re-creation) when an instance with the same identifier is created again while the earlier one's final snapshot still exists."
  type        = string
  default     = null

  # DBSnapshotIdentifier rules (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html,
  # FinalDBSnapshotIdentifier): letters, digits and hyphens, no "--", no trailing hyphen, at most 255.
  validation {
    condition     = var.final_snapshot_suffix == null || can(regex("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$", coalesce(var.final_snapshot_suffix, "x"))) && !strcontains(coalesce(var.final_snapshot_suffix, "x"), "--")
    error_message = "final_snapshot_suffix must be null or 1-32 lowercase letters, digits and hyphens, starting and ending with a letter or digit, without \"--\" (RDS snapshot identifier rules)."
  }
}

variable "apply_immediately" {
  description = "Apply modifications at once instead of in the next maintenance window (some cause a reboot or failover)."
  type        = bool
  default     = false
}

variable "allow_major_version_upgrade" {
  description = "Allow a change of engine_version to a new major line (16 -> 17). The parameter group follows the major version."
  type        = bool
  default     = false
}

variable "performance_insights_retention_period" {
  description = "Days Performance Insights keeps data: 7 (free tier) or a multiple of 31 up to 731."
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_period == 7 || (var.performance_insights_retention_period % 31 == 0 && var.performance_insights_retention_period >= 31 && var.performance_insights_retention_period <= 731)
    error_message = "performance_insights_retention_period must be 7 or a multiple of 31 from 31 to 731 days."
  }
}

variable "monitoring_interval" {
  description = "Enhanced monitoring interval in seconds (0 turns it off; 1, 5, 10, 15, 30 or 60). When on and monitoring_role_arn is null, the module creates the monitoring role."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 0 (off), 1, 5, 10, 15, 30, 60 seconds."
  }
}

variable "monitoring_role_arn" {
  description = "Existing IAM role for enhanced monitoring (trusting monitoring.rds.amazonaws.com). Null lets the module create one when monitoring_interval > 0."
  type        = string
  default     = null

  validation {
    condition     = var.monitoring_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.monitoring_role_arn))
    error_message = "monitoring_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "log_min_duration_statement_ms" {
  description = "Log every statement that runs at least this many milliseconds (slow-query log). -1 turns it off."
  type        = number
  default     = 1000

  validation {
    condition     = var.log_min_duration_statement_ms >= -1 && var.log_min_duration_statement_ms <= 2147483647 && floor(var.log_min_duration_statement_ms) == var.log_min_duration_statement_ms
    error_message = "log_min_duration_statement_ms must be a whole number of milliseconds, -1 (off) or more."
  }
}

variable "idle_in_transaction_session_timeout_ms" {
  description = "Terminate sessions idle inside an open transaction for longer than this many milliseconds (they hold locks and a connection slot). 0 turns it off."
  type        = number
  default     = 300000

  validation {
    condition     = var.idle_in_transaction_session_timeout_ms >= 0 && var.idle_in_transaction_session_timeout_ms <= 2147483647 && floor(var.idle_in_transaction_session_timeout_ms) == var.idle_in_transaction_session_timeout_ms
    error_message = "idle_in_transaction_session_timeout_ms must be a whole number of milliseconds, 0 (off) or more."
  }
}

variable "max_connections" {
  description = "Override of the max_connections parameter. Null (recommended) leaves RDS's formula LEAST(DBInstanceClassMemory/9531392, 5000) in force; the output max_connections then carries the module's estimate of it."
  type        = number
  default     = null

  validation {
    condition     = var.max_connections == null || try(var.max_connections >= 10 && var.max_connections <= 262143 && floor(var.max_connections) == var.max_connections, false)
    error_message = "max_connections must be null (use the instance-class formula) or a whole number from 10 to 262143."
  }
}

variable "parameters" {
  description = "Further parameters for the DB parameter group. Parameters the module manages (rds.force_ssl, log_connections, log_disconnections, log_lock_waits, log_min_duration_statement, idle_in_transaction_session_timeout, max_connections) cannot be set here."
  type = list(object({
    name         = string
    value        = string
    apply_method = optional(string, "pending-reboot")
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for p in var.parameters : !contains(["rds.force_ssl", "log_connections", "log_disconnections", "log_lock_waits", "log_min_duration_statement", "idle_in_transaction_session_timeout", "max_connections"], p.name)])
    error_message = "parameters must not set rds.force_ssl, log_connections, log_disconnections, log_lock_waits, log_min_duration_statement, idle_in_transaction_session_timeout or max_connections: the module manages them (use the dedicated inputs)."
  }

  validation {
    condition     = alltrue([for p in var.parameters : contains(["immediate", "pending-reboot"], p.apply_method)])
    error_message = "parameters[*].apply_method must be \"immediate\" or \"pending-reboot\"."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the CloudWatch log groups the instance exports to (postgresql, upgrade)."
  type        = number
  default     = 30

  validation {
    condition     = contains(local.log_retention_days, var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the retention periods CloudWatch Logs accepts: ${join(", ", local.log_retention_days)}."
  }
}
