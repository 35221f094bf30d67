# The ECS cluster, the internet-facing load balancer (the only thing listening on 0.0.0.0/0) with
# its web ACL, and the two services built from modules/ecs-service.
#
# Security groups chain: internet -> ALB (443, 80 redirect) -> api (container port, from the ALB
# group only) -> proxy (5432, from the api and worker groups only) -> database (5432, from the
# proxy group only). Tasks otherwise reach only HTTPS (AWS APIs) through the network's egress.

module "cluster" {
  source = "../modules/ecs-cluster"

  name               = local.name
  container_insights = "enhanced"
  kms_key_arn        = module.operations_key.key_arn
}

module "alb" {
  source = "../modules/alb"

  name                = local.name
  vpc_id              = local.vpc_id
  subnet_ids          = local.public_subnet_ids
  certificate_arn     = var.certificate_arn
  deletion_protection = var.deletion_protection
  access_logs_bucket  = module.logs_bucket.bucket_id
  access_logs_prefix  = local.alb_access_logs_prefix
}

resource "aws_wafv2_web_acl_association" "alb" {
  resource_arn = module.alb.arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}

locals {
  # The host variable is modules/ecs-service's contract.json's, which the connection-budget check reads
  # to tell which containers connect to which database.
  ecs_service_contract = jsondecode(file("${path.module}/../modules/ecs-service/contract.json"))

  # What both services need to reach the database through the proxy with IAM authentication.
  db_environment = {
    (local.ecs_service_contract.db_host_env) = module.proxy.proxy_endpoint
    DB_PORT                                  = tostring(module.proxy.port)
    DB_NAME                                  = var.database.database_name
    DB_IAM_AUTH                              = "true"
    DB_SSLMODE                               = "verify-full"
  }
}

module "api" {
  source = "../modules/ecs-service"

  permissions_boundary = local.permissions_boundary_arn

  name             = "${local.name}-api"
  log_kms_key_arn  = module.operations_key.key_arn
  cluster_arn      = module.cluster.cluster_arn
  vpc_id           = local.vpc_id
  subnet_ids       = local.private_subnet_ids
  image            = "${aws_ecr_repository.this["api"].repository_url}:${local.deployed_tag}"
  cpu              = var.api.cpu
  memory           = var.api.memory
  cpu_architecture = var.api.cpu_architecture
  container_port   = var.api.container_port
  min_capacity     = local.images_pending ? 0 : var.api.min_capacity
  max_capacity     = local.images_pending ? 0 : var.api.max_capacity

  # Intent from terraform/locals.tf (variables.tf refuses image_tag "latest" in prod before this).
  allow_latest_image_tag = local.intents.allow_latest_image_tag

  db_pool_size          = var.api.db_pool_size
  db_port               = module.database.port
  db_security_group_ids = [module.proxy.security_group_id]

  environment_variables = merge(local.db_environment, {
    DB_USER          = local.db_usernames.api
    UPLOAD_BUCKET    = module.uploads_bucket.bucket_id
    UPLOAD_PREFIX    = local.upload_prefix
    JOB_QUEUE_URL    = aws_sqs_queue.jobs.url
    ALLOWED_ORIGINS  = join(",", var.allowed_origins)
    JOBS_PER_HOUR_IP = "20"
  })

  load_balancer = {
    listener_arn      = module.alb.https_listener_arn
    security_group_id = module.alb.security_group_id
    # A fixed priority keeps the rule's place stable when more rules join the listener.
    priority            = 100
    path_patterns       = ["/*"]
    health_check_path   = "/health"
    requests_per_target = var.api.requests_per_target
  }

  task_role_statements  = local.api_statements
  log_retention_in_days = var.log_retention_days

  # A release that is healthy but answers 5xx or slowly rolls back (names: terraform/observability.tf).
  deployment_alarm_names = local.deployment_alarm_names.api
}

module "worker" {
  source = "../modules/ecs-service"

  permissions_boundary = local.permissions_boundary_arn

  name                   = "${local.name}-worker"
  log_kms_key_arn        = module.operations_key.key_arn
  allow_latest_image_tag = local.intents.allow_latest_image_tag
  cluster_arn            = module.cluster.cluster_arn
  vpc_id                 = local.vpc_id
  subnet_ids             = local.private_subnet_ids
  image                  = "${aws_ecr_repository.this["worker"].repository_url}:${local.deployed_tag}"
  cpu                    = var.worker.cpu
  memory                 = var.worker.memory
  cpu_architecture       = var.worker.cpu_architecture
  min_capacity           = local.images_pending ? 0 : var.worker.min_capacity
  max_capacity           = local.images_pending ? 0 : var.worker.max_capacity
  fargate_spot_share     = var.worker.fargate_spot_share
  fargate_on_demand_base = var.worker.fargate_on_demand_base
  # A job in flight gets the longest grace Fargate allows; an interrupted one returns to the queue.
  stop_timeout = 120

  db_pool_size          = var.worker.db_pool_size
  db_port               = module.database.port
  db_security_group_ids = [module.proxy.security_group_id]

  environment_variables = merge(local.db_environment, {
    DB_USER          = local.db_usernames.worker
    UPLOAD_BUCKET    = module.uploads_bucket.bucket_id
    UPLOAD_PREFIX    = local.upload_prefix
    RESULTS_BUCKET   = module.results_bucket.bucket_id
    RESULTS_PREFIX   = local.results_prefix
    JOB_QUEUE_URL    = aws_sqs_queue.jobs.url
    PARAMETER_PREFIX = local.parameter_prefix
    METRICS_NS       = local.job_metrics_namespace
  })

  queue_scaling = {
    queue_name              = aws_sqs_queue.jobs.name
    backlog_per_task_target = var.worker.backlog_per_task
  }

  task_role_statements  = local.worker_statements
  log_retention_in_days = var.log_retention_days

  # A release whose jobs fail rolls back (names: terraform/observability.tf).
  deployment_alarm_names = local.deployment_alarm_names.worker
}
