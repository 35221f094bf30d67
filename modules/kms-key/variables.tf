variable "alias_name" {
  description = "Alias of the key, \"alias/<name>\" (for example \"alias/imgclass-dev/data\"). Name aliases alias/<resource prefix>/<purpose> or alias/<purpose>/<resource prefix>...: the deploy role may manage only those."
  type        = string

  # CreateAlias: AliasName "alias/" plus letters, digits, / _ -, 1-256 characters, and the
  # alias/aws/ prefix is reserved for AWS managed keys:
  # https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
  validation {
    condition     = can(regex("^alias/[A-Za-z0-9/_-]+$", var.alias_name)) && length(var.alias_name) <= 256 && !startswith(var.alias_name, "alias/aws/")
    error_message = "alias_name must be \"alias/\" followed by letters, digits, / _ - only (at most 256 characters in all), and must not start with \"alias/aws/\" (reserved for AWS managed keys)."
  }
}

variable "description" {
  description = "Description of the key: what it encrypts, so whoever finds it in the console knows what depends on it."
  type        = string

  # CreateKey: Description, 0-8192 characters.
  # https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
  validation {
    condition     = length(trimspace(var.description)) > 0 && length(var.description) <= 8192
    error_message = "description must not be empty and may hold at most 8192 characters."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period, in days, between scheduling the key's deletion and its deletion (the key can be restored until then). 7-30."
  type        = number
  default     = 30

  # ScheduleKeyDeletion: PendingWindowInDays 7-30.
  # https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html
  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30 && floor(var.deletion_window_in_days) == var.deletion_window_in_days
    error_message = "deletion_window_in_days must be a whole number from 7 to 30."
  }
}

variable "service_statements" {
  description = "Key policy statements for AWS services that use the key in their own name, by statement ID (letters and digits): service principal (for example \"cloudwatch.amazonaws.com\"), kms: actions, and at least one condition that limits the grant to the resources the service acts for (for CloudWatch alarms aws:SourceArn). Services that act with their caller's IAM permissions (S3, RDS, SQS, SSM, Secrets Manager, ECR) need none: the account administration statement delegates to IAM. CloudWatch Logs has its own input, cloudwatch_logs_log_groups."
  type = map(object({
    service = string
    actions = list(string)
    conditions = list(object({
      test     = string
      variable = string
      values   = list(string)
    }))
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for sid in keys(var.service_statements) : can(regex("^[A-Za-z0-9]+$", sid)) && !contains(["AccountAdministration", "CloudWatchLogs"], sid)])
    error_message = "service_statements keys are statement IDs: letters and digits only, and not \"AccountAdministration\" or \"CloudWatchLogs\" (the module's own statements; grant CloudWatch Logs through cloudwatch_logs_log_groups)."
  }

  validation {
    condition     = alltrue([for s in values(var.service_statements) : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com(\\.cn)?$", s.service))])
    error_message = "service_statements[*].service must be an AWS service principal such as \"logs.eu-west-1.amazonaws.com\" or \"cloudwatch.amazonaws.com\"."
  }

  validation {
    condition     = alltrue([for s in values(var.service_statements) : length(s.actions) > 0 && alltrue([for a in s.actions : can(regex("^kms:[A-Za-z*]+$", a)) && a != "kms:*"])])
    error_message = "service_statements[*].actions must list kms: actions (wildcards such as \"kms:Decrypt*\" allowed), never \"kms:*\": only the account administers the key."
  }

  # A service grant without a condition lets the service use the key for any customer's resources
  # (the confused deputy problem): https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
  validation {
    condition     = alltrue([for s in values(var.service_statements) : length(s.conditions) > 0 && alltrue([for c in s.conditions : length(c.values) > 0])])
    error_message = "service_statements[*].conditions must hold at least one condition, each with at least one value: a service grant without a condition lets the service use the key for resources outside this account."
  }
}

variable "cloudwatch_logs_log_groups" {
  description = "Names of the CloudWatch Logs log groups the key encrypts (for example \"/ecs/imgclass-dev-api\"); a trailing \"*\" stands for every group with that prefix. The key policy lets CloudWatch Logs of this region use the key for these groups and no other (statement CloudWatchLogs). Empty: no CloudWatch Logs statement."
  type        = list(string)
  default     = []
  nullable    = false

  # Log group names: 1-512 of a-z A-Z 0-9 _ - / . #
  # (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html).
  # A bare "*" would grant every log group of the account.
  validation {
    condition     = alltrue([for name in var.cloudwatch_logs_log_groups : can(regex("^[.\\-_/#A-Za-z0-9]+\\*?$", name)) && length(name) <= 512])
    error_message = "cloudwatch_logs_log_groups entries must be log group names (1-512 of letters, digits, _ - / . #), optionally ending in one \"*\"; a bare \"*\" is refused."
  }
}
