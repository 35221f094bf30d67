# Alarm definitions. Every threshold is computed here from the inputs that size the platform
# (max_connections, the proxy's cap, the services' max_db_connections, the SLO targets), so no number
# is typed twice. Each definition names its runbook (docs/runbooks/<runbook>.md).
#
# Missing data: a new or idle environment must page no one, and a service that stops reporting must
# still page. CloudWatch applies treat_missing_data to every period without a datapoint
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
# breaching counts it as bad, notBreaching as good, missing leaves the alarm in INSUFFICIENT_DATA when
# the whole evaluation range is empty. Only ALARM notifies, feeds the service-degraded composite or
# fails an ECS deployment. The rule, per metric, asserted alarm by alarm against the plan by
# tests/modules/test_cloudwatch_alarms_missing_data.py from tests/modules/alarm_missing_data.toml:
#   breaching    - AWS publishes the metric every minute for as long as the resource exists, whatever
#                  the traffic; silence means it is gone (the instance's DatabaseConnections, replica lag,
#                  a service's task counts while it is meant to run tasks).
#   notBreaching - the metric is published only when something happens, so silence means nothing bad
#                  happened: ALB metrics ("reports metrics to CloudWatch only when requests are flowing",
#                  https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html),
#                  SQS metrics (reported while a queue is active / holds a message,
#                  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html),
#                  RDS Proxy failure counters, the worker's job metrics.
#   missing      - gauges that exist only while something runs or is connected, whose absence another
#                  alarm already reports: CPU and memory of tasks, the database's resource gauges, and
#                  the RDS Proxy gauges, because "some of these metrics might not be visible until after
#                  the first successful connection by a proxy"
#                  (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html):
#                  a new environment whose services are parked at zero tasks has no client yet.
# Evaluation: sustained conditions use datapoints_to_alarm of evaluation_periods one-minute periods
# (3 of 5 by default), so a single spike does not page; alarms whose one datapoint is already a fact
# (a message in the dead-letter queue, an SLO window) use 1 of 1; running-tasks needs every period of
# the window, because a deployment or scale-out is short of tasks for a minute or two.

locals {
  databases = var.database != null && try(var.database.enabled, false) ? [var.database] : []
  proxies   = var.proxy != null && try(var.proxy.enabled, false) ? [var.proxy] : []
  lbs       = var.load_balancer != null && try(var.load_balancer.enabled, false) ? [var.load_balancer] : []
  services  = { for k, s in var.ecs_services : k => s if s.enabled }

  # The connections the ECS services were sized to open (sum of max_capacity * db_pool_size).
  planned_client_connections = sum(concat([0], [for s in values(local.services) : s.max_db_connections]))

  gib = 1073741824
  # DBInstanceClassMemory / 9531392 is the max_connections formula of RDS for PostgreSQL.
  bytes_per_formula_connection = 9531392

  # --- Database ---------------------------------------------------------------------------
  database_alarms = merge([for db in local.databases : merge(
    {
      "db-connections" = {
        runbook             = "database-connection-exhaustion"
        critical            = true
        description         = "PostgreSQL ${db.instance_identifier} holds more than ${db.connections_threshold_percent} % of max_connections (${floor(db.max_connections * db.connections_threshold_percent / 100)} of ${db.max_connections}) in ${var.datapoints_to_alarm} of ${var.evaluation_periods} minutes; at max_connections new sessions are refused and the API fails. Missing data counts as breaching: a silent instance is not a healthy one."
        namespace           = "AWS/RDS"
        metric_name         = "DatabaseConnections"
        dimensions          = { DBInstanceIdentifier = db.instance_identifier }
        statistic           = "Maximum"
        period              = 60
        comparison_operator = "GreaterThanThreshold"
        threshold           = floor(db.max_connections * db.connections_threshold_percent / 100)
        treat_missing_data  = "breaching"
      }
      "db-cpu" = {
        runbook             = "database-resources"
        description         = "PostgreSQL ${db.instance_identifier} CPU above ${db.cpu_threshold_percent} % in ${var.datapoints_to_alarm} of ${var.evaluation_periods} minutes: queries slow down and connections are held longer."
        namespace           = "AWS/RDS"
        metric_name         = "CPUUtilization"
        dimensions          = { DBInstanceIdentifier = db.instance_identifier }
        statistic           = "Average"
        period              = 60
        comparison_operator = "GreaterThanThreshold"
        threshold           = db.cpu_threshold_percent
        treat_missing_data  = "missing"
      }
      "db-free-storage" = {
        runbook             = "database-resources"
        critical            = true
        description         = "PostgreSQL ${db.instance_identifier} has less than ${db.free_storage_threshold_percent} % of its ${db.allocated_storage_gib} GiB free: storage autoscaling has not kept up or reached max_allocated_storage, and a full volume stops all writes."
        namespace           = "AWS/RDS"
        metric_name         = "FreeStorageSpace"
        dimensions          = { DBInstanceIdentifier = db.instance_identifier }
        statistic           = "Minimum"
        period              = 300
        comparison_operator = "LessThanThreshold"
        threshold           = floor(db.allocated_storage_gib * local.gib * db.free_storage_threshold_percent / 100)
        treat_missing_data  = "missing"
      }
      "db-freeable-memory" = {
        runbook             = "database-resources"
        description         = "PostgreSQL ${db.instance_identifier} has less than ${db.freeable_memory_threshold_percent} % of its memory freeable: the instance starts swapping; too many connections (each a backend process) is the usual cause."
        namespace           = "AWS/RDS"
        metric_name         = "FreeableMemory"
        dimensions          = { DBInstanceIdentifier = db.instance_identifier }
        statistic           = "Minimum"
        period              = 60
        comparison_operator = "LessThanThreshold"
        threshold = floor(
          (db.instance_memory_gib != null ? db.instance_memory_gib * local.gib : db.max_connections * local.bytes_per_formula_connection)
          * db.freeable_memory_threshold_percent / 100
        )
        treat_missing_data = "missing"
      }
      "db-read-latency" = {
        runbook             = "database-resources"
        description         = "PostgreSQL ${db.instance_identifier} average read I/O latency above ${db.read_latency_threshold_ms} ms: the volume is saturated (IOPS or throughput) or the working set no longer fits in memory."
        namespace           = "AWS/RDS"
        metric_name         = "ReadLatency"
        dimensions          = { DBInstanceIdentifier = db.instance_identifier }
        statistic           = "Average"
        period              = 60
        comparison_operator = "GreaterThanThreshold"
        threshold           = db.read_latency_threshold_ms / 1000
        treat_missing_data  = "missing"
      }
      "db-write-latency" = {
        runbook             = "database-resources"
        description         = "PostgreSQL ${db.instance_identifier} average write I/O latency above ${db.write_latency_threshold_ms} ms: commits slow down and transactions hold connections longer."
        namespace           = "AWS/RDS"
        metric_name         = "WriteLatency"
        dimensions          = { DBInstanceIdentifier = db.instance_identifier }
        statistic           = "Average"
        period              = 60
        comparison_operator = "GreaterThanThreshold"
        threshold           = db.write_latency_threshold_ms / 1000
        treat_missing_data  = "missing"
      }
    },
    { for r in db.replica_instance_identifiers : "db-replica-lag-${r}" => {
      runbook             = "database-resources"
      description         = "Read replica ${r} lags ${db.instance_identifier} by more than ${db.replica_lag_threshold_seconds} s: reads from it are stale. Missing data counts as breaching: a replica that stops reporting lag has stopped replicating."
      namespace           = "AWS/RDS"
      metric_name         = "ReplicaLag"
      dimensions          = { DBInstanceIdentifier = r }
      statistic           = "Maximum"
      period              = 60
      comparison_operator = "GreaterThanThreshold"
      threshold           = db.replica_lag_threshold_seconds
      treat_missing_data  = "breaching"
    } },
  )]...)

  # --- RDS Proxy --------------------------------------------------------------------------
  proxy_alarms = merge([for p in local.proxies : merge(
    {
      "proxy-database-connections" = {
        runbook             = "database-connection-exhaustion"
        critical            = true
        description         = "RDS Proxy ${p.proxy_name} uses more than ${p.database_connections_threshold_percent} % of the database connections it may open (DatabaseConnections / MaxDatabaseConnectionsAllowed, cap ${p.connection_cap}): clients start waiting to borrow a connection, then time out."
        comparison_operator = "GreaterThanThreshold"
        threshold           = p.database_connections_threshold_percent
        # MaxDatabaseConnectionsAllowed may not exist before the first client connects (rds-proxy.monitoring,
        # above): breaching would page a new environment. A dead database pages through db-connections.
        treat_missing_data = "missing"
        queries = [
          {
            id          = "used_pct"
            expression  = "100 * FILL(used, 0) / allowed"
            label       = "Proxy database connections (% of allowed)"
            return_data = true
          },
          {
            id = "used"
            metric = {
              namespace   = "AWS/RDS"
              metric_name = "DatabaseConnections"
              dimensions  = { ProxyName = p.proxy_name, TargetGroup = p.target_group_name, TargetRole = "READ_WRITE" }
              stat        = "Sum"
              period      = 60
            }
          },
          {
            id = "allowed"
            metric = {
              namespace   = "AWS/RDS"
              metric_name = "MaxDatabaseConnectionsAllowed"
              dimensions  = { ProxyName = p.proxy_name, TargetGroup = p.target_group_name, TargetRole = "READ_WRITE" }
              stat        = "Sum"
              period      = 60
            }
          },
        ]
      }
      "proxy-borrow-latency" = {
        runbook             = "database-connection-exhaustion"
        description         = "RDS Proxy ${p.proxy_name} takes more than ${p.borrow_latency_threshold_ms} ms on average to hand a database connection to a client: the pool (cap ${p.connection_cap}) is saturated or connections are pinned."
        namespace           = "AWS/RDS"
        metric_name         = "DatabaseConnectionsBorrowLatency"
        dimensions          = { ProxyName = p.proxy_name }
        statistic           = "Average"
        period              = 60
        comparison_operator = "GreaterThanThreshold"
        threshold           = p.borrow_latency_threshold_ms * 1000 # the metric is in microseconds
        treat_missing_data  = "notBreaching"
      }
      "proxy-setup-failed" = {
        runbook             = "proxy-errors"
        description         = "RDS Proxy ${p.proxy_name} fails to open database connections (DatabaseConnectionsSetupFailed > 0): the database refuses them (max_connections reached, secret or TLS mismatch) or is failing over."
        namespace           = "AWS/RDS"
        metric_name         = "DatabaseConnectionsSetupFailed"
        dimensions          = { ProxyName = p.proxy_name, TargetGroup = p.target_group_name, TargetRole = "READ_WRITE" }
        statistic           = "Sum"
        period              = 60
        comparison_operator = "GreaterThanThreshold"
        threshold           = 0
        treat_missing_data  = "notBreaching"
      }
      "proxy-auth-failures" = {
        runbook             = "proxy-errors"
        description         = "More than ${p.auth_failures_threshold} client connections a minute fail authentication or TLS at RDS Proxy ${p.proxy_name}: a task role lost rds-db:connect, tokens are generated for the wrong user or host, or clients connect without TLS."
        namespace           = "AWS/RDS"
        metric_name         = "ClientConnectionsSetupFailedAuth"
        dimensions          = { ProxyName = p.proxy_name }
        statistic           = "Sum"
        period              = 60
        comparison_operator = "GreaterThanThreshold"
        threshold           = p.auth_failures_threshold
        treat_missing_data  = "notBreaching"
      }
      "proxy-availability" = {
        runbook             = "proxy-errors"
        critical            = true
        description         = "RDS Proxy ${p.proxy_name} target group ${p.target_group_name} was available less than ${p.availability_threshold_percent} % of the time (AvailabilityPercentage, READ_WRITE role): the database behind it is down or failing over."
        namespace           = "AWS/RDS"
        metric_name         = "AvailabilityPercentage"
        dimensions          = { ProxyName = p.proxy_name, TargetGroup = p.target_group_name, TargetRole = "READ_WRITE" }
        statistic           = "Average"
        period              = 60
        comparison_operator = "LessThanThreshold"
        threshold           = p.availability_threshold_percent
        # A gauge of the proxy's health checks, possibly absent until the first client connection
        # (rds-proxy.monitoring, above). While it reports, a failing target pages; a proxy that is gone
        # shows as API 5xx and failing tasks, and a dead database in db-connections (breaching).
        treat_missing_data = "missing"
      }
    },
    { for n in(local.planned_client_connections > 0 ? [local.planned_client_connections] : []) : "proxy-client-connections" => {
      runbook             = "database-connection-exhaustion"
      description         = "More client connections reach RDS Proxy ${p.proxy_name} than the ECS services were sized to open (sum of max_capacity x db_pool_size = ${n}): a pool is leaking, a task runs with a larger DB_POOL_SIZE, or something outside the services connects."
      namespace           = "AWS/RDS"
      metric_name         = "ClientConnections"
      dimensions          = { ProxyName = p.proxy_name }
      statistic           = "Sum"
      period              = 60
      comparison_operator = "GreaterThanThreshold"
      threshold           = n
      treat_missing_data  = "missing"
    } },
  )]...)

  # --- ECS services -----------------------------------------------------------------------
  service_alarms = merge([for k, s in local.services : merge(
    {
      "${k}-cpu" = {
        runbook             = "ecs-service-health"
        description         = "ECS service ${s.service_name} (${s.cluster_name}) averages more than ${s.cpu_threshold_percent} % CPU in ${var.datapoints_to_alarm} of ${var.evaluation_periods} minutes: autoscaling is at max_capacity or too slow, and latency rises."
        namespace           = "AWS/ECS"
        metric_name         = "CPUUtilization"
        dimensions          = { ClusterName = s.cluster_name, ServiceName = s.service_name }
        statistic           = "Average"
        period              = 60
        comparison_operator = "GreaterThanThreshold"
        threshold           = s.cpu_threshold_percent
        treat_missing_data  = "missing"
      }
      "${k}-memory" = {
        runbook             = "ecs-service-health"
        description         = "ECS service ${s.service_name} (${s.cluster_name}) averages more than ${s.memory_threshold_percent} % memory: tasks are close to being killed for exceeding their memory (exit code 137)."
        namespace           = "AWS/ECS"
        metric_name         = "MemoryUtilization"
        dimensions          = { ClusterName = s.cluster_name, ServiceName = s.service_name }
        statistic           = "Average"
        period              = 60
        comparison_operator = "GreaterThanThreshold"
        threshold           = s.memory_threshold_percent
        treat_missing_data  = "missing"
      }
      "${k}-running-tasks" = {
        runbook             = "ecs-service-health"
        critical            = s.critical
        description         = "ECS service ${s.service_name} (${s.cluster_name}) runs fewer tasks than desired in every one of ${var.evaluation_periods} minutes (Container Insights DesiredTaskCount - RunningTaskCount > 0): tasks crash, fail health checks or cannot be placed. ${s.min_tasks > 0 ? "Missing data counts as breaching: a service that must run ${s.min_tasks} task(s) and reports nothing has none." : "The service may run no task (min_tasks = 0), so missing data is not breaching."}"
        comparison_operator = "GreaterThanThreshold"
        threshold           = 0
        # A deployment or scale-out is short of tasks for a minute or two; only a whole window of it alarms.
        datapoints_to_alarm = var.evaluation_periods
        # The page for "tasks gone": a service that must run tasks and reports nothing has none. A
        # service parked at zero tasks (a new environment before its first image, ADR 0015) may be silent.
        treat_missing_data = s.min_tasks > 0 ? "breaching" : "notBreaching"
        queries = [
          {
            id          = "missing_tasks"
            expression  = "desired - FILL(running, 0)"
            label       = "Desired minus running tasks"
            return_data = true
          },
          {
            id = "desired"
            metric = {
              namespace   = "ECS/ContainerInsights"
              metric_name = "DesiredTaskCount"
              dimensions  = { ClusterName = s.cluster_name, ServiceName = s.service_name }
              stat        = "Maximum"
              period      = 60
            }
          },
          {
            id = "running"
            metric = {
              namespace   = "ECS/ContainerInsights"
              metric_name = "RunningTaskCount"
              dimensions  = { ClusterName = s.cluster_name, ServiceName = s.service_name }
              stat        = "Minimum"
              period      = 60
            }
          },
        ]
      }
    },
    { for q in compact([s.queue_name]) : "${k}-queue-age" => {
      runbook             = "job-queue-backlog"
      description         = "The oldest message in ${q} (consumed by ${s.service_name}) is older than ${s.queue_age_threshold_seconds} s: workers are down, too few, or stuck on poison messages, and jobs wait."
      namespace           = "AWS/SQS"
      metric_name         = "ApproximateAgeOfOldestMessage"
      dimensions          = { QueueName = q }
      statistic           = "Maximum"
      period              = 60
      comparison_operator = "GreaterThanThreshold"
      threshold           = s.queue_age_threshold_seconds
      # SQS stops publishing metrics for a queue idle for six hours; an idle queue has no old message.
      treat_missing_data = "notBreaching"
    } },
    { for q in compact([s.dead_letter_queue_name]) : "${k}-dlq" => {
      runbook             = "job-queue-backlog"
      description         = "Dead-letter queue ${q} of ${s.service_name} is not empty: at least one job failed every retry and will never finish unless someone looks at it."
      namespace           = "AWS/SQS"
      metric_name         = "ApproximateNumberOfMessagesVisible"
      dimensions          = { QueueName = q }
      statistic           = "Maximum"
      period              = 60
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
      evaluation_periods  = 1
      datapoints_to_alarm = 1
      treat_missing_data  = "notBreaching"
    } },
  )]...)

  # --- Load balancer ----------------------------------------------------------------------
  # ALB counters are published only when non-zero, hence FILL(..., 0). RequestCount leaves out requests
  # rejected before a target was chosen (some ELB 503s), so the denominator is at least the error count.
  lb_alarms = merge([for lb in local.lbs : {
    "lb-5xx-rate" = {
      runbook             = "load-balancer-errors"
      critical            = true
      description         = "More than ${lb.error_rate_threshold_percent} % of requests to ${lb.arn_suffix} are answered 5xx (target and load-balancer 5xx over requests) in ${var.datapoints_to_alarm} of ${var.evaluation_periods} minutes with at least ${lb.minimum_requests} requests a minute. A rate, not a count, so it means the same at any traffic."
      comparison_operator = "GreaterThanThreshold"
      threshold           = lb.error_rate_threshold_percent
      treat_missing_data  = "notBreaching"
      queries = [
        { id = "requests", metric = { namespace = "AWS/ApplicationELB", metric_name = "RequestCount", dimensions = { LoadBalancer = lb.arn_suffix }, stat = "Sum", period = 60 } },
        { id = "target5xx", metric = { namespace = "AWS/ApplicationELB", metric_name = "HTTPCode_Target_5XX_Count", dimensions = { LoadBalancer = lb.arn_suffix }, stat = "Sum", period = 60 } },
        { id = "elb5xx", metric = { namespace = "AWS/ApplicationELB", metric_name = "HTTPCode_ELB_5XX_Count", dimensions = { LoadBalancer = lb.arn_suffix }, stat = "Sum", period = 60 } },
        { id = "errors", expression = "FILL(target5xx, 0) + FILL(elb5xx, 0)" },
        { id = "total", expression = "MAX([FILL(requests, 0), errors])" },
        { id = "error_rate", expression = "IF(total >= ${lb.minimum_requests}, 100 * errors / total, 0)", label = "5xx rate (%)", return_data = true },
      ]
    }
    "lb-p99-latency" = {
      runbook             = "load-balancer-errors"
      description         = "p99 TargetResponseTime of ${lb.arn_suffix} is above ${var.slo.latency_threshold_seconds} s (the latency objective's threshold) in ${var.datapoints_to_alarm} of ${var.evaluation_periods} minutes: the slowest 1 % of requests miss the objective."
      namespace           = "AWS/ApplicationELB"
      metric_name         = "TargetResponseTime"
      dimensions          = { LoadBalancer = lb.arn_suffix }
      extended_statistic  = "p99"
      period              = 60
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.slo.latency_threshold_seconds
      treat_missing_data  = "notBreaching"
    }
    "lb-unhealthy-hosts" = {
      runbook             = "load-balancer-errors"
      description         = "Target group ${lb.target_group_arn_suffix} has unhealthy targets: tasks fail the health check path and are being replaced."
      namespace           = "AWS/ApplicationELB"
      metric_name         = "UnHealthyHostCount"
      dimensions          = { LoadBalancer = lb.arn_suffix, TargetGroup = lb.target_group_arn_suffix }
      statistic           = "Maximum"
      period              = 60
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
      treat_missing_data  = "notBreaching"
    }
    "lb-rejected-connections" = {
      runbook             = "load-balancer-errors"
      description         = "Load balancer ${lb.arn_suffix} rejects connections (RejectedConnectionCount > 0): it reached its connection limit, clients get errors before any target sees the request."
      namespace           = "AWS/ApplicationELB"
      metric_name         = "RejectedConnectionCount"
      dimensions          = { LoadBalancer = lb.arn_suffix }
      statistic           = "Sum"
      period              = 60
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
      treat_missing_data  = "notBreaching"
    }
  }]...)

  # --- Jobs --------------------------------------------------------------------------------
  # The worker publishes one JobsSucceeded or JobsFailed datapoint per finished job, so an idle worker
  # publishes nothing. A rate, evaluated only when at least minimum_jobs finish in the minute, like the
  # load balancer's 5xx rate. The root attaches it to the worker's deployments (ECS rolls back a
  # release whose jobs fail), hence notBreaching: an idle worker must not fail its deployment.
  job_alarms = { for j in(var.slo.jobs == null ? [] : [var.slo.jobs]) : "jobs-failure-rate" => {
    runbook             = "job-queue-backlog"
    description         = "More than ${j.failure_rate_threshold_percent} % of the jobs finished in a minute failed (${j.namespace} ${j.failed_metric_name} over ${j.succeeded_metric_name} + ${j.failed_metric_name}) in ${var.datapoints_to_alarm} of ${var.evaluation_periods} minutes with at least ${j.minimum_jobs} jobs a minute: a release, a model or a prompt breaks jobs. During a deployment of the worker ECS rolls the release back on this alarm."
    comparison_operator = "GreaterThanThreshold"
    threshold           = j.failure_rate_threshold_percent
    treat_missing_data  = "notBreaching"
    queries = [
      { id = "succeeded", metric = { namespace = j.namespace, metric_name = j.succeeded_metric_name, dimensions = j.dimensions, stat = "Sum", period = 60 } },
      { id = "failed", metric = { namespace = j.namespace, metric_name = j.failed_metric_name, dimensions = j.dimensions, stat = "Sum", period = 60 } },
      { id = "finished", expression = "FILL(succeeded, 0) + FILL(failed, 0)" },
      { id = "failure_rate", expression = "IF(finished >= ${j.minimum_jobs}, 100 * FILL(failed, 0) / finished, 0)", label = "Jobs failed (%)", return_data = true },
    ]
  } }

  # --- SLO burn rates -----------------------------------------------------------------------
  # Multi-window, multi-burn-rate alerting: page when 2 % of the period's error budget burns within an
  # hour (confirmed over 5 minutes), and when 5 % burns within 6 hours (confirmed over 30 minutes). The
  # burn rates follow from the compliance period (14.4 and 6 for 30 days); each window alarm compares the
  # bad-event percentage with burn rate x error budget.
  period_hours = var.slo.compliance_period_days * 24
  burn_rates = {
    fast = 2 * local.period_hours / 100       # 2 % of the budget in 1 h
    slow = 5 * local.period_hours / (6 * 100) # 5 % of the budget in 6 h
  }
  slo_windows = {
    "1h"  = { seconds = 3600, burn = "fast" }
    "5m"  = { seconds = 300, burn = "fast" }
    "6h"  = { seconds = 21600, burn = "slow" }
    "30m" = { seconds = 1800, burn = "slow" }
  }

  slo_availability = [for lb in local.lbs : {
    key     = "availability"
    target  = var.slo.availability_target_percent
    budget  = floor((100 - var.slo.availability_target_percent) * 1000000 + 0.5) / 1000000
    meaning = "requests to ${lb.arn_suffix} answered without a 5xx"
    queries = { for w, win in local.slo_windows : w => [
      { id = "requests", metric = { namespace = "AWS/ApplicationELB", metric_name = "RequestCount", dimensions = { LoadBalancer = lb.arn_suffix }, stat = "Sum", period = win.seconds } },
      { id = "target5xx", metric = { namespace = "AWS/ApplicationELB", metric_name = "HTTPCode_Target_5XX_Count", dimensions = { LoadBalancer = lb.arn_suffix }, stat = "Sum", period = win.seconds } },
      { id = "elb5xx", metric = { namespace = "AWS/ApplicationELB", metric_name = "HTTPCode_ELB_5XX_Count", dimensions = { LoadBalancer = lb.arn_suffix }, stat = "Sum", period = win.seconds } },
      { id = "errors", expression = "FILL(target5xx, 0) + FILL(elb5xx, 0)" },
      { id = "bad_pct", expression = "100 * errors / MAX([FILL(requests, 0), errors])", label = "Requests answered 5xx (%)", return_data = true },
    ] }
  } if var.slo.enabled]

  slo_latency = [for lb in local.lbs : {
    key     = "latency"
    target  = var.slo.latency_target_percent
    budget  = floor((100 - var.slo.latency_target_percent) * 1000000 + 0.5) / 1000000
    meaning = "requests to ${lb.arn_suffix} answered within ${var.slo.latency_threshold_seconds} s"
    queries = { for w, win in local.slo_windows : w => [
      # PR(:t) is the percentile rank: the percentage of requests with a response time of at most t.
      { id = "fast_pct", metric = { namespace = "AWS/ApplicationELB", metric_name = "TargetResponseTime", dimensions = { LoadBalancer = lb.arn_suffix }, stat = "PR(:${var.slo.latency_threshold_seconds})", period = win.seconds } },
      { id = "bad_pct", expression = "100 - fast_pct", label = "Requests slower than ${var.slo.latency_threshold_seconds} s (%)", return_data = true },
    ] }
  } if var.slo.enabled]

  slo_jobs = [for j in(var.slo.jobs == null ? [] : [var.slo.jobs]) : {
    key     = "job-success"
    target  = var.slo.job_success_target_percent
    budget  = floor((100 - var.slo.job_success_target_percent) * 1000000 + 0.5) / 1000000
    meaning = "finished jobs that succeeded (${j.namespace} ${j.succeeded_metric_name} / ${j.succeeded_metric_name} + ${j.failed_metric_name})"
    queries = { for w, win in local.slo_windows : w => [
      { id = "succeeded", metric = { namespace = j.namespace, metric_name = j.succeeded_metric_name, dimensions = j.dimensions, stat = "Sum", period = win.seconds } },
      { id = "failed", metric = { namespace = j.namespace, metric_name = j.failed_metric_name, dimensions = j.dimensions, stat = "Sum", period = win.seconds } },
      { id = "bad_pct", expression = "100 * FILL(failed, 0) / (FILL(succeeded, 0) + FILL(failed, 0))", label = "Jobs failed (%)", return_data = true },
    ] }
  } if var.slo.enabled]

  slos = concat(local.slo_availability, local.slo_latency, local.slo_jobs)

  slo_window_alarms = merge([for s in local.slos : { for w, win in local.slo_windows : "slo-${s.key}-${w}" => {
    runbook             = "slo-burn-rate"
    component           = true
    description         = "SLO window: over the last ${w}, the bad share of ${s.meaning} exceeds ${local.burn_rates[win.burn]} x the error budget of ${s.budget} % (objective ${s.target} % over ${var.slo.compliance_period_days} days). No action of its own: the ${win.burn}-burn composite pages when both of its windows agree."
    comparison_operator = "GreaterThanThreshold"
    threshold           = floor(s.budget * local.burn_rates[win.burn] * 1000000 + 0.5) / 1000000
    evaluation_periods  = 1
    datapoints_to_alarm = 1
    # No traffic in the window means no bad events.
    treat_missing_data = "notBreaching"
    queries            = s.queries[w]
  } }]...)

  burn_composites = merge([for s in local.slos : {
    "slo-${s.key}-fast-burn" = {
      runbook     = "slo-burn-rate"
      critical    = true
      windows     = ["slo-${s.key}-1h", "slo-${s.key}-5m"]
      description = "Fast burn of the ${s.key} objective (${s.target} % of ${s.meaning} over ${var.slo.compliance_period_days} days): at this rate 2 % of the error budget is gone within the hour and all of it in ${floor(var.slo.compliance_period_days * 24 / local.burn_rates.fast)} hours. Both the 1 h and the 5 min window are above ${local.burn_rates.fast} x budget."
    }
    "slo-${s.key}-slow-burn" = {
      runbook     = "slo-burn-rate"
      critical    = false
      windows     = ["slo-${s.key}-6h", "slo-${s.key}-30m"]
      description = "Slow burn of the ${s.key} objective (${s.target} % of ${s.meaning} over ${var.slo.compliance_period_days} days): 5 % of the error budget burned in 6 hours; the budget is gone in ${floor(var.slo.compliance_period_days / local.burn_rates.slow)} days if nothing changes. Both the 6 h and the 30 min window are above ${local.burn_rates.slow} x budget."
    }
  }]...)

  # --- All metric alarms, normalised ------------------------------------------------------
  alarm_defaults = {
    critical            = false
    component           = false
    namespace           = null
    metric_name         = null
    dimensions          = null
    statistic           = null
    extended_statistic  = null
    period              = null
    queries             = []
    evaluation_periods  = var.evaluation_periods
    datapoints_to_alarm = var.datapoints_to_alarm
  }

  metric_alarm_specs = merge(
    local.database_alarms,
    local.proxy_alarms,
    local.service_alarms,
    local.lb_alarms,
    local.job_alarms,
    local.slo_window_alarms,
  )

  critical_metric_keys = sort([for k, v in local.metric_alarm_specs : k if try(v.critical, false)])
  critical_burn_keys   = sort([for k, v in local.burn_composites : k if v.critical])
  critical_alarm_keys  = concat(local.critical_metric_keys, local.critical_burn_keys)
  composite_enabled    = var.composite_alarm_enabled && length(local.critical_alarm_keys) > 0

  metric_alarms = { for k, v in local.metric_alarm_specs : k => merge(local.alarm_defaults, v, {
    notify = !try(v.component, false) && !(try(v.critical, false) && local.composite_enabled)
  }) }

  # Names and ARNs are known at plan time; the dashboard and the outputs use them.
  critical_alarm_names = concat(
    local.composite_enabled ? ["${var.name}-service-degraded"] : [],
    [for k in local.critical_alarm_keys : "${var.name}-${k}"],
  )
  alarm_thresholds = { for k, v in local.metric_alarms : "${var.name}-${k}" => v.threshold }
}

# --- The alarms of the definitions above ------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.metric_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${each.value.description} Runbook: ${var.runbook_base_url}/${each.value.runbook}.md"
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  treat_missing_data  = each.value.treat_missing_data

  # A single metric ...
  namespace          = each.value.namespace
  metric_name        = each.value.metric_name
  dimensions         = each.value.dimensions
  statistic          = each.value.statistic
  extended_statistic = each.value.extended_statistic
  period             = each.value.period

  # ... or metric math: exactly one query returns the value the alarm compares.
  dynamic "metric_query" {
    for_each = each.value.queries

    content {
      id          = metric_query.value.id
      expression  = try(metric_query.value.expression, null)
      label       = try(metric_query.value.label, null)
      return_data = try(metric_query.value.return_data, false)

      dynamic "metric" {
        for_each = try([metric_query.value.metric], [])

        content {
          namespace   = metric.value.namespace
          metric_name = metric.value.metric_name
          dimensions  = metric.value.dimensions
          stat        = metric.value.stat
          period      = metric.value.period
        }
      }
    }
  }

  # Critical alarms feed the service-degraded composite, which notifies once for all of them;
  # SLO window alarms feed their burn-rate composites. Everything else notifies by itself.
  actions_enabled = var.actions_enabled
  alarm_actions   = each.value.notify ? local.actions : []
  ok_actions      = each.value.notify ? local.actions : []

  tags = merge(var.tags, { Severity = each.value.critical ? "critical" : "warning" })

  # Notifications published before CloudWatch may use the topic would be lost.
  depends_on = [aws_sns_topic_policy.this]
}

resource "aws_cloudwatch_composite_alarm" "slo_burn" {
  for_each = local.burn_composites

  alarm_name        = "${var.name}-${each.key}"
  alarm_description = "${each.value.description} Runbook: ${var.runbook_base_url}/${each.value.runbook}.md"
  alarm_rule = join(" AND ", [
    for k in each.value.windows : "ALARM(\"${aws_cloudwatch_metric_alarm.this[k].alarm_name}\")"
  ])

  # The fast burn is critical and pages through service-degraded; the slow burn notifies by itself.
  actions_enabled = var.actions_enabled
  alarm_actions   = each.value.critical && local.composite_enabled ? [] : local.actions
  ok_actions      = each.value.critical && local.composite_enabled ? [] : local.actions

  tags = merge(var.tags, { Severity = each.value.critical ? "critical" : "warning" })
}

resource "aws_cloudwatch_composite_alarm" "service_degraded" {
  count = local.composite_enabled ? 1 : 0

  alarm_name        = "${var.name}-service-degraded"
  alarm_description = "The ${var.environment} service is degraded: at least one critical alarm is in ALARM (${join(", ", local.critical_alarm_keys)}). This alarm notifies once for all of them; open the dashboard ${var.name} and the runbook of each alarm in ALARM. Runbook: ${var.runbook_base_url}/service-degraded.md"
  alarm_rule = join(" OR ", concat(
    [for k in local.critical_metric_keys : "ALARM(\"${aws_cloudwatch_metric_alarm.this[k].alarm_name}\")"],
    [for k in local.critical_burn_keys : "ALARM(\"${aws_cloudwatch_composite_alarm.slo_burn[k].alarm_name}\")"],
  ))

  actions_enabled = var.actions_enabled
  alarm_actions   = local.actions
  ok_actions      = local.actions

  tags = merge(var.tags, { Severity = "critical" })
}
