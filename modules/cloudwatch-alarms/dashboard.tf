# The on-call dashboard, generated from the same inputs as the alarms: every threshold line drawn here
# is the number an alarm compares against. Rows, top to bottom:
#   1. is the service healthy: requests, 5xx rate, p99 latency, running vs desired tasks
#   2. critical alarms (the service-degraded composite first)
#   3. database connections against max_connections and the proxy cap; the proxy pool; borrow latency
#   4. queue depth and age of the oldest message
#   5. database CPU, memory, storage, I/O latency
#   6. runbooks
# Widgets of a switched-off alarm set are left out and the rest of the row widens.

locals {
  db    = length(local.databases) > 0 ? local.databases[0] : null
  px    = length(local.proxies) > 0 ? local.proxies[0] : null
  lb    = length(local.lbs) > 0 ? local.lbs[0] : null
  queue = { for k, s in local.services : k => s if s.queue_name != null || s.dead_letter_queue_name != null }

  w_requests = local.lb == null ? null : {
    type = "metric"
    properties = {
      title   = "Requests / min"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      metrics = [
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", local.lb.arn_suffix, { stat = "Sum", label = "Requests" }],
      ]
      yAxis = { left = { min = 0 } }
    }
  }

  w_error_rate = local.lb == null ? null : {
    type = "metric"
    properties = {
      title   = "5xx rate (%)"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      metrics = [
        [{ id = "rate", expression = "100 * (FILL(t5xx, 0) + FILL(e5xx, 0)) / MAX([FILL(req, 0), FILL(t5xx, 0) + FILL(e5xx, 0)])", label = "5xx rate (%)" }],
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", local.lb.arn_suffix, { id = "req", stat = "Sum", visible = false }],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", local.lb.arn_suffix, { id = "t5xx", stat = "Sum", visible = false }],
        ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", local.lb.arn_suffix, { id = "e5xx", stat = "Sum", visible = false }],
      ]
      annotations = { horizontal = [{ label = "Alarm", value = local.lb.error_rate_threshold_percent }] }
      yAxis       = { left = { min = 0 } }
    }
  }

  w_latency = local.lb == null ? null : {
    type = "metric"
    properties = {
      title   = "Target response time p99 / p50 (s)"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      metrics = [
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.lb.arn_suffix, { stat = "p99", label = "p99" }],
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.lb.arn_suffix, { stat = "p50", label = "p50" }],
      ]
      annotations = { horizontal = [{ label = "Latency objective", value = var.slo.latency_threshold_seconds }] }
      yAxis       = { left = { min = 0 } }
    }
  }

  w_tasks = length(local.services) == 0 ? null : {
    type = "metric"
    properties = {
      title   = "Running vs desired tasks"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      # concat(..., rows...) joins one level; flatten() would also flatten each metric row.
      metrics = concat([], [for k, s in local.services : [
        ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", s.cluster_name, "ServiceName", s.service_name, { stat = "Minimum", label = "${k} running" }],
        ["ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", s.cluster_name, "ServiceName", s.service_name, { stat = "Maximum", label = "${k} desired" }],
      ]]...)
      yAxis = { left = { min = 0 } }
    }
  }

  w_alarms = length(local.critical_alarm_names) == 0 ? null : {
    type = "alarm"
    properties = {
      title  = "Critical alarms"
      alarms = [for n in local.critical_alarm_names : "${local.alarm_arn_prefix}${n}"]
    }
  }

  w_db_connections = local.db == null && local.px == null ? null : {
    type = "metric"
    properties = {
      title   = "Database connections"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      metrics = concat(
        [for db in local.databases : ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", db.instance_identifier, { stat = "Maximum", label = "PostgreSQL connections" }]],
        [for p in local.proxies : ["AWS/RDS", "DatabaseConnections", "ProxyName", p.proxy_name, "TargetGroup", p.target_group_name, "TargetRole", "READ_WRITE", { stat = "Sum", label = "Proxy to database" }]],
        [for p in local.proxies : ["AWS/RDS", "ClientConnections", "ProxyName", p.proxy_name, { stat = "Sum", label = "Clients to proxy" }]],
      )
      annotations = {
        horizontal = concat(
          [for db in local.databases : { label = "max_connections", value = db.max_connections }],
          [for db in local.databases : { label = "Alarm (${db.connections_threshold_percent} %)", value = floor(db.max_connections * db.connections_threshold_percent / 100) }],
          [for p in local.proxies : { label = "Proxy cap", value = p.connection_cap }],
        )
      }
      yAxis = { left = { min = 0 } }
    }
  }

  w_proxy_pool = local.px == null ? null : {
    type = "metric"
    properties = {
      title   = "Proxy pool"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      metrics = [
        ["AWS/RDS", "DatabaseConnections", "ProxyName", local.px.proxy_name, "TargetGroup", local.px.target_group_name, "TargetRole", "READ_WRITE", { stat = "Sum", label = "Database connections" }],
        ["AWS/RDS", "MaxDatabaseConnectionsAllowed", "ProxyName", local.px.proxy_name, "TargetGroup", local.px.target_group_name, "TargetRole", "READ_WRITE", { stat = "Sum", label = "Allowed" }],
        ["AWS/RDS", "DatabaseConnectionsCurrentlySessionPinned", "ProxyName", local.px.proxy_name, "TargetGroup", local.px.target_group_name, "TargetRole", "READ_WRITE", { stat = "Sum", label = "Pinned" }],
      ]
      yAxis = { left = { min = 0 } }
    }
  }

  w_borrow_latency = local.px == null ? null : {
    type = "metric"
    properties = {
      title   = "Proxy borrow latency (microseconds)"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      metrics = [
        ["AWS/RDS", "DatabaseConnectionsBorrowLatency", "ProxyName", local.px.proxy_name, { stat = "Average", label = "Average" }],
        ["AWS/RDS", "DatabaseConnectionsBorrowLatency", "ProxyName", local.px.proxy_name, { stat = "Maximum", label = "Maximum" }],
      ]
      annotations = { horizontal = [{ label = "Alarm", value = local.px.borrow_latency_threshold_ms * 1000 }] }
      yAxis       = { left = { min = 0 } }
    }
  }

  w_queue_depth = length(local.queue) == 0 ? null : {
    type = "metric"
    properties = {
      title   = "Queue depth"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      metrics = concat([], [for k, s in local.queue : concat(
        [for q in compact([s.queue_name]) : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat = "Maximum", label = "${k} waiting" }]],
        [for q in compact([s.queue_name]) : ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", q, { stat = "Maximum", label = "${k} in flight" }]],
        [for q in compact([s.dead_letter_queue_name]) : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { stat = "Maximum", label = "${k} dead letters" }]],
      )]...)
      yAxis = { left = { min = 0 } }
    }
  }

  w_queue_age = length([for s in values(local.queue) : s if s.queue_name != null]) == 0 ? null : {
    type = "metric"
    properties = {
      title   = "Age of oldest message (s)"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      metrics = [for k, s in local.queue : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", s.queue_name, { stat = "Maximum", label = k }] if s.queue_name != null]
      annotations = {
        horizontal = [for k, s in local.queue : { label = "${k} alarm", value = s.queue_age_threshold_seconds } if s.queue_name != null]
      }
      yAxis = { left = { min = 0 } }
    }
  }

  w_db_cpu = local.db == null ? null : {
    type = "metric"
    properties = {
      title       = "Database CPU (%)"
      region      = local.region
      view        = "timeSeries"
      stacked     = false
      period      = 60
      metrics     = [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", local.db.instance_identifier, { stat = "Average", label = "CPU" }]]
      annotations = { horizontal = [{ label = "Alarm", value = local.db.cpu_threshold_percent }] }
      yAxis       = { left = { min = 0, max = 100 } }
    }
  }

  w_db_memory = local.db == null ? null : {
    type = "metric"
    properties = {
      title       = "Database freeable memory (bytes)"
      region      = local.region
      view        = "timeSeries"
      stacked     = false
      period      = 60
      metrics     = [["AWS/RDS", "FreeableMemory", "DBInstanceIdentifier", local.db.instance_identifier, { stat = "Minimum", label = "Freeable memory" }]]
      annotations = { horizontal = [{ label = "Alarm", value = local.metric_alarms["db-freeable-memory"].threshold }] }
      yAxis       = { left = { min = 0 } }
    }
  }

  w_db_storage = local.db == null ? null : {
    type = "metric"
    properties = {
      title       = "Database free storage (bytes)"
      region      = local.region
      view        = "timeSeries"
      stacked     = false
      period      = 300
      metrics     = [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", local.db.instance_identifier, { stat = "Minimum", label = "Free storage" }]]
      annotations = { horizontal = [{ label = "Alarm", value = local.metric_alarms["db-free-storage"].threshold }] }
      yAxis       = { left = { min = 0 } }
    }
  }

  w_db_latency = local.db == null ? null : {
    type = "metric"
    properties = {
      title   = "Database I/O latency (s)"
      region  = local.region
      view    = "timeSeries"
      stacked = false
      period  = 60
      metrics = [
        ["AWS/RDS", "ReadLatency", "DBInstanceIdentifier", local.db.instance_identifier, { stat = "Average", label = "Read" }],
        ["AWS/RDS", "WriteLatency", "DBInstanceIdentifier", local.db.instance_identifier, { stat = "Average", label = "Write" }],
      ]
      yAxis = { left = { min = 0 } }
    }
  }

  w_runbooks = {
    type = "text"
    properties = {
      markdown = join("\n", concat(
        ["## Runbooks", ""],
        [for r in sort(distinct(concat([for a in values(local.metric_alarms) : a.runbook], [for c in values(local.burn_composites) : c.runbook], local.composite_enabled ? ["service-degraded"] : []))) :
        "- [${r}](${var.runbook_base_url}/${r}.md)"],
      ))
    }
  }

  dashboard_rows = [
    [local.w_requests, local.w_error_rate, local.w_latency, local.w_tasks],
    [local.w_alarms],
    [local.w_db_connections, local.w_proxy_pool, local.w_borrow_latency],
    [local.w_queue_depth, local.w_queue_age],
    [local.w_db_cpu, local.w_db_memory, local.w_db_storage, local.w_db_latency],
    [local.w_runbooks],
  ]
  dashboard_rows_present = [for r in [for row in local.dashboard_rows : [for w in row : w if w != null]] : r if length(r) > 0]

  dashboard_widgets = flatten([for i, row in local.dashboard_rows_present : [for j, w in row : merge(w, {
    x      = j * floor(24 / length(row))
    y      = i * 6
    width  = floor(24 / length(row))
    height = 6
  })]])
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.dashboard_enabled ? 1 : 0

  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })

  # The alarm widget names the alarms; create them first so the dashboard never shows unknown alarms.
  depends_on = [aws_cloudwatch_metric_alarm.this, aws_cloudwatch_composite_alarm.service_degraded]
}
