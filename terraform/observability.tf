# Alarms, the SNS topic they notify and the dashboard, all sized from the same numbers that size
# the platform: the database's effective max_connections, the proxy's cap and each service's
# max_db_connections (modules/cloudwatch-alarms; runbooks in docs/runbooks/).

locals {
  # Custom metrics the worker publishes per finished job (JobsSucceeded / JobsFailed); the job
  # success SLO is computed from them.
  job_metrics_namespace = "${var.service_name}/${var.environment}/jobs"
}

module "alarms" {
  source = "../modules/cloudwatch-alarms"

  name                = local.name
  environment         = var.environment
  email_subscriptions = var.alarm_email_addresses
  https_subscriptions = var.alarm_https_endpoints
  runbook_base_url    = var.runbook_base_url

  database = {
    instance_identifier   = module.database.instance_identifier
    max_connections       = module.database.max_connections
    allocated_storage_gib = var.database.allocated_storage
  }

  proxy = {
    proxy_name     = module.proxy.proxy_name
    connection_cap = module.proxy.connection_cap
  }

  ecs_services = {
    api = {
      cluster_name       = module.cluster.cluster_name
      service_name       = module.api.service_name
      max_db_connections = module.api.max_db_connections
    }
    worker = {
      cluster_name           = module.cluster.cluster_name
      service_name           = module.worker.service_name
      max_db_connections     = module.worker.max_db_connections
      queue_name             = aws_sqs_queue.jobs.name
      dead_letter_queue_name = aws_sqs_queue.dlq.name
      # A job older than two visibility timeouts has failed at least once or waits for capacity.
      queue_age_threshold_seconds = max(900, 2 * var.queue.visibility_timeout_seconds)
    }
  }

  load_balancer = {
    arn_suffix              = module.alb.arn_suffix
    target_group_arn_suffix = module.api.target_group_arn_suffix
  }

  slo = merge(var.slo, {
    jobs = { namespace = local.job_metrics_namespace }
  })
}
