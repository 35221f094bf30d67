variable "environment" {
  description = "Environment name, used in alarm descriptions and tags. The module requires an alarm action (require_alarm_actions defaults to true): here the email subscription."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,31}$", var.environment))
    error_message = "environment must be lowercase letters, digits and hyphens."
  }
}

variable "email_subscriptions" {
  description = "On-call email addresses subscribed to the alarm topic."
  type        = list(string)
  default     = ["oncall@example.com"]

  validation {
    condition     = alltrue([for e in var.email_subscriptions : can(regex("^[^@\\s]+@[^@\\s]+$", e))])
    error_message = "email_subscriptions entries must be email addresses."
  }
}

variable "https_subscriptions" {
  description = "HTTPS endpoints (an incident-management integration) subscribed to the alarm topic."
  type        = list(string)
  default     = ["https://hooks.example.com/imgclass/alarms"]

  validation {
    condition     = alltrue([for u in var.https_subscriptions : startswith(u, "https://")])
    error_message = "https_subscriptions entries must be https:// URLs."
  }
}

variable "runbook_base_url" {
  description = "Where the alarm descriptions point for runbooks."
  type        = string
  default     = "docs/runbooks"

  validation {
    condition     = length(var.runbook_base_url) > 0
    error_message = "runbook_base_url must not be empty."
  }
}

variable "max_connections" {
  description = "Effective max_connections of the database (modules/rds-postgres output max_connections); 901 is what the formula gives for 8 GiB (db.m6g.large)."
  type        = number
  default     = 901

  validation {
    condition     = var.max_connections >= 1
    error_message = "max_connections must be at least 1."
  }
}

variable "allocated_storage_gib" {
  description = "Allocated storage of the database in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.allocated_storage_gib >= 20
    error_message = "allocated_storage_gib must be at least 20."
  }
}

variable "proxy_connection_cap" {
  description = "Connections the proxy may open (modules/rds-proxy output connection_cap): floor(901 * 75 / 100) = 675."
  type        = number
  default     = 675

  validation {
    condition     = var.proxy_connection_cap >= 1
    error_message = "proxy_connection_cap must be at least 1."
  }
}

variable "api_max_db_connections" {
  description = "max_capacity x db_pool_size of the API service (modules/ecs-service output max_db_connections)."
  type        = number
  default     = 200

  validation {
    condition     = var.api_max_db_connections >= 0
    error_message = "api_max_db_connections must be at least 0."
  }
}

variable "worker_max_db_connections" {
  description = "max_capacity x db_pool_size of the worker service (modules/ecs-service output max_db_connections)."
  type        = number
  default     = 100

  validation {
    condition     = var.worker_max_db_connections >= 0
    error_message = "worker_max_db_connections must be at least 0."
  }
}

variable "job_queue_name" {
  description = "Name of the job queue the worker consumes (not created here)."
  type        = string
  default     = "imgclass-prod-jobs"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.job_queue_name))
    error_message = "job_queue_name must be an SQS queue name."
  }
}

variable "job_dead_letter_queue_name" {
  description = "Name of the job queue's dead-letter queue (not created here)."
  type        = string
  default     = "imgclass-prod-jobs-dlq"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.job_dead_letter_queue_name))
    error_message = "job_dead_letter_queue_name must be an SQS queue name."
  }
}

variable "load_balancer_arn_suffix" {
  description = "arn_suffix of the API's application load balancer."
  type        = string
  default     = "app/imgclass-prod/50dc6c495c0c9188"

  validation {
    condition     = startswith(var.load_balancer_arn_suffix, "app/")
    error_message = "load_balancer_arn_suffix must start with app/."
  }
}

variable "target_group_arn_suffix" {
  description = "arn_suffix of the API's target group."
  type        = string
  default     = "targetgroup/imgclass-prod-api/6d0ecf831eec9f09"

  validation {
    condition     = startswith(var.target_group_arn_suffix, "targetgroup/")
    error_message = "target_group_arn_suffix must start with targetgroup/."
  }
}
