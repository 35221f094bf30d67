# Task role permissions of the two services: exactly what each one's code does, on exactly the
# resources it does it to. Both roles are created by modules/ecs-service with these statements and
# nothing else; the execution roles (image pull, logs, listed secrets) are the module's.
#
# KMS: S3, SQS and SSM use the environment's data key (kms.tf). Every kms: grant is limited to
# use through the one service that needs it (kms:ViaService), so a role cannot decrypt directly.

locals {
  # rds-db:connect through the proxy, each service as its own database user only.
  db_user_arns = { for k, u in local.db_usernames : k => "${module.proxy.iam_connect_arn_prefix}/${u}" }

  via = { for svc in ["s3", "sqs", "ssm"] : svc => "${svc}.${local.region}.amazonaws.com" }

  api_statements = [
    {
      # GET /upload-url presigns a PUT; the browser's upload runs with these permissions.
      sid       = "PresignUploadPut"
      actions   = ["s3:PutObject"]
      resources = ["${module.uploads_bucket.bucket_arn}/${local.upload_prefix}*"]
    },
    {
      sid        = "UploadEncryption"
      actions    = ["kms:GenerateDataKey"]
      resources  = [module.uploads_bucket.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [local.via.s3] }]
    },
    {
      # POST /start-job queues the job.
      sid       = "SendJobs"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.jobs.arn]
    },
    {
      sid        = "JobQueueEncryption"
      actions    = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources  = [module.data_key.key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [local.via.sqs] }]
    },
    {
      sid       = "ConnectThroughProxy"
      actions   = ["rds-db:connect"]
      resources = [local.db_user_arns.api]
    },
  ]

  worker_statements = concat(local.worker_base_statements, length(var.classification.bedrock_model_ids) == 0 ? [] : [
    {
      sid       = "InvokeClassificationModel"
      actions   = ["bedrock:InvokeModel"]
      resources = [for m in var.classification.bedrock_model_ids : "arn:${local.partition}:bedrock:${local.region}::foundation-model/${m}"]
    },
  ])

  worker_base_statements = [
    {
      sid       = "ReadUploads"
      actions   = ["s3:GetObject"]
      resources = ["${module.uploads_bucket.bucket_arn}/${local.upload_prefix}*"]
    },
    {
      sid        = "UploadDecryption"
      actions    = ["kms:Decrypt"]
      resources  = [module.uploads_bucket.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [local.via.s3] }]
    },
    {
      sid       = "WriteResults"
      actions   = ["s3:PutObject"]
      resources = ["${module.results_bucket.bucket_arn}/${local.results_prefix}*"]
    },
    {
      sid        = "ResultEncryption"
      actions    = ["kms:GenerateDataKey"]
      resources  = [module.results_bucket.kms_key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [local.via.s3] }]
    },
    {
      sid       = "ConsumeJobs"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
      resources = [aws_sqs_queue.jobs.arn]
    },
    {
      sid       = "ReadRuntimeParameters"
      actions   = ["ssm:GetParameter", "ssm:GetParameters"]
      resources = local.worker_parameter_arns
    },
    {
      sid        = "QueueAndParameterDecryption"
      actions    = ["kms:Decrypt"]
      resources  = [module.data_key.key_arn]
      conditions = [{ test = "StringEquals", variable = "kms:ViaService", values = [local.via.sqs, local.via.ssm] }]
    },
    {
      sid       = "ConnectThroughProxy"
      actions   = ["rds-db:connect"]
      resources = [local.db_user_arns.worker]
    },
    {
      # PutMetricData has no resource-level permissions; the namespace condition scopes it.
      sid        = "PublishJobMetrics"
      actions    = ["cloudwatch:PutMetricData"]
      resources  = ["*"]
      conditions = [{ test = "StringEquals", variable = "cloudwatch:namespace", values = [local.job_metrics_namespace] }]
    },
  ]
}
