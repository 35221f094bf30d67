variable "name" {
  description = "Cluster name (1-246 letters, digits, hyphens and underscores). Also names the ECS Exec audit log group /aws/ecs/<name>/execute-command and the KMS alias alias/ecs/<name>."
  type        = string

  # ECS takes 255 characters (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html),
  # but the key alias alias/ecs/<name> must fit KMS's 256
  # (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html, AliasName), so 246.
  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,245}$", var.name))
    error_message = "name must be 1-246 letters, digits, hyphens and underscores, starting with a letter or digit (the KMS alias alias/ecs/<name> must fit KMS's 256-character limit)."
  }
}

variable "container_insights" {
  description = "CloudWatch Container Insights level: \"enhanced\" (task- and container-level metrics, the default) or \"enabled\" (service-level metrics only). Queue-driven scaling in modules/ecs-service reads RunningTaskCount from Container Insights, so it cannot be turned off here."
  type        = string
  default     = "enhanced"

  validation {
    condition     = contains(["enhanced", "enabled"], var.container_insights)
    error_message = "container_insights must be \"enhanced\" or \"enabled\" (services scale on Container Insights metrics, so \"disabled\" is not offered)."
  }
}

variable "default_capacity_provider_strategy" {
  description = "Strategy for tasks started without one of their own. Services of modules/ecs-service always set their own (FARGATE with an optional FARGATE_SPOT share)."
  type = list(object({
    capacity_provider = string
    weight            = optional(number, 1)
    base              = optional(number, 0)
  }))
  default  = [{ capacity_provider = "FARGATE", weight = 1, base = 0 }]
  nullable = false

  validation {
    condition     = length(var.default_capacity_provider_strategy) > 0 && alltrue([for s in var.default_capacity_provider_strategy : contains(["FARGATE", "FARGATE_SPOT"], s.capacity_provider)])
    error_message = "default_capacity_provider_strategy must list at least one entry, each with capacity_provider FARGATE or FARGATE_SPOT."
  }

  validation {
    condition     = alltrue([for s in var.default_capacity_provider_strategy : s.weight >= 0 && s.weight <= 1000 && s.base >= 0 && s.base <= 100000 && floor(s.weight) == s.weight && floor(s.base) == s.base])
    error_message = "default_capacity_provider_strategy weights must be whole numbers 0-1000 and bases whole numbers 0-100000."
  }

  validation {
    condition     = length(distinct([for s in var.default_capacity_provider_strategy : s.capacity_provider])) == length(var.default_capacity_provider_strategy) && length([for s in var.default_capacity_provider_strategy : s if s.base > 0]) <= 1
    error_message = "default_capacity_provider_strategy must name each capacity provider once, and only one entry may have a base above 0."
  }
}

variable "exec_log_retention_in_days" {
  description = "Retention of the ECS Exec audit log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains(local.log_retention_days, var.exec_log_retention_in_days)
    error_message = "exec_log_retention_in_days must be one of the retention periods CloudWatch Logs accepts: ${join(", ", local.log_retention_days)}."
  }
}

variable "container_insights_log_retention_in_days" {
  description = "Retention of the Container Insights performance log group /aws/ecs/containerinsights/<name>/performance, in days (a value CloudWatch Logs accepts). The metrics CloudWatch derives from these events are kept as metrics regardless; the raw events only serve short investigations, and they are the bulk of Container Insights' log ingestion."
  type        = number
  default     = 30

  validation {
    condition     = contains(local.log_retention_days, var.container_insights_log_retention_in_days)
    error_message = "container_insights_log_retention_in_days must be one of the retention periods CloudWatch Logs accepts: ${join(", ", local.log_retention_days)}."
  }
}
