# A small root for the interruption tests: named resources of the kinds the platform creates, one of
# them slow (the provider waits ~25 s for an SQS queue's attributes), kept in an S3 backend with a
# lock file, tagged like the platform so that `python -m scripts orphans` sees them.
# The versions are the repository's one statement of them, linked: versions.tf.
terraform {
  backend "s3" {}
}

variable "service" {
  description = "Service tag and name prefix"
  type        = string
}

variable "environment" {
  description = "Environment tag and name prefix"
  type        = string
}

provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { Service = var.service, Environment = var.environment, ManagedBy = "terraform" }
  }
}

locals {
  name = "${var.service}-${var.environment}"
}

resource "aws_cloudwatch_log_group" "worker" {
  name              = "/${var.service}/${var.environment}/worker"
  retention_in_days = 14
}

resource "aws_sqs_queue" "jobs" {
  name                    = "${local.name}-jobs"
  sqs_managed_sse_enabled = true
}

resource "aws_iam_role" "worker" {
  name = "${local.name}-worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "worker" {
  name = "read-jobs"
  role = aws_iam_role.worker.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource = aws_sqs_queue.jobs.arn }]
  })
}

resource "aws_ssm_parameter" "queue_url" {
  name  = "/${var.service}/${var.environment}/worker/queue-url"
  type  = "String"
  value = aws_sqs_queue.jobs.url
}
