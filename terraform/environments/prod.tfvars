# prod: Multi-AZ database with deletion protection and two weeks of backups, more tasks, workers on
# on-demand Fargate, paging alarms. Only what is the same in every AWS account lives here. The
# per-account values (account_id, certificate_arn, network, allowed_origins, image_tag,
# api_domain_name, alarm destinations) come from TF_VAR_<name> environment variables: the pipeline
# sets them from the GitHub variables PROD_<NAME>, a person from terraform/prod.account.env
# (docs/cicd.md, terraform.tfvars.example).

environment = "prod"
region      = "eu-west-1"
owner       = "platform-team"
cost_center = "CC-1001"

deletion_protection = true
log_retention_days  = 90

database = {
  instance_class          = "db.m6g.large"
  multi_az                = true
  allocated_storage       = 100
  max_allocated_storage   = 500
  backup_retention_period = 14
}

api = {
  cpu          = 512
  memory       = 1024
  min_capacity = 2
  max_capacity = 10
  db_pool_size = 10
}

worker = {
  cpu                    = 1024
  memory                 = 2048
  min_capacity           = 1
  max_capacity           = 10
  db_pool_size           = 4
  fargate_spot_share     = 0
  fargate_on_demand_base = 1
}

waf = {
  start_job_limit          = 10
  start_job_window_seconds = 600
  ip_limit                 = 2000
}

retention = {
  upload_days = 7
  result_days = 365
}

classification = {
  prompts = {
    default = "Classify the image into exactly one of the configured labels. Answer with JSON: {\"label\": string, \"confidence\": number between 0 and 1}."
  }
  model = {
    model_id          = "anthropic.claude-3-haiku-20240307-v1:0"
    max_output_tokens = 256
  }
  bedrock_model_ids = ["anthropic.claude-3-haiku-20240307-v1:0"]
}
