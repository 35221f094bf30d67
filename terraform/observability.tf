# Alarms, the SNS topic they notify and the dashboard, all sized from the same numbers that size
# the platform: the database's effective max_connections, the proxy's cap and each service's
# max_db_connections (modules/cloudwatch-alarms; runbooks in docs/runbooks/).

locals {
  # Custom metrics the worker publishes per finished job (JobsSucceeded / JobsFailed); the job
  # success SLO and the job failure rate alarm are computed from them.
  job_metrics_namespace = "${var.service_name}/${var.environment}/jobs"

  # The alarms each service's deployments roll back on (compute.tf). modules/cloudwatch-alarms names
  # every alarm "<name>-<key>"; the names are built here, from the module's name input and keys,
  # instead of read from its outputs: those depend on the services (service and target group names
  # are alarm dimensions), and the services would then depend on themselves. Thresholds are not
  # repeated: these ARE the module's alarms. terraform_data.deployment_alarms fails the plan if a name
  # here is not an alarm the module creates.
  #   api    - what users of the API feel: the 5xx rate and the p99 latency at the load balancer.
  #   worker - what users of jobs feel: the share of finished jobs that failed.
  # All three count missing data as not breaching (modules/cloudwatch-alarms/alarms.tf), so an idle
  # service's deployment is not failed by silence.
  alarm_name_prefix = local.name
  deployment_alarm_keys = {
    api    = ["lb-5xx-rate", "lb-p99-latency"]
    worker = ["jobs-failure-rate"]
  }
  deployment_alarm_names = {
    for service, keys in local.deployment_alarm_keys : service => [for k in keys : "${local.alarm_name_prefix}-${k}"]
  }
}

module "alarms" {
  source = "../modules/cloudwatch-alarms"

  name                = local.alarm_name_prefix
  kms_key_arn         = module.operations_key.key_arn
  environment         = var.environment
  email_subscriptions = var.alarm_email_addresses
  https_subscriptions = var.alarm_https_endpoints
  runbook_base_url    = var.runbook_base_url

  # Intent from terraform/locals.tf (variables.tf demands an alarm address in prod before this).
  require_alarm_actions = local.intents.require_alarm_actions

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
      # 0 while the platform waits for its first image (ADR 0015): a parked service may be silent.
      min_tasks = module.api.min_capacity
    }
    worker = {
      cluster_name           = module.cluster.cluster_name
      service_name           = module.worker.service_name
      max_db_connections     = module.worker.max_db_connections
      min_tasks              = module.worker.min_capacity
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

# Every deployment alarm name is an alarm of module.alarms: a name ECS watches but CloudWatch does not
# have can never go to ALARM, and the rollback would silently never happen.
resource "terraform_data" "deployment_alarms" {
  input = local.deployment_alarm_names

  lifecycle {
    precondition {
      condition     = length(setsubtract(flatten(values(local.deployment_alarm_names)), keys(module.alarms.alarm_thresholds))) == 0
      error_message = "Deployment alarms ${join(", ", setsubtract(flatten(values(local.deployment_alarm_names)), keys(module.alarms.alarm_thresholds)))} are not alarms of module.alarms (it creates ${join(", ", sort(keys(module.alarms.alarm_thresholds)))}): fix local.deployment_alarm_keys in terraform/observability.tf."
    }
  }
}
