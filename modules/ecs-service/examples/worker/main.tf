# A queue-driven worker: an SQS job queue with a dead-letter queue, and a service that scales on the
# backlog per task (visible messages / running tasks), runs most of its tasks on FARGATE_SPOT and
# keeps one on-demand task. It has no port and no load balancer.
# The versions, the provider and the name and region inputs come from providers.tf, a link to the
# examples' shared harness modules/_fixtures/example/providers.tf: copy that file with the example
# (ADR 0022).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  image = coalesce(var.image, "${data.aws_caller_identity.current.account_id}.dkr.ecr.${var.region}.amazonaws.com/imgclass/worker:0.1.0")
}

# --- Network (the platform looks up an existing one instead) ----------------------------------

module "network" {
  source = "../../../_fixtures/network"

  region     = var.region
  name       = var.name
  cidr_block = "10.42.0.0/16"
}

# --- Job queue ------------------------------------------------------------------------------

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-jobs-dlq"
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "jobs" {
  name                       = "${var.name}-jobs"
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = 300
  receive_wait_time_seconds  = 20

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = 5
  })
}

# --- Deployment alarm: a release whose jobs fail rolls back ----------------------------------
# In the platform this alarm comes from modules/cloudwatch-alarms (job-failure-rate); the example
# keeps its own. The worker publishes JobsSucceeded / JobsFailed per finished job, so an idle worker
# publishes nothing: missing data is notBreaching, or every deployment of an idle worker would fail.
resource "aws_cloudwatch_metric_alarm" "job_failure_rate" {
  alarm_name          = "${var.name}-job-failure-rate"
  alarm_description   = "More than 10 % of the jobs finished by ${var.name}-worker failed in 3 of 5 minutes."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 10
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "failure_rate"
    expression  = "IF(FILL(succeeded, 0) + FILL(failed, 0) >= 5, 100 * FILL(failed, 0) / (FILL(succeeded, 0) + FILL(failed, 0)), 0)"
    label       = "Jobs failed (%)"
    return_data = true
  }

  metric_query {
    id = "succeeded"

    metric {
      namespace   = "ImgClass/Jobs"
      metric_name = "JobsSucceeded"
      dimensions  = { Service = "${var.name}-worker" }
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "failed"

    metric {
      namespace   = "ImgClass/Jobs"
      metric_name = "JobsFailed"
      dimensions  = { Service = "${var.name}-worker" }
      stat        = "Sum"
      period      = 60
    }
  }
}

# --- Cluster and worker ---------------------------------------------------------------------

module "cluster" {
  source = "../../../ecs-cluster"

  name = var.name
}

module "worker" {
  source = "../.."

  name        = "${var.name}-worker"
  cluster_arn = module.cluster.cluster_arn
  vpc_id      = module.network.vpc_id
  subnet_ids  = module.network.private_subnet_ids

  image            = local.image
  cpu              = 1024
  memory           = 2048
  cpu_architecture = "ARM64"
  command          = ["python", "-m", "worker"]
  stop_timeout     = 120

  environment_variables = {
    JOB_QUEUE_URL = aws_sqs_queue.jobs.url
  }

  db_pool_size = 2

  # Most workers on Spot: a job interrupted by a Spot reclaim returns to the queue and is retried.
  fargate_spot_share     = 80
  fargate_on_demand_base = 1

  min_capacity = 1
  max_capacity = 6
  queue_scaling = {
    queue_name              = aws_sqs_queue.jobs.name
    backlog_per_task_target = 10
  }
  memory_target_utilization = null

  deployment_alarm_names = [aws_cloudwatch_metric_alarm.job_failure_rate.alarm_name]
  scale_in_cooldown      = 300
  scale_out_cooldown     = 60

  scheduled_scaling = [
    { name = "night", schedule = "cron(0 20 * * ? *)", min_capacity = 1, max_capacity = 2, timezone = "Europe/Dublin" },
    { name = "day", schedule = "cron(0 7 ? * MON-FRI *)", min_capacity = 1, max_capacity = 6, timezone = "Europe/Dublin" },
  ]

  task_role_statements = [
    {
      sid       = "ConsumeJobs"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
      resources = [aws_sqs_queue.jobs.arn]
    },
    {
      sid       = "ReadPrompts"
      actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
      resources = ["arn:${data.aws_partition.current.partition}:ssm:${var.region}:${data.aws_caller_identity.current.account_id}:parameter/${var.name}/prompts/*"]
    },
  ]

}
