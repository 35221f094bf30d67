# --- Identity and placement ------------------------------------------------------------------

variable "name" {
  description = "Service name: 2-32 lowercase letters, digits and hyphens. Also the task definition family, the target group name, the log group /ecs/<name> and the prefix of the role and security group names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name))
    error_message = "name must be 2-32 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit."
  }
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster (modules/ecs-cluster `cluster_arn`). The cluster must have the FARGATE and FARGATE_SPOT capacity providers and Container Insights on."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}$", var.cluster_arn))
    error_message = "cluster_arn must be an ECS cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the tasks (no public IP is ever assigned). They need a route to the AWS APIs the tasks use (NAT gateway or VPC endpoints)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.subnet_ids) >= 1 && alltrue([for s in var.subnet_ids : can(regex(local.aws_id_pattern.subnet_id, s))])
    error_message = "subnet_ids must list at least one subnet ID (subnet-0123abcd...); use private subnets in two or more Availability Zones."
  }
}

# --- Task definition -------------------------------------------------------------------------

variable "image" {
  description = "Image of the main container, pinned by tag or digest (registry/repository:tag or registry/repository@sha256:<digest>). :latest is refused unless allow_latest_image_tag is true."
  type        = string

  validation {
    condition     = can(regex("@sha256:[a-f0-9]{64}$", var.image)) || can(regex("^[^:@/]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$", element(split("/", var.image), length(split("/", var.image)) - 1)))
    error_message = "image must name a tag or a digest (for example 123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2 or ...@sha256:<64 hex>); an image without one silently means :latest."
  }

  validation {
    condition     = var.allow_latest_image_tag || !endswith(var.image, ":latest")
    error_message = "image must not use the :latest tag while allow_latest_image_tag is false: pin a version tag or a digest so a deployment is reproducible and can be rolled back."
  }
}

variable "allow_latest_image_tag" {
  description = "Accept images tagged :latest (main container and sidecars). False (default) demands a version tag or a digest, so a deployment is reproducible and a rollback knows what it returns to; set true only where that does not matter (a scratch environment)."
  type        = bool
  default     = false
  nullable    = false
}

variable "container_name" {
  description = "Name of the main container (the load balancer routes to it)."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$", var.container_name))
    error_message = "container_name must be 1-255 letters, digits, hyphens and underscores."
  }
}

variable "cpu" {
  description = "Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU)."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Fargate task sizes)."
  }
}

variable "memory" {
  description = "Task memory in MiB; must be a Fargate combination with cpu (see the error message for the list)."
  type        = number
  default     = 512

  validation {
    condition = (
      (var.cpu == 256 && contains([512, 1024, 2048], var.memory)) ||
      (var.cpu == 512 && var.memory >= 1024 && var.memory <= 4096 && var.memory % 1024 == 0) ||
      (var.cpu == 1024 && var.memory >= 2048 && var.memory <= 8192 && var.memory % 1024 == 0) ||
      (var.cpu == 2048 && var.memory >= 4096 && var.memory <= 16384 && var.memory % 1024 == 0) ||
      (var.cpu == 4096 && var.memory >= 8192 && var.memory <= 30720 && var.memory % 1024 == 0) ||
      (var.cpu == 8192 && var.memory >= 16384 && var.memory <= 61440 && var.memory % 4096 == 0) ||
      (var.cpu == 16384 && var.memory >= 32768 && var.memory <= 122880 && var.memory % 8192 == 0)
    )
    error_message = "memory ${var.memory} MiB is not a valid Fargate size for cpu ${var.cpu}. Valid combinations: cpu 256: 512, 1024, 2048; cpu 512: 1024-4096 in steps of 1024; cpu 1024: 2048-8192 in steps of 1024; cpu 2048: 4096-16384 in steps of 1024; cpu 4096: 8192-30720 in steps of 1024; cpu 8192: 16384-61440 in steps of 4096; cpu 16384: 32768-122880 in steps of 8192."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the tasks: X86_64 or ARM64 (Graviton, about 20 % cheaper; the image must be built for it)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "container_port" {
  description = "Port the main container listens on (1-65535). Required for a load-balanced service; null for a worker that listens on nothing."
  type        = number
  default     = null

  validation {
    condition     = var.container_port == null || try(var.container_port >= 1 && var.container_port <= 65535 && floor(var.container_port) == var.container_port, false)
    error_message = "container_port must be a whole number from 1 to 65535 (or null for a service without a port)."
  }
}

variable "command" {
  description = "Command of the main container, overriding the image's CMD. Null keeps the image's."
  type        = list(string)
  default     = null
}

variable "user" {
  description = "User (and group) the containers run as: a non-root UID[:GID] or user name. Root (0, root) is refused."
  type        = string
  default     = "1000:1000"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$", var.user)) && !contains(["0", "root"], split(":", var.user)[0])
    error_message = "user must be a non-root user, UID[:GID] or name[:group] (for example 1000:1000); \"0\" and \"root\" are refused."
  }
}

variable "environment_variables" {
  description = "Plain environment variables of the main container. Never put secrets here: pass them in `secrets` as ARNs. DB_POOL_SIZE is set by the module from db_pool_size."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k, v in var.environment_variables : !can(regex("(?i)(password|passwd|secret|token|private_?key|api_?key|credential)", k)) || startswith(v, "arn:")])
    error_message = "environment_variables holds a name that looks like a secret (password, secret, token, key, credential) with a plain value: pass it in `secrets` as a Secrets Manager or SSM Parameter Store ARN instead."
  }

  # The name is contract.json's (task.tf sets it), which the connection-budget check reads too.
  validation {
    condition     = !contains(keys(var.environment_variables), local.contract.pool_size_env)
    error_message = "environment_variables must not set ${local.contract.pool_size_env}: the module sets it from db_pool_size, the number the connection budget is computed from."
  }

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "environment_variables names must be letters, digits and underscores, not starting with a digit."
  }
}

variable "secrets" {
  description = "Secrets of the main container: environment variable name => ARN of a Secrets Manager secret (optionally with :json-key:version-stage:version-id) or an SSM parameter. Use full secret ARNs (with the 6-character suffix). The execution role may read exactly these."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k, v in var.secrets : can(regex(local.aws_id_pattern.ecs_secret_value_from, v))])
    error_message = "secrets values must be ARNs of Secrets Manager secrets (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or SSM parameters (arn:aws:ssm:<region>:<account>:parameter/<name>), never the secret values themselves."
  }

  validation {
    condition     = alltrue([for k in keys(var.secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k))])
    error_message = "secrets names must be letters, digits and underscores, not starting with a digit."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer-managed KMS keys that encrypt the secrets (and SecureString parameters). The execution role gets kms:Decrypt on exactly these, only through Secrets Manager and SSM. Empty when the secrets use AWS managed keys."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for k in var.secrets_kms_key_arns : can(regex(local.aws_id_pattern.kms_key_arn, k))])
    error_message = "secrets_kms_key_arns must be KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "scratch_volumes" {
  description = "The only writable paths of the main container (the root filesystem is read-only): task-local volumes mounted at these paths, emptied when the task stops."
  type = list(object({
    name           = string
    container_path = string
  }))
  default  = [{ name = "tmp", container_path = "/tmp" }]
  nullable = false

  validation {
    condition     = alltrue([for v in var.scratch_volumes : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$", v.name)) && startswith(v.container_path, "/") && v.container_path != "/"]) && length(distinct([for v in var.scratch_volumes : v.name])) == length(var.scratch_volumes)
    error_message = "scratch_volumes must have unique names (letters, digits, hyphens, underscores) and absolute container paths other than /."
  }
}

variable "container_health_check" {
  description = "Container health check run by ECS inside the task (the image must contain the command), for example { command = [\"CMD-SHELL\", \"wget -qO- http://localhost:8080/health || exit 1\"] }. Null: none (the target group health check still applies)."
  type = object({
    command      = list(string)
    interval     = optional(number, 30)
    timeout      = optional(number, 5)
    retries      = optional(number, 3)
    start_period = optional(number, 15)
  })
  default = null

  validation {
    condition     = var.container_health_check == null || try(contains(["CMD", "CMD-SHELL", "NONE"], var.container_health_check.command[0]), false)
    error_message = "container_health_check.command must start with \"CMD\", \"CMD-SHELL\" or \"NONE\"."
  }

  validation {
    condition = var.container_health_check == null || try(
      var.container_health_check.interval >= 5 && var.container_health_check.interval <= 300 &&
      var.container_health_check.timeout >= 2 && var.container_health_check.timeout <= 60 &&
      var.container_health_check.retries >= 1 && var.container_health_check.retries <= 10 &&
      var.container_health_check.start_period >= 0 && var.container_health_check.start_period <= 300,
    false)
    error_message = "container_health_check limits: interval 5-300 s, timeout 2-60 s, retries 1-10, start_period 0-300 s."
  }
}

variable "stop_timeout" {
  description = "Seconds the containers get between SIGTERM and SIGKILL to finish in-flight work (Fargate allows up to 120)."
  type        = number
  default     = 30

  validation {
    condition     = var.stop_timeout >= 2 && var.stop_timeout <= 120 && floor(var.stop_timeout) == var.stop_timeout
    error_message = "stop_timeout must be a whole number of seconds from 2 to 120."
  }
}

variable "sidecars" {
  description = "Further containers of the task (for example a log router or a metrics agent), hardened like the main one: non-root, read-only root filesystem, init process. scratch_volumes names volumes of var.scratch_volumes to mount at the same paths."
  type = list(object({
    name            = string
    image           = string
    essential       = optional(bool, false)
    cpu             = optional(number, 0)
    memory          = optional(number)
    command         = optional(list(string))
    port            = optional(number)
    environment     = optional(map(string), {})
    secrets         = optional(map(string), {})
    scratch_volumes = optional(list(string), [])
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for s in var.sidecars : can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$", s.name))]) && length(distinct([for s in var.sidecars : s.name])) == length(var.sidecars) && !contains([for s in var.sidecars : s.name], var.container_name)
    error_message = "sidecars names must be unique letters, digits, hyphens and underscores, and differ from container_name."
  }

  validation {
    condition     = alltrue([for s in var.sidecars : can(regex("@sha256:[a-f0-9]{64}$", s.image)) || can(regex("^[^:@/]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$", element(split("/", s.image), length(split("/", s.image)) - 1)))]) && (var.allow_latest_image_tag || !anytrue([for s in var.sidecars : endswith(s.image, ":latest")]))
    error_message = "sidecars images must name a tag or a digest, and must not use :latest while allow_latest_image_tag is false."
  }

  validation {
    condition     = alltrue([for s in var.sidecars : alltrue([for k, v in s.secrets : can(regex(local.aws_id_pattern.ecs_secret_value_from, v))])])
    error_message = "sidecars secrets values must be Secrets Manager secret or SSM parameter ARNs, never the secret values themselves."
  }

  validation {
    condition     = alltrue([for s in var.sidecars : s.port == null || try(s.port >= 1 && s.port <= 65535 && floor(s.port) == s.port, false)])
    error_message = "sidecars port must be a whole number from 1 to 65535 (or null)."
  }

  validation {
    condition     = alltrue([for s in var.sidecars : alltrue([for v in s.scratch_volumes : contains([for sv in var.scratch_volumes : sv.name], v)])])
    error_message = "sidecars scratch_volumes must name volumes listed in var.scratch_volumes."
  }
}

variable "platform_version" {
  description = "Fargate platform version of the service. LATEST picks up platform security patches on each deployment."
  type        = string
  default     = "LATEST"

  # Both choices are 1.4.0 or later, which FARGATE_SPOT needs for ARM64 tasks (X86_64: 1.3.0), so
  # fargate_spot_share and cpu_architecture combine freely on either:
  # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
  validation {
    condition     = can(regex("^(LATEST|1\\.4\\.0)$", var.platform_version))
    error_message = "platform_version must be LATEST or 1.4.0."
  }
}

# --- Database connections ----------------------------------------------------------------------

variable "db_pool_size" {
  description = "Database connections each task opens (its pool size). Injected as DB_POOL_SIZE; max_db_connections = max_capacity x db_pool_size is what this service can hold open at scale-out, and the composition checks it against the proxy's cap."
  type        = number

  validation {
    condition     = var.db_pool_size >= 1 && var.db_pool_size <= 1000 && floor(var.db_pool_size) == var.db_pool_size
    error_message = "db_pool_size must be a whole number of connections per task, at least 1 (and at most 1000)."
  }
}

variable "db_port" {
  description = "Port of the database (or its proxy) the tasks connect to."
  type        = number
  default     = 5432

  validation {
    condition     = var.db_port >= 1 && var.db_port <= 65535 && floor(var.db_port) == var.db_port
    error_message = "db_port must be a whole number from 1 to 65535."
  }
}

variable "db_security_group_ids" {
  description = "Security groups of the database proxy (or database): the tasks may open connections to them on db_port, and to nothing else but HTTPS. The other side must allow ingress from this service's security group (output security_group_id)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for s in var.db_security_group_ids : can(regex(local.aws_id_pattern.security_group_id, s))])
    error_message = "db_security_group_ids must be security group IDs (sg-0123abcd...)."
  }
}

# --- Network egress ------------------------------------------------------------------------------

variable "https_egress_cidr_blocks" {
  description = "IPv4 ranges the tasks may reach on port 443 (AWS APIs, image registry). The default allows any HTTPS destination through the NAT; with VPC endpoints for every API used, narrow it to the VPC CIDR."
  type        = list(string)
  default     = ["0.0.0.0/0"]
  nullable    = false

  validation {
    condition     = alltrue([for c in var.https_egress_cidr_blocks : can(cidrhost(c, 0)) && !strcontains(c, ":")])
    error_message = "https_egress_cidr_blocks must be IPv4 CIDR blocks (for example 10.0.0.0/16)."
  }
}

variable "https_egress_prefix_list_ids" {
  description = "Managed prefix lists the tasks may reach on port 443, for example the S3 gateway endpoint's (pl-...)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for p in var.https_egress_prefix_list_ids : can(regex("^pl-[0-9a-f]{8,17}$", p))])
    error_message = "https_egress_prefix_list_ids must be prefix list IDs (pl-0123abcd...)."
  }
}

# --- Load balancing --------------------------------------------------------------------------

variable "load_balancer" {
  description = <<-EOT
    Load balancing of the main container; null for a worker. Fields:
    listener_arn (required: the HTTPS listener the rule is attached to), security_group_id (required: the load balancer's security group, the only allowed source of traffic),
    priority (listener rule priority, null = next free), path_patterns (default ["/*"]), host_headers (default []),
    health_check_path (default "/health"), health_check_matcher (default "200"), health_check_interval (default 15), healthy_threshold (default 2), unhealthy_threshold (default 3),
    deregistration_delay (default 30 s), slow_start (default 0 = off, else 30-900 s), health_check_grace_period_seconds (default 60), requests_per_target (ALBRequestCountPerTarget target, default 1000; null disables that policy).
  EOT
  type = object({
    listener_arn                      = optional(string)
    security_group_id                 = optional(string)
    priority                          = optional(number)
    path_patterns                     = optional(list(string), ["/*"])
    host_headers                      = optional(list(string), [])
    health_check_path                 = optional(string, "/health")
    health_check_matcher              = optional(string, "200")
    health_check_interval             = optional(number, 15)
    healthy_threshold                 = optional(number, 2)
    unhealthy_threshold               = optional(number, 3)
    deregistration_delay              = optional(number, 30)
    slow_start                        = optional(number, 0)
    health_check_grace_period_seconds = optional(number, 60)
    requests_per_target               = optional(number, 1000)
  })
  default = null

  validation {
    condition     = var.load_balancer == null || try(can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:listener/app/[^/]+/[0-9a-f]+/[0-9a-f]+$", var.load_balancer.listener_arn)), false)
    error_message = "load_balancer.listener_arn is required for a load-balanced service and must be an ALB listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>); use modules/alb `https_listener_arn`."
  }

  validation {
    condition     = var.load_balancer == null || try(can(regex(local.aws_id_pattern.security_group_id, var.load_balancer.security_group_id)), false)
    error_message = "load_balancer.security_group_id is required for a load-balanced service: the load balancer's security group (modules/alb `security_group_id`), the only source allowed to reach the container port."
  }

  validation {
    condition     = var.load_balancer == null || var.container_port != null
    error_message = "container_port is required when load_balancer is set: the target group forwards to it."
  }

  validation {
    condition     = var.load_balancer == null || try(startswith(var.load_balancer.health_check_path, "/") && length(var.load_balancer.health_check_path) <= 1024, false)
    error_message = "load_balancer.health_check_path must start with \"/\" (for example /health) and be at most 1024 characters."
  }

  validation {
    condition     = var.load_balancer == null || try(can(regex("^[0-9]{3}((-|,)[0-9]{3})*$", var.load_balancer.health_check_matcher)), false)
    error_message = "load_balancer.health_check_matcher must be HTTP codes such as \"200\", \"200,204\" or \"200-299\"."
  }

  validation {
    condition     = var.load_balancer == null || try(length(var.load_balancer.path_patterns) + length(var.load_balancer.host_headers) > 0 && length(var.load_balancer.path_patterns) <= 5 && length(var.load_balancer.host_headers) <= 5 && alltrue([for p in var.load_balancer.path_patterns : startswith(p, "/")]), false)
    error_message = "load_balancer needs at least one condition: up to 5 path_patterns (each starting with \"/\") and/or up to 5 host_headers."
  }

  validation {
    condition     = var.load_balancer == null ? true : var.load_balancer.priority == null ? true : try(var.load_balancer.priority >= 1 && var.load_balancer.priority <= 50000 && floor(var.load_balancer.priority) == var.load_balancer.priority, false)
    error_message = "load_balancer.priority must be a whole number from 1 to 50000 (or null for the next free priority)."
  }

  validation {
    condition = var.load_balancer == null || try(
      var.load_balancer.deregistration_delay >= 0 && var.load_balancer.deregistration_delay <= 3600 &&
      (var.load_balancer.slow_start == 0 || (var.load_balancer.slow_start >= 30 && var.load_balancer.slow_start <= 900)) &&
      var.load_balancer.health_check_grace_period_seconds >= 0 && var.load_balancer.health_check_grace_period_seconds <= 2147483647 &&
      var.load_balancer.health_check_interval >= 5 && var.load_balancer.health_check_interval <= 300 &&
      var.load_balancer.healthy_threshold >= 2 && var.load_balancer.healthy_threshold <= 10 &&
      var.load_balancer.unhealthy_threshold >= 2 && var.load_balancer.unhealthy_threshold <= 10,
    false)
    error_message = "load_balancer limits: deregistration_delay 0-3600 s, slow_start 0 or 30-900 s, health_check_grace_period_seconds >= 0, health_check_interval 5-300 s, healthy_threshold and unhealthy_threshold 2-10."
  }

  validation {
    condition     = var.load_balancer == null ? true : var.load_balancer.requests_per_target == null ? true : try(var.load_balancer.requests_per_target > 0, false)
    error_message = "load_balancer.requests_per_target must be a positive number of requests per task per minute (or null to scale on CPU and memory only)."
  }
}

# --- Deployment ----------------------------------------------------------------------------

variable "deployment_minimum_healthy_percent" {
  description = "Lower bound of running tasks during a deployment, in percent of the desired count. 100 keeps full capacity while new tasks start."
  type        = number
  default     = 100

  validation {
    condition     = var.deployment_minimum_healthy_percent >= 0 && var.deployment_minimum_healthy_percent <= 100 && floor(var.deployment_minimum_healthy_percent) == var.deployment_minimum_healthy_percent
    error_message = "deployment_minimum_healthy_percent must be a whole number from 0 to 100."
  }
}

variable "deployment_maximum_percent" {
  description = "Upper bound of running tasks during a deployment, in percent of the desired count. Tasks above 100 % also open database connections: see the peak_db_connections output."
  type        = number
  default     = 200

  validation {
    condition     = var.deployment_maximum_percent >= 100 && var.deployment_maximum_percent <= 200 && floor(var.deployment_maximum_percent) == var.deployment_maximum_percent && var.deployment_maximum_percent > var.deployment_minimum_healthy_percent
    error_message = "deployment_maximum_percent must be a whole number from 100 to 200 and above deployment_minimum_healthy_percent (otherwise a deployment cannot start a task)."
  }
}

variable "deployment_rollback" {
  description = "Roll back to the last working deployment when the circuit breaker, or one of deployment_alarm_names, stops a failing one."
  type        = bool
  default     = true
}

variable "deployment_alarm_names" {
  description = "Names of CloudWatch alarms that fail a deployment when they go to ALARM while it runs (and during the bake time ECS derives from their evaluation settings); with deployment_rollback ECS then rolls back to the last completed deployment. Pass alarms on what users feel (5xx rate, latency, job failures), whose missing data is notBreaching or missing: an alarm that is in ALARM on an idle service would fail every deployment. Empty turns the check off."
  type        = list(string)
  default     = []
  nullable    = false

  # PutMetricAlarm: AlarmName is 1-255 characters
  # (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html). The
  # DeploymentAlarms reference says 'Use a "," to separate the alarms'
  # (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html), so a comma
  # inside one name would be read as two alarms.
  validation {
    condition     = alltrue([for n in var.deployment_alarm_names : length(n) >= 1 && length(n) <= 255 && !strcontains(n, ",")])
    error_message = "deployment_alarm_names entries must be CloudWatch alarm names of 1-255 characters without a comma (ECS reads a comma as a separator between alarms)."
  }

  validation {
    condition     = length(distinct(var.deployment_alarm_names)) == length(var.deployment_alarm_names)
    error_message = "deployment_alarm_names must not list an alarm twice."
  }
}

variable "enable_execute_command" {
  description = "Allow ECS Exec into running tasks (audited in the cluster's execute-command log group). Off by default."
  type        = bool
  default     = false
}

variable "execute_command_kms_key_arn" {
  description = "KMS key of ECS Exec sessions (modules/ecs-cluster `kms_key_arn`); the task role gets kms:Decrypt on it when enable_execute_command is true."
  type        = string
  default     = null

  validation {
    condition     = var.execute_command_kms_key_arn == null || can(regex(local.aws_id_pattern.kms_key_arn, var.execute_command_kms_key_arn))
    error_message = "execute_command_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

# --- Capacity and scaling --------------------------------------------------------------------

variable "fargate_spot_share" {
  description = "Percentage (0-100) of the tasks above fargate_on_demand_base that run on FARGATE_SPOT (about 70 % cheaper, may be interrupted with two minutes' notice). For workers whose jobs are retried through the queue; keep 0 for the API."
  type        = number
  default     = 0

  validation {
    condition     = var.fargate_spot_share >= 0 && var.fargate_spot_share <= 100 && floor(var.fargate_spot_share) == var.fargate_spot_share
    error_message = "fargate_spot_share must be a whole percentage from 0 to 100."
  }
}

variable "fargate_on_demand_base" {
  description = "Tasks that always run on on-demand FARGATE before the Spot share applies."
  type        = number
  default     = 1

  validation {
    condition     = var.fargate_on_demand_base >= 0 && var.fargate_on_demand_base <= 100000 && floor(var.fargate_on_demand_base) == var.fargate_on_demand_base
    error_message = "fargate_on_demand_base must be a whole number of tasks, 0 or more."
  }
}

variable "min_capacity" {
  description = "Fewest tasks autoscaling keeps (also the desired count at creation). At least 1 for a running service: queue-backlog scaling divides by the running task count. 0 only together with max_capacity = 0: a parked service that starts no task (the first deploy, before any image exists: docs/adr/0015-first-deploy-before-any-image.md)."
  type        = number
  default     = 1

  validation {
    condition     = floor(var.min_capacity) == var.min_capacity && (var.min_capacity >= 1 || (var.min_capacity == 0 && var.max_capacity == 0))
    error_message = "min_capacity must be a whole number of tasks, at least 1; 0 only together with max_capacity = 0 (a parked service)."
  }

  validation {
    condition     = var.min_capacity <= var.max_capacity
    error_message = "min_capacity (${var.min_capacity}) must not be above max_capacity (${var.max_capacity})."
  }
}

variable "max_capacity" {
  description = "Most tasks autoscaling may run. Sizes the database connection budget: max_db_connections = max_capacity x db_pool_size. 0 parks the service (with min_capacity = 0)."
  type        = number
  default     = 2

  # Application Auto Scaling accepts 0 to 5000 tasks for an ECS service's desired count.
  # https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
  validation {
    condition     = var.max_capacity >= 0 && var.max_capacity <= 5000 && floor(var.max_capacity) == var.max_capacity
    error_message = "max_capacity must be a whole number of tasks from 0 to 5000."
  }
}

variable "cpu_target_utilization" {
  description = "Target average CPU utilization (percent) of the target tracking policy on CPU; null disables that policy."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_utilization == null || try(var.cpu_target_utilization >= 10 && var.cpu_target_utilization <= 90, false)
    error_message = "cpu_target_utilization must be between 10 and 90 percent (or null)."
  }
}

variable "memory_target_utilization" {
  description = "Target average memory utilization (percent) of the target tracking policy on memory; null disables that policy."
  type        = number
  default     = 75

  validation {
    condition     = var.memory_target_utilization == null || try(var.memory_target_utilization >= 10 && var.memory_target_utilization <= 90, false)
    error_message = "memory_target_utilization must be between 10 and 90 percent (or null)."
  }
}

variable "queue_scaling" {
  description = "Queue-driven scaling of a worker: target tracking of the backlog per task, ApproximateNumberOfMessagesVisible of queue_name / RunningTaskCount of the service (Container Insights). backlog_per_task_target = messages one task clears within the acceptable latency (latency / seconds per message)."
  type = object({
    queue_name              = string
    backlog_per_task_target = number
  })
  default = null

  validation {
    condition     = var.queue_scaling == null || try(can(regex(local.aws_id_pattern.sqs_queue_name, var.queue_scaling.queue_name)) && var.queue_scaling.backlog_per_task_target > 0, false)
    error_message = "queue_scaling needs queue_name (an SQS queue name, not a URL or ARN) and a positive backlog_per_task_target."
  }
}

variable "scale_in_cooldown" {
  description = "Seconds after a scale-in before another scale-in (slow, to avoid flapping)."
  type        = number
  default     = 300

  validation {
    condition     = var.scale_in_cooldown >= 0 && var.scale_in_cooldown <= 3600 && floor(var.scale_in_cooldown) == var.scale_in_cooldown
    error_message = "scale_in_cooldown must be a whole number of seconds from 0 to 3600."
  }
}

variable "scale_out_cooldown" {
  description = "Seconds after a scale-out before another scale-out (short, to follow load quickly)."
  type        = number
  default     = 60

  validation {
    condition     = var.scale_out_cooldown >= 0 && var.scale_out_cooldown <= 3600 && floor(var.scale_out_cooldown) == var.scale_out_cooldown
    error_message = "scale_out_cooldown must be a whole number of seconds from 0 to 3600."
  }
}

variable "scheduled_scaling" {
  description = "Scheduled changes of min/max capacity, for example scaling a dev worker down at night: [{ name = \"night\", schedule = \"cron(0 20 * * ? *)\", min_capacity = 1, max_capacity = 1 }]. max_capacity here must not exceed var.max_capacity (the connection budget)."
  type = list(object({
    name         = string
    schedule     = string
    min_capacity = number
    max_capacity = number
    timezone     = optional(string, "UTC")
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for s in var.scheduled_scaling : can(regex("^[A-Za-z0-9_-]{1,64}$", s.name)) && can(regex("^(cron|rate|at)\\(.+\\)$", s.schedule))]) && length(distinct([for s in var.scheduled_scaling : s.name])) == length(var.scheduled_scaling)
    error_message = "scheduled_scaling entries need a unique name (letters, digits, hyphens, underscores) and a schedule of the form cron(...), rate(...) or at(...)."
  }

  validation {
    condition     = alltrue([for s in var.scheduled_scaling : s.min_capacity >= 0 && s.min_capacity <= s.max_capacity && s.max_capacity <= var.max_capacity])
    error_message = "scheduled_scaling capacities must satisfy 0 <= min_capacity <= max_capacity <= var.max_capacity, so a schedule can never exceed the database connection budget."
  }
}

# --- IAM, logs -----------------------------------------------------------------------------

variable "task_role_statements" {
  description = "The task role's permissions, exactly these statements (the application's own AWS access). Each: { sid, effect (default Allow), actions, resources, conditions = [{ test, variable, values }] }."
  type = list(object({
    sid       = optional(string)
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default  = []
  nullable = false

  validation {
    condition     = alltrue([for s in var.task_role_statements : contains(["Allow", "Deny"], s.effect) && length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "task_role_statements entries need effect Allow or Deny and at least one action and one resource."
  }

  validation {
    condition     = alltrue([for s in var.task_role_statements : !(s.effect == "Allow" && contains(s.actions, "*"))])
    error_message = "task_role_statements must not allow the \"*\" action: list the actions the application needs."
  }

  validation {
    condition     = alltrue([for s in var.task_role_statements : s.sid == null || can(regex("^[A-Za-z0-9]+$", s.sid))])
    error_message = "task_role_statements sid must be alphanumeric."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the service's log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains(local.log_retention_days, var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the retention periods CloudWatch Logs accepts: ${join(", ", local.log_retention_days)}."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the log group. Its key policy must allow logs.<region>.amazonaws.com for this log group (kms:EncryptionContext:aws:logs:arn). When null the module creates such a key, with rotation on."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex(local.aws_id_pattern.kms_key_arn, var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias or key id."
  }
}
