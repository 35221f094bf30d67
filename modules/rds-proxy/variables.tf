variable "name" {
  description = "Name of the proxy, also the base name of its security group and IAM role. 3-50 characters of lowercase letters, digits and hyphens, starting with a letter."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,48}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 3-50 characters of lowercase letters, digits and hyphens, start with a letter, end with a letter or digit and contain no \"--\"."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the proxy, in at least two Availability Zones."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets in different Availability Zones: an RDS proxy needs subnets in two or more."
  }

  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex(local.aws_id_pattern.subnet_id, s))]) && length(distinct(var.subnet_ids)) == length(var.subnet_ids)
    error_message = "subnet_ids entries must be distinct subnet ids (subnet-xxxxxxxx)."
  }
}

variable "db_instance_identifier" {
  description = "Identifier of the RDS for PostgreSQL instance the proxy fronts (output instance_identifier of rds-postgres)."
  type        = string

  # RDS stores the identifier in lowercase (modules/_shared/aws_id_patterns.json, db_instance_identifier;
  # "--" is checked apart, RE2 has no lookahead).
  validation {
    condition     = can(regex(local.aws_id_pattern.db_instance_identifier, var.db_instance_identifier)) && !strcontains(var.db_instance_identifier, "--")
    error_message = "db_instance_identifier must be an RDS DB instance identifier: 1-63 lowercase letters, digits and hyphens, starting with a letter, no \"--\", no trailing hyphen."
  }
}

variable "db_security_group_id" {
  description = "Security group of the database: the proxy's only egress goes there, on db_port."
  type        = string

  validation {
    condition     = can(regex(local.aws_id_pattern.security_group_id, var.db_security_group_id))
    error_message = "db_security_group_id must be a security group id (sg-xxxxxxxx)."
  }
}

variable "db_port" {
  description = "Port of the database; the proxy listens on the same port."
  type        = number
  default     = 5432

  validation {
    condition     = var.db_port >= 1150 && var.db_port <= 65535 && floor(var.db_port) == var.db_port
    error_message = "db_port must be a whole number from 1150 to 65535."
  }
}

variable "db_max_connections" {
  description = "Effective max_connections of the database (output max_connections of rds-postgres), to compute the proxy's connection cap."
  type        = number

  validation {
    condition     = var.db_max_connections >= 10 && var.db_max_connections <= 262143 && floor(var.db_max_connections) == var.db_max_connections
    error_message = "db_max_connections must be a whole number from 10 to 262143 (pass the max_connections output of rds-postgres)."
  }
}

variable "master_user_secret_arn" {
  description = "ARN of the RDS-managed master secret (output master_user_secret_arn of rds-postgres)."
  type        = string

  validation {
    condition     = can(regex(local.aws_id_pattern.secret_arn, var.master_user_secret_arn))
    error_message = "master_user_secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)."
  }
}

variable "additional_secret_arns" {
  description = "Secrets of further database users (username/password JSON) the proxy may log in as, keyed by a static name."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k, v in var.additional_secret_arns : can(regex(local.aws_id_pattern.secret_arn, v))])
    error_message = "additional_secret_arns values must be Secrets Manager secret ARNs."
  }
}

variable "secrets_kms_key_arns" {
  description = "KMS keys that encrypt the secrets (output kms_key_arn of rds-postgres, plus the keys of any additional secrets). The proxy role may decrypt with them only through Secrets Manager."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.secrets_kms_key_arns) >= 1 && alltrue([for k in var.secrets_kms_key_arns : can(regex(local.aws_id_pattern.kms_key_arn, k))])
    error_message = "secrets_kms_key_arns must list at least one KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not aliases."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups of the services that may connect to the proxy (for example the ECS tasks), keyed by a static name. The proxy's only ingress; CIDR blocks are not accepted."
  type        = map(string)
  nullable    = false

  validation {
    condition     = length(var.allowed_security_group_ids) >= 1
    error_message = "allowed_security_group_ids must name at least one client security group: a proxy nobody may reach is a mistake."
  }

  validation {
    condition     = alltrue([for k, v in var.allowed_security_group_ids : can(regex("^[a-z][a-z0-9_-]{0,31}$", k)) && can(regex(local.aws_id_pattern.security_group_id, v))])
    error_message = "allowed_security_group_ids must map short static names (lowercase, starting with a letter) to security group ids (sg-xxxxxxxx), not CIDR blocks."
  }
}

variable "max_connections_percent" {
  description = "Share of the database's max_connections the proxy may open (1-100). 75 leaves room for the connections RDS Proxy keeps for monitoring and failover, direct administrative sessions and migrations."
  type        = number
  default     = 75

  validation {
    condition     = var.max_connections_percent >= 1 && var.max_connections_percent <= 100 && floor(var.max_connections_percent) == var.max_connections_percent
    error_message = "max_connections_percent must be a whole number from 1 to 100."
  }
}

variable "max_idle_connections_percent" {
  description = "Share of the database's max_connections the proxy keeps open while idle (1-100, at most max_connections_percent)."
  type        = number
  default     = 35

  validation {
    condition     = var.max_idle_connections_percent >= 1 && var.max_idle_connections_percent <= 100 && floor(var.max_idle_connections_percent) == var.max_idle_connections_percent
    error_message = "max_idle_connections_percent must be a whole number from 1 to 100."
  }

  validation {
    condition     = var.max_idle_connections_percent <= var.max_connections_percent
    error_message = "max_idle_connections_percent must not exceed max_connections_percent: the proxy cannot keep more connections idle than it may open."
  }
}

variable "connection_borrow_timeout" {
  description = "Seconds a client request waits for a free database connection when the pool is at its cap, 1-3600 (the RDS API range; its 0, wait forever, is refused). 30 fails fast, well inside a 60 s load-balancer idle timeout."
  type        = number
  default     = 30

  validation {
    condition     = var.connection_borrow_timeout >= 1 && var.connection_borrow_timeout <= 3600 && floor(var.connection_borrow_timeout) == var.connection_borrow_timeout
    error_message = "connection_borrow_timeout must be a whole number of seconds from 1 to 3600 (0, an unlimited wait, is not allowed: callers would hang when the pool is exhausted)."
  }
}

variable "idle_client_timeout" {
  description = "Seconds a client connection may sit idle before the proxy closes it (1-28800). The database connection behind it returns to the pool."
  type        = number
  default     = 1800

  validation {
    condition     = var.idle_client_timeout >= 1 && var.idle_client_timeout <= 28800 && floor(var.idle_client_timeout) == var.idle_client_timeout
    error_message = "idle_client_timeout must be a whole number of seconds from 1 to 28800 (8 hours)."
  }
}

variable "session_pinning_filters" {
  description = "SQL operation classes the proxy should not pin a session for. Only EXCLUDE_VARIABLE_SETS exists; it lets SET statements leak between clients sharing a connection, so it is off by default."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for f in var.session_pinning_filters : f == "EXCLUDE_VARIABLE_SETS"])
    error_message = "session_pinning_filters may only contain \"EXCLUDE_VARIABLE_SETS\"."
  }
}

variable "debug_logging" {
  description = "Log detailed proxy diagnostics. They include the text of SQL statements: keep false except for a short, deliberate investigation."
  type        = bool
  default     = false
}

variable "log_kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the proxy's log group /aws/rds/proxy/<name>. Its key policy must let CloudWatch Logs (logs.<region>.amazonaws.com) use it with the encryption context kms:EncryptionContext:aws:logs:arn = arn:aws:logs:<region>:<account>:log-group:/aws/rds/proxy/<name> (rds-postgres grants that when its kms_key_log_group_names lists the group)."
  type        = string
  nullable    = false

  # CreateLogGroup kmsKeyId takes the key ARN (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
  validation {
    condition     = can(regex(local.aws_id_pattern.kms_key_arn, var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or key id: CloudWatch Logs needs the key ARN."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the proxy's CloudWatch log group /aws/rds/proxy/<name>."
  type        = number
  default     = 30

  validation {
    condition     = contains(local.log_retention_days, var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the retention periods CloudWatch Logs accepts: ${join(", ", local.log_retention_days)}."
  }
}
