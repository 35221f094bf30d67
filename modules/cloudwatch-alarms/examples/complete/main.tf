# Every alarm set of the module for one environment: database, proxy, an API and a worker service,
# the load balancer and the SLOs, with a created KMS-encrypted topic, an email subscription, the
# service-degraded composite and the dashboard. The data tier and compute values (max_connections, the
# proxy's connection_cap, each service's max_db_connections, names) are written out here; in the
# platform they are the outputs of modules/rds-postgres, modules/rds-proxy and modules/ecs-service.
# The module validates every one of them, so the example states no rule of its own.
# Queues are referenced by name only: the alarms watch them, they do not create them.
# The versions, the provider and the name and region inputs come from providers.tf, a link to the
# examples' shared harness modules/_fixtures/example/providers.tf: copy that file with the example
# (ADR 0022).

module "alarms" {
  source = "../.."

  name        = var.name
  environment = "prod"
  # The module requires an alarm action (require_alarm_actions defaults to true): the subscriptions'
  # topic. The HTTPS endpoint stands for an incident-management integration.
  email_subscriptions = ["oncall@example.com"]
  https_subscriptions = ["https://hooks.example.com/imgclass/alarms"]
  runbook_base_url    = "docs/runbooks"

  database = {
    instance_identifier          = "${var.name}-db"
    max_connections              = 901 # rds-postgres output max_connections: the formula for 8 GiB (db.m6g.large)
    allocated_storage_gib        = 100
    replica_instance_identifiers = ["${var.name}-db-replica"]
  }

  proxy = {
    proxy_name     = "${var.name}-proxy"
    connection_cap = 675 # rds-proxy output connection_cap: floor(901 * 75 / 100)
  }

  ecs_services = {
    api = {
      cluster_name       = var.name
      service_name       = "${var.name}-api"
      max_db_connections = 200 # ecs-service output max_db_connections: max_capacity x db_pool_size
    }
    worker = {
      cluster_name           = var.name
      service_name           = "${var.name}-worker"
      max_db_connections     = 100
      queue_name             = "imgclass-prod-jobs"
      dead_letter_queue_name = "imgclass-prod-jobs-dlq"
      # Jobs are retried from the queue; a missing worker shows in the queue age and the job SLO.
      critical = false
    }
  }

  load_balancer = {
    arn_suffix              = "app/imgclass-prod/50dc6c495c0c9188"
    target_group_arn_suffix = "targetgroup/imgclass-prod-api/6d0ecf831eec9f09"
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

  tags = { Environment = "prod" }
}
