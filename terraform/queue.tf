# The job queue and its dead-letter queue, both encrypted with the data key (kms.tf) and TLS-only.
# The API sends one message per accepted POST /start-job; the worker receives, processes and
# deletes it. After max_receive_count failed attempts a message moves to the DLQ, which alarms.

locals {
  # Queue names may be up to 80 letters, digits, hyphens and underscores
  # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html, QueueName):
  # <service_name>-<environment>-jobs-dlq is at most 30 with service_name's 16.
  queue_names = {
    jobs = "${local.name}-jobs"
    dlq  = "${local.name}-jobs-dlq"
  }
  # ARNs are computed from names so each queue can carry its policy inline (no extra resources,
  # and no cycle between the queue and its dead-letter queue's redrive allow policy).
  queue_arns = { for k, n in local.queue_names : k => "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${n}" }
}

data "aws_iam_policy_document" "queue" {
  for_each = local.queue_names

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [local.queue_arns[each.key]]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue" "dlq" {
  name                              = local.queue_names.dlq
  message_retention_seconds         = var.queue.dlq_retention_seconds
  kms_master_key_id                 = module.data_key.key_arn
  kms_data_key_reuse_period_seconds = 300
  policy                            = data.aws_iam_policy_document.queue["dlq"].json

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [local.queue_arns.jobs]
  })
}

resource "aws_sqs_queue" "jobs" {
  name                              = local.queue_names.jobs
  visibility_timeout_seconds        = var.queue.visibility_timeout_seconds
  message_retention_seconds         = var.queue.message_retention_seconds
  receive_wait_time_seconds         = 20
  kms_master_key_id                 = module.data_key.key_arn
  kms_data_key_reuse_period_seconds = 300
  policy                            = data.aws_iam_policy_document.queue["jobs"].json

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.queue.max_receive_count
  })
}
