# Every alarm set of the module for one environment: database, proxy, an API and a worker service,
# the load balancer and the SLOs, with a created KMS-encrypted topic, an email subscription, the
# service-degraded composite and the dashboard. The data tier and compute values (max_connections, the
# proxy's connection_cap, each service's max_db_connections, names) are plain inputs here; in the
# platform they are the outputs of modules/rds-postgres, modules/rds-proxy and modules/ecs-service.
# Queues are referenced by name only: the alarms watch them, they do not create them.
# The versions, the provider and the name and region inputs come from providers.tf, a link to the
# examples' shared harness modules/_fixtures/example/providers.tf: copy that file with the example
# (ADR 0022).

module "alarms" {
  source = "../.."

  name                = var.name
  environment         = var.environment
  email_subscriptions = var.email_subscriptions
  https_subscriptions = var.https_subscriptions
  runbook_base_url    = var.runbook_base_url

  database = {
    instance_identifier          = "${var.name}-db"
    max_connections              = var.max_connections
    allocated_storage_gib        = var.allocated_storage_gib
    replica_instance_identifiers = ["${var.name}-db-replica"]
  }

  proxy = {
    proxy_name     = "${var.name}-proxy"
    connection_cap = var.proxy_connection_cap
  }

  ecs_services = {
    api = {
      cluster_name       = var.name
      service_name       = "${var.name}-api"
      max_db_connections = var.api_max_db_connections
    }
    worker = {
      cluster_name           = var.name
      service_name           = "${var.name}-worker"
      max_db_connections     = var.worker_max_db_connections
      queue_name             = var.job_queue_name
      dead_letter_queue_name = var.job_dead_letter_queue_name
      # Jobs are retried from the queue; a missing worker shows in the queue age and the job SLO.
      critical = false
    }
  }

  load_balancer = {
    arn_suffix              = var.load_balancer_arn_suffix
    target_group_arn_suffix = var.target_group_arn_suffix
  }

  slo = {
    availability_target_percent = 99.9
    latency_target_percent      = 99
    latency_threshold_seconds   = 0.5
    job_success_target_percent  = 99
    jobs = {
      namespace  = "ImgClass/Jobs"
      dimensions = { Service = "${var.name}-worker" }
    }
  }

  tags = { Environment = var.environment }
}
