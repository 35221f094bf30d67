# A rule a module validates on a value passed to it unchanged is stated only in that module (its
# validation fails the root plan just as well, issue #12): the proxy, slo, runbook_base_url, db_pool_size,
# Fargate Spot, backlog, retention days, instance class, backup retention and the formats of the
# certificate, origins and alarm destinations. This file keeps what is the root's own: per-account
# values and placeholders, rules across inputs or per environment, tag policy, names it composes, values
# it uses itself, and rules a module checks more loosely.

# --- Identity of the deployment ------------------------------------------------------------

variable "environment" {
  description = "Deployment environment, one of those terraform/intents.json lists (dev, prod). It names every resource and, where the file marks it production-like (prod), switches on the safety rails: deletion protection, Multi-AZ, no wildcard origins, paging alarms."
  type        = string

  validation {
    condition     = contains(keys(local.intent_table.environments), var.environment)
    error_message = "environment must be one of: ${join(", ", sort(keys(local.intent_table.environments)))} (got \"${var.environment}\"). To introduce another environment, list it in terraform/intents.json and add its tfvars and backend files under terraform/environments/."
  }
}

variable "account_id" {
  description = "Per account: the 12-digit id of the AWS account this environment deploys to. A plan made with credentials of any other account is refused before anything is read or changed."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be the 12-digit id of the environment's AWS account (got \"${var.account_id}\"). Set it per account: TF_VAR_account_id (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_ACCOUNT_ID (the pipeline); see docs/cicd.md."
  }
}

variable "region" {
  description = "AWS region of the platform, e.g. eu-west-1."
  type        = string

  # A validation may read a local since Terraform 1.9 (this repository needs 1.10):
  # https://support.hashicorp.com/hc/en-us/articles/43291233547027-Error-Invalid-reference-in-variable-validation-in-Terraform-versions-prior-to-1-9
  validation {
    condition     = can(regex(local.region_name_pattern, var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "owner" {
  description = "Team that owns and operates the platform (the Owner tag), e.g. platform-team."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9 ._:/=+@-]{0,127}$", var.owner))
    error_message = "owner must be 1-128 characters valid in an AWS tag value (letters, digits, spaces and . _ : / = + @ -)."
  }
}

variable "cost_center" {
  description = "Cost center that pays for the platform (the CostCenter tag), e.g. CC-1234."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9 ._:/=+@-]{0,127}$", var.cost_center))
    error_message = "cost_center must be 1-128 characters valid in an AWS tag value (letters, digits, spaces and . _ : / = + @ -)."
  }
}

variable "permissions_boundary_arn" {
  description = "Per account: managed policy set as the permissions boundary of every IAM role the platform creates (task, execution, proxy and monitoring roles). Required where terraform/bootstrap was applied with permissions_boundary_arn: the apply role may then create roles only with this boundary (docs/cicd.md). Null or empty: no boundary."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || var.permissions_boundary_arn == "" || can(regex(local.aws_id_pattern.iam_policy_arn, coalesce(var.permissions_boundary_arn, "x")))
    error_message = "permissions_boundary_arn must be an IAM managed policy ARN (arn:aws:iam::<account>:policy/<name>), or empty (TF_VAR_permissions_boundary_arn locally, the GitHub variable <ENV>_PERMISSIONS_BOUNDARY_ARN in the pipeline; docs/cicd.md)."
  }
}

variable "tags" {
  description = "Extra tags for every resource (merged under the provider's default_tags; Service, Environment, Owner, CostCenter and ManagedBy always win)."
  type        = map(string)
  default     = {}

  # Tag limits common to every AWS service (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html):
  # keys 1-128 and values 0-256 characters, aws: reserved, at most 50 user tags per resource, and only
  # letters, digits, spaces and _ . : / = + - @ (some services accept more; ECS, IAM, RDS and others not).
  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "tags keys must be 1-128 characters (not starting with aws:) and values at most 256."
  }

  validation {
    condition     = alltrue([for k, v in var.tags : can(regex("^[\\p{L}\\p{N}\\p{Z}_.:/=+@-]*$", k)) && can(regex("^[\\p{L}\\p{N}\\p{Z}_.:/=+@-]*$", v))])
    error_message = "tags keys and values may contain only letters, digits, spaces and _ . : / = + - @, the characters every AWS service accepts in tags; offending keys: ${join(", ", [for k, v in var.tags : k if !can(regex("^[\\p{L}\\p{N}\\p{Z}_.:/=+@-]*$", k)) || !can(regex("^[\\p{L}\\p{N}\\p{Z}_.:/=+@-]*$", v))])}."
  }

  # The provider adds Service, Environment, Owner, CostCenter and ManagedBy (providers.tf) and a resource at
  # most one tag of its own (Name, DataClass or Severity), so 50 - 5 - 1 keys remain.
  validation {
    condition     = length(setsubtract(keys(var.tags), ["Service", "Environment", "Owner", "CostCenter", "ManagedBy"])) <= 44
    error_message = "tags may hold at most 44 keys besides Service, Environment, Owner, CostCenter and ManagedBy (got ${length(setsubtract(keys(var.tags), ["Service", "Environment", "Owner", "CostCenter", "ManagedBy"]))}): AWS allows 50 user tags per resource, the platform sets those 5 and a resource may add one of its own (Name, DataClass or Severity)."
  }
}

# --- Existing network (owned by the network team, looked up here) ---------------------------

variable "network" {
  description = "Per account: how to find the existing network: the tags of the VPC (exactly one VPC must match) and, inside it, the tags of the private subnets (services, proxy, database) and public subnets (load balancer). Each subnet set must span at least two availability zones."
  type = object({
    vpc_tags            = map(string)
    private_subnet_tags = optional(map(string), { Tier = "private" })
    public_subnet_tags  = optional(map(string), { Tier = "public" })
  })

  validation {
    condition     = length(var.network.vpc_tags) > 0 && length(var.network.private_subnet_tags) > 0 && length(var.network.public_subnet_tags) > 0
    error_message = "network.vpc_tags, network.private_subnet_tags and network.public_subnet_tags must each name at least one tag; an empty filter would match every VPC or subnet. Set it per account: TF_VAR_network (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_NETWORK (the pipeline); see docs/cicd.md."
  }
}

# --- Edge ---------------------------------------------------------------------------------

variable "certificate_arn" {
  description = "Per account: ARN of the ACM certificate for the HTTPS listener, issued in the platform's region and account."
  type        = string

  validation {
    condition     = var.certificate_arn != ""
    error_message = "certificate_arn is empty. Set it per account: TF_VAR_certificate_arn (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_CERTIFICATE_ARN (the pipeline); see docs/cicd.md."
  }

  # A certificate id made of one repeated digit is the example in a template, never an issued one.
  validation {
    condition     = !can(regex(local.aws_id_pattern.acm_certificate_arn, var.certificate_arn)) || try(length(distinct(regexall("[0-9a-f]", lower(split("/", var.certificate_arn)[1])))) > 1, false)
    error_message = "certificate_arn is a placeholder (${var.certificate_arn}). Set it per account: TF_VAR_certificate_arn (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_CERTIFICATE_ARN (the pipeline); see docs/cicd.md."
  }

  # ACM certificates are regional resources that cannot be copied between regions, so the listener
  # needs one issued in the platform's own region (https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html),
  # and the load balancer can only read certificates of its own account.
  validation {
    condition     = !can(regex(local.aws_id_pattern.acm_certificate_arn, var.certificate_arn)) || try(split(":", var.certificate_arn)[3] == var.region && split(":", var.certificate_arn)[4] == var.account_id, false)
    error_message = "certificate_arn must be a certificate of account ${var.account_id} in ${var.region} (the load balancer's account and region); got ${var.certificate_arn}. Set it per account: TF_VAR_certificate_arn (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_CERTIFICATE_ARN (the pipeline); see docs/cicd.md."
  }
}

variable "api_domain_name" {
  description = "Per account: DNS name clients use for the API (a CNAME or alias to the load balancer, managed outside this configuration). Null or empty: the API URL is the load balancer's own DNS name."
  type        = string
  default     = null

  validation {
    condition     = var.api_domain_name == null || var.api_domain_name == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", coalesce(var.api_domain_name, "-")))
    error_message = "api_domain_name must be a lowercase DNS name such as api.imgclass.acme.io (no scheme, no path)."
  }

  validation {
    condition     = var.api_domain_name == null || !can(regex(local.placeholder_domain_pattern, lower(coalesce(var.api_domain_name, "-"))))
    error_message = "api_domain_name is a placeholder domain (example.com, .example, .invalid, .test). Set it per account: TF_VAR_api_domain_name (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_API_DOMAIN_NAME (the pipeline); see docs/cicd.md."
  }
}

variable "allowed_origins" {
  description = "Per account: browser origins of the web application (scheme://host[:port]); they may PUT uploads through presigned URLs (S3 CORS). \"*\" is accepted in dev only."
  type        = list(string)

  validation {
    condition     = length(var.allowed_origins) > 0
    error_message = "allowed_origins is empty. Set it per account: TF_VAR_allowed_origins (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_ALLOWED_ORIGINS (the pipeline); see docs/cicd.md."
  }

  validation {
    condition     = !anytrue([for o in var.allowed_origins : can(regex(local.placeholder_domain_pattern, lower(o)))])
    error_message = "allowed_origins contains a placeholder origin (example.com, .example, .invalid, .test). Set it per account: TF_VAR_allowed_origins (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_ALLOWED_ORIGINS (the pipeline); see docs/cicd.md."
  }

  validation {
    # Terraform >= 1.9 lets a validation read locals: the environment's intents come from locals.tf,
    # the one place an environment name becomes behaviour.
    condition     = !(local.intents.production_like && contains(var.allowed_origins, "*"))
    error_message = "allowed_origins must not contain \"*\" in ${var.environment}: any web page could then upload into the bucket with a leaked presigned URL. List the web application's origins, e.g. [\"https://app.acme.io\"]."
  }

  validation {
    condition     = !(local.intents.production_like && anytrue([for o in var.allowed_origins : startswith(o, "http://")]))
    error_message = "allowed_origins must use https:// in ${var.environment}."
  }
}

variable "waf" {
  description = "Web ACL limits. start_job_limit requests to POST /start-job per client IP per start_job_window_seconds (WAF allows windows of 60, 120, 300 or 600 s and limits from 10; the exact per-hour quota is enforced by the API, see ARCHITECTURE.md). ip_limit caps all requests per IP per 300 s."
  type = object({
    start_job_limit          = optional(number, 10)
    start_job_window_seconds = optional(number, 600)
    ip_limit                 = optional(number, 1000)
  })
  default = {}

  # EvaluationWindowSec accepts 60, 120, 300 and 600 and Limit 10 to 2,000,000,000
  # (https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html).
  validation {
    condition     = contains([60, 120, 300, 600], var.waf.start_job_window_seconds)
    error_message = "waf.start_job_window_seconds must be 60, 120, 300 or 600 (the evaluation windows AWS WAF supports)."
  }

  validation {
    condition     = var.waf.start_job_limit >= 10 && var.waf.start_job_limit <= 2000000000 && var.waf.ip_limit >= 10 && var.waf.ip_limit <= 2000000000 && floor(var.waf.start_job_limit) == var.waf.start_job_limit && floor(var.waf.ip_limit) == var.waf.ip_limit
    error_message = "waf.start_job_limit and waf.ip_limit must be whole numbers from 10 (the lowest rate limit AWS WAF accepts) to 2000000000."
  }
}

# --- Safety rails -------------------------------------------------------------------------

variable "deletion_protection" {
  description = "Protect what holds data or serves traffic from deletion: the database (plus a final snapshot), the load balancer, non-empty buckets and image repositories. Must be true in prod."
  type        = bool
  default     = true

  validation {
    condition     = !local.intents.require_deletion_protection || var.deletion_protection
    error_message = "deletion_protection must be true in ${var.environment}: the database, load balancer, buckets and image repositories hold data or serve traffic. Turn it off only where terraform/intents.json does not require it."
  }
}

# --- Data tier ----------------------------------------------------------------------------

variable "database" {
  description = "PostgreSQL behind RDS Proxy. instance_class sizes max_connections (modules/rds-postgres knows the classes it can size); multi_az must be true in prod; reserved_connections are kept out of the services' budget for migrations and on-call sessions."
  type = object({
    instance_class          = string
    engine_version          = optional(string, "17")
    multi_az                = bool
    allocated_storage       = optional(number, 20)
    max_allocated_storage   = optional(number, 100)
    backup_retention_period = number
    database_name           = optional(string, "imgclass")
    reserved_connections    = optional(number, 5)
  })

  validation {
    condition     = !local.intents.require_multi_az || var.database.multi_az
    error_message = "database.multi_az must be true in ${var.environment}: a single-AZ database is a single point of failure (an AZ outage or instance failure takes the service down until a restore)."
  }

  validation {
    condition     = var.database.reserved_connections >= 0 && floor(var.database.reserved_connections) == var.database.reserved_connections
    error_message = "database.reserved_connections must be a whole number, 0 or more."
  }

  # Stricter than modules/rds-postgres, which also accepts uppercase letters.
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database.database_name))
    error_message = "database.database_name must start with a lowercase letter and contain only lowercase letters, digits and underscores (at most 63)."
  }
}

variable "proxy" {
  description = "RDS Proxy pool settings (modules/rds-proxy explains each). max_connections_percent of the database's max_connections is the proxy's connection cap, which the services' pools must fit in; the rest is headroom for the proxy's own monitoring and failover connections, migrations and on-call sessions."
  type = object({
    max_connections_percent      = optional(number, 75)
    max_idle_connections_percent = optional(number, 35)
    connection_borrow_timeout    = optional(number, 30)
    idle_client_timeout          = optional(number, 1800)
  })
  default = {}
}

# --- Compute ------------------------------------------------------------------------------

variable "image_tag" {
  description = "Per account: tag of the api and worker images in the platform's ECR repositories (the pipeline passes the tag the image build pushed, e.g. the commit SHA). Empty: no image pushed yet, the services are created without tasks (docs/adr/0015-first-deploy-before-any-image.md). Tags are immutable; latest is refused in prod."
  type        = string
  nullable    = false

  validation {
    condition     = var.image_tag == "" || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a Docker tag: 1-128 letters, digits, underscores, dots and hyphens, not starting with a dot or hyphen (or empty before the first image is pushed)."
  }

  validation {
    condition     = local.intents.allow_latest_image_tag || var.image_tag != "latest"
    error_message = "image_tag must not be \"latest\" in ${var.environment}: deploy an immutable tag (the commit SHA) so a rollback knows what it returns to."
  }
}

variable "api" {
  description = "The HTTP API service behind the load balancer. Autoscaling keeps min_capacity-max_capacity tasks; max_capacity x db_pool_size is its share of the database connection budget. requests_per_target is the ALB requests per task per minute the autoscaler aims for."
  type = object({
    cpu                 = optional(number, 256)
    memory              = optional(number, 512)
    min_capacity        = optional(number, 1)
    max_capacity        = optional(number, 2)
    db_pool_size        = optional(number, 5)
    container_port      = optional(number, 8080)
    cpu_architecture    = optional(string, "ARM64")
    requests_per_target = optional(number, 1000)
  })
  default = {}

  # Not left to modules/ecs-service: while no image is pushed the root passes 0 and 0 instead (a parked
  # service, which the module accepts), so the module never sees these values.
  validation {
    condition     = var.api.min_capacity >= 1 && var.api.min_capacity <= var.api.max_capacity
    error_message = "api must satisfy 1 <= min_capacity <= max_capacity (got ${var.api.min_capacity} and ${var.api.max_capacity})."
  }
}

variable "worker" {
  description = "The queue-driven job worker. fargate_spot_share percent of the tasks above fargate_on_demand_base run on FARGATE_SPOT (cheap, interruptible: acceptable where jobs are retried through the queue). backlog_per_task is the queue depth per running task the autoscaler aims for."
  type = object({
    cpu                    = optional(number, 512)
    memory                 = optional(number, 1024)
    min_capacity           = optional(number, 1)
    max_capacity           = optional(number, 2)
    db_pool_size           = optional(number, 2)
    cpu_architecture       = optional(string, "ARM64")
    fargate_spot_share     = optional(number, 0)
    fargate_on_demand_base = optional(number, 1)
    backlog_per_task       = optional(number, 10)
  })
  default = {}

  # Checked here for the reason given at var.api.
  validation {
    condition     = var.worker.min_capacity >= 1 && var.worker.min_capacity <= var.worker.max_capacity
    error_message = "worker must satisfy 1 <= min_capacity <= max_capacity (got ${var.worker.min_capacity} and ${var.worker.max_capacity})."
  }
}

variable "log_retention_days" {
  description = "Retention of the services' and the web ACL's log groups, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 30

  # The only values retentionInDays accepts
  # (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
  # The modules check it too, but the value goes to four module calls (four errors for one input), and
  # this is the root's reader of the linked local.log_retention_days (ADR 0024).
  validation {
    condition     = contains(local.log_retention_days, var.log_retention_days)
    error_message = "log_retention_days must be one of the retention periods CloudWatch Logs accepts: ${join(", ", local.log_retention_days)}."
  }
}

# --- Jobs ---------------------------------------------------------------------------------

variable "queue" {
  description = "The job queue. visibility_timeout_seconds must exceed the longest job (a message reappears after it); max_receive_count attempts before a message moves to the dead-letter queue."
  type = object({
    visibility_timeout_seconds = optional(number, 300)
    max_receive_count          = optional(number, 3)
    message_retention_seconds  = optional(number, 345600)
    dlq_retention_seconds      = optional(number, 1209600)
  })
  default = {}

  # SQS accepts a visibility timeout of 0-43200 s and a retention period of 60-1209600 s
  # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html);
  # below 30 s a job in progress would reappear to a second worker. The API reference gives RedrivePolicy's
  # maxReceiveCount no range; 1-1000 is the range the SQS console offers, and a message needs at least one receive.
  validation {
    condition     = var.queue.visibility_timeout_seconds >= 30 && var.queue.visibility_timeout_seconds <= 43200
    error_message = "queue.visibility_timeout_seconds must be between 30 and 43200 (12 hours)."
  }

  validation {
    condition     = var.queue.max_receive_count >= 1 && var.queue.max_receive_count <= 1000 && floor(var.queue.max_receive_count) == var.queue.max_receive_count
    error_message = "queue.max_receive_count must be a whole number from 1 to 1000."
  }

  validation {
    condition     = alltrue([for v in [var.queue.message_retention_seconds, var.queue.dlq_retention_seconds] : v >= 60 && v <= 1209600 && floor(v) == v])
    error_message = "queue.message_retention_seconds and queue.dlq_retention_seconds must be whole numbers of seconds from 60 to 1209600 (1 minute to 14 days, what SQS accepts)."
  }

  # A standard queue's message keeps its original enqueue timestamp when it moves to the dead-letter
  # queue, so the DLQ's retention counts from the first send
  # (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html).
  validation {
    condition     = var.queue.dlq_retention_seconds >= var.queue.message_retention_seconds
    error_message = "queue.dlq_retention_seconds (${var.queue.dlq_retention_seconds}) must be at least queue.message_retention_seconds (${var.queue.message_retention_seconds}): a message keeps its original enqueue time in the dead-letter queue, so a shorter retention there deletes failed jobs before anyone can inspect or redrive them."
  }
}

variable "retention" {
  description = "Days objects live: uploads (the source images, only needed until classified) and results."
  type = object({
    upload_days = optional(number, 7)
    result_days = optional(number, 90)
  })
  default = {}
}

variable "classification" {
  description = "What the worker reads from SSM Parameter Store at run time: the prompts by name (\"default\" is required) and the model settings. Terraform creates the parameters once; later edits in Parameter Store are kept (see docs/adr/0004-runtime-parameters-in-ssm.md). bedrock_model_ids: Amazon Bedrock foundation models the worker may invoke (bedrock:InvokeModel on exactly these); empty when the model runs inside the worker image."
  type = object({
    prompts = map(string)
    model = object({
      model_id             = string
      temperature          = optional(number, 0)
      max_output_tokens    = optional(number, 512)
      confidence_threshold = optional(number, 0.7)
    })
    bedrock_model_ids = optional(list(string), [])
  })

  # Prompt names become the last level of /<service_name>/<environment>/worker/prompts/<name>: a subset of
  # the characters Parameter Store allows in a name (a-zA-Z0-9_.-), five levels of its fifteen
  # (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html, Name).
  validation {
    condition     = contains(keys(var.classification.prompts), "default") && alltrue([for k, v in var.classification.prompts : can(regex("^[a-z0-9][a-z0-9_-]{0,62}$", k)) && length(v) > 0])
    error_message = "classification.prompts must contain a \"default\" prompt; names are lowercase letters, digits, _ and - (at most 63), and no prompt is empty."
  }

  # Each prompt is a Standard-tier parameter (parameters.tf), whose value AWS limits to 4 KB; its error
  # says "a maximum parameter value of 4096 characters"
  # (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html, Value and Tier).
  validation {
    condition     = alltrue([for v in values(var.classification.prompts) : length(v) <= 4096])
    error_message = "classification.prompts ${join(", ", [for k, v in var.classification.prompts : "\"${k}\" (${length(v)} characters)" if length(v) > 4096])} exceed 4096 characters, the most a Standard-tier SSM parameter holds. Shorten the prompt or split it into several."
  }

  validation {
    condition     = length(var.classification.model.model_id) > 0 && var.classification.model.temperature >= 0 && var.classification.model.temperature <= 2 && var.classification.model.max_output_tokens >= 1 && var.classification.model.confidence_threshold >= 0 && var.classification.model.confidence_threshold <= 1
    error_message = "classification.model needs a model_id, temperature 0-2, max_output_tokens >= 1 and confidence_threshold 0-1."
  }

  validation {
    condition     = alltrue([for m in var.classification.bedrock_model_ids : can(regex("^[a-z0-9-]+\\.[A-Za-z0-9._:-]+$", m))])
    error_message = "classification.bedrock_model_ids must be Bedrock model ids such as anthropic.claude-3-haiku-20240307-v1:0 (provider.model, no ARN)."
  }
}

# --- Observability ------------------------------------------------------------------------

variable "alarm_email_addresses" {
  description = "Per account: addresses subscribed to the alarm topic (each confirms by mail). Prod needs at least one paging destination here or in alarm_https_endpoints."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = !anytrue([for e in var.alarm_email_addresses : can(regex(local.placeholder_domain_pattern, lower(e)))])
    error_message = "alarm_email_addresses contains a placeholder address (example.com, .example, .invalid, .test): alarms would mail nobody. Set it per account: TF_VAR_alarm_email_addresses (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_ALARM_EMAIL_ADDRESSES (the pipeline); see docs/cicd.md."
  }

  # modules/cloudwatch-alarms (require_alarm_actions) refuses this too; the root's message says where the
  # per-account value is set, which the module cannot know.
  validation {
    condition     = !local.intents.require_alarm_actions || length(var.alarm_email_addresses) + length(var.alarm_https_endpoints) > 0
    error_message = "${var.environment} needs a paging destination: set alarm_email_addresses or alarm_https_endpoints, or alarms fire into an empty topic. Set it per account: TF_VAR_alarm_email_addresses (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_ALARM_EMAIL_ADDRESSES (the pipeline); see docs/cicd.md."
  }
}

variable "alarm_https_endpoints" {
  description = "Per account: HTTPS endpoints (a paging service's SNS integration URL) subscribed to the alarm topic."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = !anytrue([for u in var.alarm_https_endpoints : can(regex(local.placeholder_domain_pattern, lower(try(regex("^https://([^/?#]+)", u)[0], "-"))))])
    error_message = "alarm_https_endpoints contains a placeholder host (example.com, .example, .invalid, .test). Set it per account: TF_VAR_alarm_https_endpoints (locally, in the git-ignored terraform/<env>.account.env) or the GitHub variable ${local.github_prefix}_ALARM_HTTPS_ENDPOINTS (the pipeline); see docs/cicd.md."
  }
}

variable "slo" {
  description = "Service level objectives the burn-rate alarms watch (modules/cloudwatch-alarms): availability = % of requests not answered 5xx, latency = % of requests answered within latency_threshold_seconds, job success = % of finished jobs that succeeded."
  type = object({
    availability_target_percent = optional(number, 99.9)
    latency_target_percent      = optional(number, 99)
    latency_threshold_seconds   = optional(number, 0.5)
    job_success_target_percent  = optional(number, 99)
  })
  default = {}
}

variable "runbook_base_url" {
  description = "Browsable URL of docs/runbooks in the repository (for example https://github.com/<org>/<repo>/blob/main/docs/runbooks); every alarm description links its runbook there."
  type        = string
  default     = "docs/runbooks"
}

variable "database_restore" {
  description = "Bring the environment's database up from a backup instead of empty (docs/runbooks/database-restore.md): snapshot_identifier (a DB snapshot encrypted with the database's key), or point_in_time = { source_db_instance_identifier, restore_time (UTC, \"2026-03-01T09:30:00Z\") or use_latest_restorable_time = true } from another instance of this account and region. Read only when the database instance is created (a new environment, or after the instance is gone): on a running instance it changes nothing. Null (default): an empty database."
  type = object({
    snapshot_identifier = optional(string)
    point_in_time = optional(object({
      source_db_instance_identifier = string
      restore_time                  = optional(string)
      use_latest_restorable_time    = optional(bool, false)
    }))
  })
  default = null

  # The formats and the rules of each source are checked by modules/rds-postgres (snapshot_identifier,
  # restore_to_point_in_time), with the AWS API references they come from.
  validation {
    condition     = var.database_restore == null || ((try(var.database_restore.snapshot_identifier, null) != null) != (try(var.database_restore.point_in_time, null) != null))
    error_message = "database_restore must set exactly one of snapshot_identifier or point_in_time (or be null for an empty database)."
  }
}
