# dev: smallest sizes, Spot workers, single-AZ database, everything deletable.
# Only what is the same in every AWS account lives here. The per-account values (account_id,
# certificate_arn, network, allowed_origins, image_tag, api_domain_name, alarm destinations) come
# from TF_VAR_<name> environment variables: the pipeline sets them from the GitHub variables
# DEV_<NAME>, a person from terraform/dev.account.env (docs/cicd.md, terraform.tfvars.example).

environment = "dev"
region      = "eu-west-1"
owner       = "platform-team"
cost_center = "CC-1001"

deletion_protection = false
log_retention_days  = 14

database = {
  # The smallest class whose max_connections (84, modules/rds-postgres) still holds dev's budget of
  # 19 connections at full scale-out with the proxy's 75 % share (63); 1 GiB suffices for dev data.
  instance_class          = "db.t4g.micro"
  multi_az                = false
  allocated_storage       = 20
  max_allocated_storage   = 50
  backup_retention_period = 1
}

api = {
  cpu          = 256
  memory       = 512
  min_capacity = 1
  max_capacity = 2
  db_pool_size = 5
}

worker = {
  # The worker waits on S3 and the model, not on its CPU: the smallest Fargate size holds one job's
  # image in memory with room to spare, and dev proves the same module, Spot and scaling.
  cpu                    = 256
  memory                 = 512
  min_capacity           = 1
  max_capacity           = 2
  db_pool_size           = 2
  fargate_spot_share     = 100
  fargate_on_demand_base = 0
}

retention = {
  upload_days = 3
  result_days = 14
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
