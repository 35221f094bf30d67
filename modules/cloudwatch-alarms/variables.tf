# --- Identity -------------------------------------------------------------------------------

variable "name" {
  description = "Prefix of every alarm, the topic, the key alias and the dashboard, e.g. \"imgclass-prod\". Alarm names are \"<name>-<alarm>\", so the topic and key policies can be scoped to \"<name>-*\"."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$", var.name))
    error_message = "name must be 1-63 characters of letters, digits, \"-\" and \"_\", starting with a letter or digit (it prefixes alarm, topic and dashboard names)."
  }
}

variable "environment" {
  description = "Environment name (dev, test, staging, prod, ...), used only in alarm descriptions. Whether alarms must reach someone is require_alarm_actions."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,31}$", var.environment))
    error_message = "environment must be 1-32 characters of lowercase letters, digits and \"-\", starting with a letter."
  }
}

variable "require_alarm_actions" {
  description = "Demand that an alarm reaches someone: at least one alarm action (alarm_topic_arn, a subscription or additional_alarm_actions) and actions_enabled = true. True (default) for any environment someone is paged for; false only for a quiet scratch environment."
  type        = bool
  default     = true
  nullable    = false

  validation {
    condition = !var.require_alarm_actions || (
      var.actions_enabled && (
        var.alarm_topic_arn != null ||
        length(var.email_subscriptions) + length(var.https_subscriptions) + length(var.additional_alarm_actions) > 0
      )
    )
    error_message = "require_alarm_actions is true but no alarm action is configured: pass alarm_topic_arn (an existing topic with subscribers), an email_subscriptions or https_subscriptions entry, or additional_alarm_actions, and keep actions_enabled = true. An alarm nobody receives is an outage nobody sees."
  }
}

# --- Notifications --------------------------------------------------------------------------

variable "alarm_topic_arn" {
  description = "ARN of an existing SNS topic for alarm and OK notifications. Null creates a KMS-encrypted topic \"<name>-alarms\" whose policy lets CloudWatch publish. An existing topic must already allow cloudwatch.amazonaws.com to publish (and to use its KMS key)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)."
  }

  # kms_key_arn is the shared input (modules/_shared/variables), so the rule that joins the two lives here.
  validation {
    condition     = var.alarm_topic_arn == null || var.kms_key_arn == null
    error_message = "kms_key_arn applies only to a topic the module creates; with alarm_topic_arn the existing topic keeps its own key."
  }
}

variable "email_subscriptions" {
  description = "Email addresses subscribed to the alarm topic. Each recipient must confirm the subscription from the mail AWS sends; until then nothing is delivered."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for e in var.email_subscriptions : can(regex("^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}$", e))])
    error_message = "email_subscriptions entries must be email addresses like oncall@example.com."
  }
}

variable "https_subscriptions" {
  description = "HTTPS endpoints (an incident-management integration URL, for example) subscribed to the alarm topic. Plain http is refused: alarm payloads name resources."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for u in var.https_subscriptions : can(regex("^https://[^\\s/]+(/\\S*)?$", u))])
    error_message = "https_subscriptions entries must be https:// URLs."
  }
}

variable "additional_alarm_actions" {
  description = "Further action ARNs (SNS topics of another team, an incident-manager response plan) notified with the module's topic on ALARM and OK."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for a in var.additional_alarm_actions : can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:", a))])
    error_message = "additional_alarm_actions entries must be ARNs."
  }
}

variable "actions_enabled" {
  description = "Whether alarms run their actions. False only for a quiet environment; refused while require_alarm_actions is true."
  type        = bool
  default     = true
}

variable "composite_alarm_enabled" {
  description = "Aggregate the critical alarms into one composite \"<name>-service-degraded\" alarm that notifies once; the critical alarms then carry no actions of their own. False makes every critical alarm notify by itself."
  type        = bool
  default     = true
}

variable "runbook_base_url" {
  description = "Where the runbooks live: every alarm description ends with \"<runbook_base_url>/<runbook>.md\". Pass the browsable URL of docs/runbooks in the repository (for example https://github.com/<org>/<repo>/blob/main/docs/runbooks); the default is that path relative to the repository root."
  type        = string
  default     = "docs/runbooks"

  validation {
    condition     = can(regex("^(https://\\S+|[A-Za-z0-9._-][A-Za-z0-9._/-]*)$", var.runbook_base_url)) && !endswith(var.runbook_base_url, "/")
    error_message = "runbook_base_url must be an https:// URL or a repository-relative path such as docs/runbooks, without a trailing slash."
  }
}

# --- Evaluation -----------------------------------------------------------------------------

variable "evaluation_periods" {
  description = "Periods (one minute each; five for free storage) a sustained-condition alarm looks at. Alarms with a fixed meaning (a non-empty dead-letter queue, an SLO window) keep their own."
  type        = number
  default     = 5

  validation {
    condition     = var.evaluation_periods >= 1 && var.evaluation_periods <= 60 && floor(var.evaluation_periods) == var.evaluation_periods
    error_message = "evaluation_periods must be a whole number from 1 to 60."
  }
}

variable "datapoints_to_alarm" {
  description = "How many of the evaluation_periods must breach (M of N) before a sustained-condition alarm fires; below evaluation_periods it tolerates a single spike without flapping."
  type        = number
  default     = 3

  validation {
    condition     = var.datapoints_to_alarm >= 1 && floor(var.datapoints_to_alarm) == var.datapoints_to_alarm && var.datapoints_to_alarm <= var.evaluation_periods
    error_message = "datapoints_to_alarm must be a whole number from 1 to evaluation_periods."
  }
}

# --- Alarm sets -----------------------------------------------------------------------------

variable "database" {
  description = <<-EOT
    Alarms on the RDS PostgreSQL instance; null or enabled = false turns the set off.
    max_connections is the data tier's effective max_connections output; the connection alarm fires above
    floor(max_connections * connections_threshold_percent / 100). allocated_storage_gib is the instance's
    allocated storage (free-storage threshold = that many GiB * free_storage_threshold_percent / 100).
    instance_memory_gib defaults to the memory the max_connections formula implies
    (max_connections * 9531392 bytes, i.e. DBInstanceClassMemory); pass it when max_connections is overridden.
    replica_instance_identifiers: read replicas whose ReplicaLag is watched (a Multi-AZ standby is synchronous
    and publishes no lag).
  EOT
  type = object({
    enabled                           = optional(bool, true)
    instance_identifier               = string
    max_connections                   = number
    connections_threshold_percent     = optional(number, 80)
    cpu_threshold_percent             = optional(number, 80)
    allocated_storage_gib             = number
    free_storage_threshold_percent    = optional(number, 10)
    instance_memory_gib               = optional(number)
    freeable_memory_threshold_percent = optional(number, 10)
    read_latency_threshold_ms         = optional(number, 20)
    write_latency_threshold_ms        = optional(number, 20)
    replica_instance_identifiers      = optional(list(string), [])
    replica_lag_threshold_seconds     = optional(number, 60)
  })
  default = null

  # The identifiers are the alarms' DBInstanceIdentifier dimension: RDS stores them in lowercase
  # (modules/_shared/aws_id_patterns.json, db_instance_identifier; "--" is checked apart, RE2 has no lookahead).
  validation {
    condition     = var.database == null || try(alltrue([for id in concat([var.database.instance_identifier], var.database.replica_instance_identifiers) : can(regex(local.aws_id_pattern.db_instance_identifier, id)) && !strcontains(id, "--")]), false)
    error_message = "database.instance_identifier and replica_instance_identifiers must be RDS DB instance identifiers: 1-63 lowercase letters, digits and hyphens, starting with a letter, no \"--\", no trailing hyphen."
  }

  validation {
    condition     = var.database == null || try(var.database.max_connections >= 1 && floor(var.database.max_connections) == var.database.max_connections, false)
    error_message = "database.max_connections must be a whole number of at least 1 (the data tier's effective max_connections output)."
  }

  validation {
    condition = var.database == null || try(alltrue([for p in [
      var.database.connections_threshold_percent,
      var.database.cpu_threshold_percent,
      var.database.free_storage_threshold_percent,
      var.database.freeable_memory_threshold_percent,
    ] : p >= 1 && p <= 100]), false)
    error_message = "database threshold percentages (connections, cpu, free_storage, freeable_memory) must be between 1 and 100."
  }

  validation {
    condition     = var.database == null || try(var.database.allocated_storage_gib >= 20 && coalesce(var.database.instance_memory_gib, 1) > 0, false)
    error_message = "database.allocated_storage_gib must be at least 20 (the gp3 minimum) and instance_memory_gib, when given, positive."
  }

  validation {
    condition     = var.database == null || try(var.database.read_latency_threshold_ms > 0 && var.database.write_latency_threshold_ms > 0 && var.database.replica_lag_threshold_seconds > 0, false)
    error_message = "database latency thresholds (read_latency_threshold_ms, write_latency_threshold_ms, replica_lag_threshold_seconds) must be positive."
  }
}

variable "proxy" {
  description = <<-EOT
    Alarms on the RDS Proxy; null or enabled = false turns the set off. connection_cap is the proxy
    module's connection_cap output (floor(max_connections * max_connections_percent / 100)); it is drawn on the
    dashboard. The database-connection alarm is metric math: DatabaseConnections as a percentage of
    MaxDatabaseConnectionsAllowed, above database_connections_threshold_percent. Client connections alarm
    above the sum of the ECS services' max_db_connections (the connections the services were sized to open).
  EOT
  type = object({
    enabled                                = optional(bool, true)
    proxy_name                             = string
    target_group_name                      = optional(string, "default")
    connection_cap                         = number
    database_connections_threshold_percent = optional(number, 90)
    borrow_latency_threshold_ms            = optional(number, 100)
    auth_failures_threshold                = optional(number, 5)
    availability_threshold_percent         = optional(number, 100)
  })
  default = null

  validation {
    condition     = var.proxy == null || try(can(regex("^[a-z][a-z0-9-]{0,62}$", var.proxy.proxy_name)) && length(var.proxy.target_group_name) > 0, false)
    error_message = "proxy.proxy_name must be an RDS Proxy name (lowercase letters, digits, \"-\", starting with a letter) and target_group_name non-empty."
  }

  validation {
    condition     = var.proxy == null || try(var.proxy.connection_cap >= 1 && floor(var.proxy.connection_cap) == var.proxy.connection_cap, false)
    error_message = "proxy.connection_cap must be a whole number of at least 1 (the proxy module's connection_cap output)."
  }

  validation {
    condition     = var.proxy == null || try(var.proxy.database_connections_threshold_percent >= 1 && var.proxy.database_connections_threshold_percent <= 100 && var.proxy.availability_threshold_percent >= 1 && var.proxy.availability_threshold_percent <= 100, false)
    error_message = "proxy threshold percentages (database_connections, availability) must be between 1 and 100."
  }

  validation {
    condition     = var.proxy == null || try(var.proxy.borrow_latency_threshold_ms > 0 && var.proxy.auth_failures_threshold >= 0, false)
    error_message = "proxy.borrow_latency_threshold_ms must be positive and auth_failures_threshold at least 0."
  }
}

variable "ecs_services" {
  description = <<-EOT
    ECS services to watch, keyed by a short role name used in alarm names ("api", "worker"). Per service:
    CPU and memory utilization, running tasks below desired (Container Insights), and for workers the queue's
    ApproximateAgeOfOldestMessage and a non-empty dead-letter queue (queue names, not URLs). max_db_connections
    is the ecs-service module's output (max_capacity * db_pool_size). critical puts the running-below-desired
    alarm into the service-degraded composite. min_tasks is the service's minimum task count (the ecs-service
    module's min_capacity output): above 0 a service that reports no task counts pages (missing data is
    breaching); at 0 (a service parked before its first image) silence is allowed.
  EOT
  type = map(object({
    enabled                     = optional(bool, true)
    cluster_name                = string
    service_name                = string
    max_db_connections          = optional(number, 0)
    critical                    = optional(bool, true)
    cpu_threshold_percent       = optional(number, 80)
    memory_threshold_percent    = optional(number, 80)
    queue_name                  = optional(string)
    dead_letter_queue_name      = optional(string)
    queue_age_threshold_seconds = optional(number, 900)
    min_tasks                   = optional(number, 1)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for k, s in var.ecs_services : can(regex("^[a-z][a-z0-9-]{0,23}$", k)) && length(s.cluster_name) > 0 && length(s.service_name) > 0])
    error_message = "ecs_services keys must be 1-24 characters of lowercase letters, digits and \"-\" (they name alarms), and cluster_name/service_name must be set."
  }

  validation {
    condition     = alltrue([for s in var.ecs_services : s.cpu_threshold_percent >= 1 && s.cpu_threshold_percent <= 100 && s.memory_threshold_percent >= 1 && s.memory_threshold_percent <= 100])
    error_message = "ecs_services threshold percentages (cpu_threshold_percent, memory_threshold_percent) must be between 1 and 100."
  }

  validation {
    condition     = alltrue([for s in var.ecs_services : s.max_db_connections >= 0 && floor(s.max_db_connections) == s.max_db_connections && s.queue_age_threshold_seconds >= 60 && s.min_tasks >= 0 && floor(s.min_tasks) == s.min_tasks])
    error_message = "ecs_services max_db_connections and min_tasks must be whole numbers >= 0 and queue_age_threshold_seconds at least 60."
  }

  validation {
    condition     = alltrue([for s in var.ecs_services : alltrue([for q in compact([s.queue_name, s.dead_letter_queue_name]) : can(regex(local.aws_id_pattern.sqs_queue_name, q))])])
    error_message = "ecs_services queue_name and dead_letter_queue_name must be SQS queue names: up to 80 letters, digits, \"-\" and \"_\", a FIFO queue's .fifo included (not URLs or ARNs)."
  }
}

variable "load_balancer" {
  description = <<-EOT
    Alarms on the application load balancer in front of the API; null or enabled = false turns the set off.
    arn_suffix and target_group_arn_suffix are the aws_lb / aws_lb_target_group arn_suffix attributes.
    The 5xx alarm is a rate (target + load-balancer 5xx over requests, metric math), evaluated only when at
    least minimum_requests arrive in the minute. The p99 TargetResponseTime alarm uses slo.latency_threshold_seconds.
  EOT
  type = object({
    enabled                      = optional(bool, true)
    arn_suffix                   = string
    target_group_arn_suffix      = string
    error_rate_threshold_percent = optional(number, 5)
    minimum_requests             = optional(number, 20)
  })
  default = null

  validation {
    condition     = var.load_balancer == null || try(can(regex("^app/[A-Za-z0-9-]+/[0-9a-f]+$", var.load_balancer.arn_suffix)) && can(regex("^targetgroup/[A-Za-z0-9-]+/[0-9a-f]+$", var.load_balancer.target_group_arn_suffix)), false)
    error_message = "load_balancer.arn_suffix must look like app/<name>/<id> and target_group_arn_suffix like targetgroup/<name>/<id> (the arn_suffix attributes)."
  }

  validation {
    condition     = var.load_balancer == null || try(var.load_balancer.error_rate_threshold_percent >= 1 && var.load_balancer.error_rate_threshold_percent <= 100 && var.load_balancer.minimum_requests >= 0, false)
    error_message = "load_balancer.error_rate_threshold_percent must be between 1 and 100 and minimum_requests at least 0."
  }
}

variable "slo" {
  description = <<-EOT
    Service level objectives over a rolling compliance period, alarmed with multi-window burn rates
    (fast: 2 % of the error budget in 1 h, confirmed over 5 min; slow: 5 % in 6 h, confirmed over 30 min).
    Availability: percentage of requests not answered 5xx (needs load_balancer). Latency: percentage of
    requests whose target response time is at most latency_threshold_seconds (needs load_balancer; also the
    p99 alarm threshold). Job success: percentage of finished jobs that succeeded, from the worker's
    metrics in jobs (null skips it). enabled = false turns the burn-rate alarms off.
    jobs also drives the "jobs-failure-rate" alarm (kept when enabled = false): more than
    failure_rate_threshold_percent of the jobs finished in a minute failed, evaluated only in minutes with at
    least minimum_jobs finished jobs; the root attaches it to the worker's deployments.
  EOT
  nullable    = false
  type = object({
    enabled                     = optional(bool, true)
    compliance_period_days      = optional(number, 30)
    availability_target_percent = optional(number, 99.9)
    latency_target_percent      = optional(number, 99)
    latency_threshold_seconds   = optional(number, 0.5)
    job_success_target_percent  = optional(number, 99)
    jobs = optional(object({
      namespace                      = string
      succeeded_metric_name          = optional(string, "JobsSucceeded")
      failed_metric_name             = optional(string, "JobsFailed")
      dimensions                     = optional(map(string), {})
      failure_rate_threshold_percent = optional(number, 10)
      minimum_jobs                   = optional(number, 5)
    }))
  })
  default = {}

  validation {
    condition = alltrue([for t in [var.slo.availability_target_percent, var.slo.latency_target_percent, var.slo.job_success_target_percent] :
    t > 0 && t < 100])
    error_message = "slo targets (availability_target_percent, latency_target_percent, job_success_target_percent) must be strictly between 0 and 100: 100 % leaves no error budget to burn and 0 % promises nothing."
  }

  validation {
    condition     = var.slo.compliance_period_days >= 7 && var.slo.compliance_period_days <= 90 && floor(var.slo.compliance_period_days) == var.slo.compliance_period_days
    error_message = "slo.compliance_period_days must be a whole number of days from 7 to 90."
  }

  validation {
    condition     = var.slo.latency_threshold_seconds > 0 && var.slo.latency_threshold_seconds <= 60
    error_message = "slo.latency_threshold_seconds must be above 0 and at most 60."
  }

  validation {
    condition     = var.slo.jobs == null || try(can(regex("^[^:][^:]{0,254}$", var.slo.jobs.namespace)) && !startswith(var.slo.jobs.namespace, "AWS/"), false)
    error_message = "slo.jobs.namespace must be the worker's custom metric namespace (1-255 characters, no \":\", not starting with \"AWS/\")."
  }

  validation {
    condition     = var.slo.jobs == null || try(var.slo.jobs.failure_rate_threshold_percent > 0 && var.slo.jobs.failure_rate_threshold_percent < 100 && var.slo.jobs.minimum_jobs >= 1 && floor(var.slo.jobs.minimum_jobs) == var.slo.jobs.minimum_jobs, false)
    error_message = "slo.jobs.failure_rate_threshold_percent must be strictly between 0 and 100 and slo.jobs.minimum_jobs a whole number of at least 1."
  }
}

# --- Dashboard and tags ---------------------------------------------------------------------

variable "dashboard_enabled" {
  description = "Create the CloudWatch dashboard \"<name>\" (health row, database connections against max_connections and the proxy cap, proxy, queues, database resources, critical alarm status)."
  type        = bool
  default     = true
}
