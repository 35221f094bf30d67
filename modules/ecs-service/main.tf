data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  cluster_name  = element(split("/", var.cluster_arn), 1)
  load_balanced = var.load_balancer != null

  # listener/app/<lb-name>/<lb-id>/<listener-id> -> app/<lb-name>/<lb-id>, the load balancer's ARN suffix.
  listener_path  = local.load_balanced ? split("/", element(split(":", var.load_balancer.listener_arn), 5)) : []
  lb_arn_suffix  = local.load_balanced ? join("/", slice(local.listener_path, 1, 4)) : null
  request_policy = local.load_balanced ? var.load_balancer.requests_per_target != null : false

  # --- Database connection budget ---------------------------------------------------------------
  # Every task opens db_pool_size connections. At full scale-out the service holds max_capacity of
  # them; during a deployment at full scale-out ECS may run up to deployment_maximum_percent of it.
  max_db_connections  = var.max_capacity * var.db_pool_size
  peak_tasks          = ceil(var.max_capacity * var.deployment_maximum_percent / 100)
  peak_db_connections = local.peak_tasks * var.db_pool_size

  # --- Logs -------------------------------------------------------------------------------------
  log_group_name     = "/ecs/${var.name}"
  log_group_arn      = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  create_log_kms_key = var.log_kms_key_arn == null
  log_kms_key_arn    = local.create_log_kms_key ? module.kms_key[0].key_arn : var.log_kms_key_arn

  exec_log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/ecs/${local.cluster_name}/execute-command"

  # --- What the execution role may read -------------------------------------------------------------
  secret_refs = distinct(concat(values(var.secrets), flatten([for s in var.sidecars : values(s.secrets)])))
  # A Secrets Manager reference may carry :json-key:version-stage:version-id; IAM wants the secret ARN.
  secretsmanager_arns = distinct([for r in local.secret_refs : join(":", slice(split(":", r), 0, 7)) if split(":", r)[2] == "secretsmanager"])
  ssm_parameter_arns  = distinct([for r in local.secret_refs : r if split(":", r)[2] == "ssm"])

  images = concat([var.image], [for s in var.sidecars : s.image])
  ecr_matches = [
    for i in local.images : try(regex("^([0-9]{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", i), null)
  ]
  ecr_repository_arns = distinct([
    for m in local.ecr_matches : "arn:${local.partition}:ecr:${m[1]}:${m[0]}:repository/${m[2]}" if m != null
  ])

  # --- Containers -------------------------------------------------------------------------------
  # Every container: non-root, read-only root filesystem, not privileged, all Linux capabilities
  # dropped, an init process that reaps zombies and forwards signals, and logs to the service's log
  # group in non-blocking mode (a CloudWatch Logs hiccup must not stall the application).
  linux_parameters = {
    initProcessEnabled = true
    capabilities       = { add = [], drop = ["ALL"] }
  }

  log_configuration = {
    logDriver = "awslogs"
    options = {
      "awslogs-group"         = local.log_group_name
      "awslogs-region"        = local.region
      "awslogs-stream-prefix" = var.name
      "mode"                  = "non-blocking"
      "max-buffer-size"       = "25m"
    }
  }

  main_environment = merge(var.environment_variables, { DB_POOL_SIZE = tostring(var.db_pool_size) })
  scratch_paths    = { for v in var.scratch_volumes : v.name => v.container_path }

  main_container = merge(
    {
      name                   = var.container_name
      image                  = var.image
      essential              = true
      cpu                    = 0
      user                   = var.user
      readonlyRootFilesystem = true
      privileged             = false
      linuxParameters        = local.linux_parameters
      stopTimeout            = var.stop_timeout
      environment            = [for k in sort(keys(local.main_environment)) : { name = k, value = local.main_environment[k] }]
      secrets                = [for k in sort(keys(var.secrets)) : { name = k, valueFrom = var.secrets[k] }]
      mountPoints            = [for v in var.scratch_volumes : { sourceVolume = v.name, containerPath = v.container_path, readOnly = false }]
      portMappings           = var.container_port == null ? [] : [{ containerPort = var.container_port, hostPort = var.container_port, protocol = "tcp" }]
      volumesFrom            = []
      logConfiguration       = local.log_configuration
    },
    var.command == null ? {} : { command = var.command },
    var.container_health_check == null ? {} : {
      healthCheck = {
        command     = var.container_health_check.command
        interval    = var.container_health_check.interval
        timeout     = var.container_health_check.timeout
        retries     = var.container_health_check.retries
        startPeriod = var.container_health_check.start_period
      }
    },
  )

  sidecar_containers = [
    for s in var.sidecars : merge(
      {
        name                   = s.name
        image                  = s.image
        essential              = s.essential
        cpu                    = s.cpu
        user                   = var.user
        readonlyRootFilesystem = true
        privileged             = false
        linuxParameters        = local.linux_parameters
        stopTimeout            = var.stop_timeout
        environment            = [for k in sort(keys(s.environment)) : { name = k, value = s.environment[k] }]
        secrets                = [for k in sort(keys(s.secrets)) : { name = k, valueFrom = s.secrets[k] }]
        mountPoints            = [for v in s.scratch_volumes : { sourceVolume = v, containerPath = local.scratch_paths[v], readOnly = false }]
        portMappings           = s.port == null ? [] : [{ containerPort = s.port, hostPort = s.port, protocol = "tcp" }]
        volumesFrom            = []
        logConfiguration       = local.log_configuration
      },
      s.memory == null ? {} : { memory = s.memory },
      s.command == null ? {} : { command = s.command },
    )
  ]

  capacity_provider_strategy = [
    for s in [
      { capacity_provider = "FARGATE", base = var.fargate_on_demand_base, weight = 100 - var.fargate_spot_share },
      { capacity_provider = "FARGATE_SPOT", base = 0, weight = var.fargate_spot_share },
    ] : s if s.weight > 0 || s.base > 0
  ]
}

# --- Logs ------------------------------------------------------------------------------------

module "kms_key" {
  source = "../kms-key"
  count  = local.create_log_kms_key ? 1 : 0

  alias_name              = "alias/ecs/${var.name}/logs"
  description             = "Log group ${local.log_group_name} of ECS service ${var.name}"
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  tags                    = var.tags

  # CloudWatch Logs may use the key for this service's log group and nothing else; it names the log
  # group in the encryption context:
  # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
  service_statements = {
    CloudWatchLogsServiceLogGroup = {
      service    = "logs.${local.region}.amazonaws.com"
      actions    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
      conditions = [{ test = "ArnEquals", variable = "kms:EncryptionContext:aws:logs:arn", values = [local.log_group_arn] }]
    }
  }
}

# Keys created before modules/kms-key keep their identity (and the log events they encrypt stay readable).
moved {
  from = aws_kms_key.logs[0]
  to   = module.kms_key[0].aws_kms_key.this
}

moved {
  from = aws_kms_alias.logs[0]
  to   = module.kms_key[0].aws_kms_alias.this
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = local.log_kms_key_arn
  tags              = var.tags
}

# --- IAM -------------------------------------------------------------------------------------

# Only ECS tasks of this account and region may assume the roles (confused-deputy protection).
data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "EcsTasksOfThisAccount"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name                 = "${var.name}-execution"
  description          = "ECS pulls the images of ${var.name}, writes its logs and reads its secrets"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = 3600
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "execution" {
  # GetAuthorizationToken has no resource-level permissions; it only issues a registry login.
  #checkov:skip=CKV_AWS_356:ecr:GetAuthorizationToken supports no resource scoping; every other statement names its resources.
  #checkov:skip=CKV_AWS_111:ecr:GetAuthorizationToken supports no resource scoping; every other statement names its resources.
  dynamic "statement" {
    for_each = length(local.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(local.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "EcrPullServiceImages"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
      resources = local.ecr_repository_arns
    }
  }

  statement {
    sid       = "WriteServiceLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:log-stream:*"]
  }

  dynamic "statement" {
    for_each = length(local.secretsmanager_arns) > 0 ? [1] : []

    content {
      sid       = "ReadListedSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.secretsmanager_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.ssm_parameter_arns) > 0 ? [1] : []

    content {
      sid       = "ReadListedParameters"
      actions   = ["ssm:GetParameters"]
      resources = local.ssm_parameter_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.secrets_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptListedSecrets"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com", "ssm.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name                 = "${var.name}-task"
  description          = "Application permissions of ECS service ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  max_session_duration = 3600
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "task" {
  #checkov:skip=CKV_AWS_111:ECS Exec's ssmmessages channel actions support no resource scoping; present only when enable_execute_command is true.
  #checkov:skip=CKV_AWS_356:ECS Exec's ssmmessages channel actions support no resource scoping; present only when enable_execute_command is true.
  dynamic "statement" {
    for_each = var.task_role_statements

    content {
      sid       = statement.value.sid
      effect    = statement.value.effect
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions

        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }

  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []

    content {
      sid = "EcsExecChannels"
      actions = [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []

    content {
      sid       = "EcsExecAuditLog"
      actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
      resources = [local.exec_log_group_arn, "${local.exec_log_group_arn}:log-stream:*"]
    }
  }

  dynamic "statement" {
    for_each = var.enable_execute_command && var.execute_command_kms_key_arn != null ? [1] : []

    content {
      sid       = "EcsExecSessionKey"
      actions   = ["kms:Decrypt"]
      resources = [var.execute_command_kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  count = length(var.task_role_statements) > 0 || var.enable_execute_command ? 1 : 0

  name   = "application"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# --- Task definition -------------------------------------------------------------------------

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(concat([local.main_container], local.sidecar_containers))
  tags                     = var.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Task-local scratch space: the only writable paths, since every root filesystem is read-only.
  dynamic "volume" {
    for_each = var.scratch_volumes

    content {
      name = volume.value.name
    }
  }
}

# --- Network ---------------------------------------------------------------------------------

resource "aws_security_group" "this" {
  name        = "${var.name}-service"
  description = "Tasks of ECS service ${var.name}"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-service" })

  # No inline rules: Terraform removes the default allow-all egress; the rules below are all there is.
}

resource "aws_vpc_security_group_ingress_rule" "from_load_balancer" {
  count = local.load_balanced ? 1 : 0

  security_group_id            = aws_security_group.this.id
  description                  = "Container port from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = var.load_balancer.security_group_id
  tags                         = var.tags
}

# The load balancer's security group has no egress of its own; each service opens its own path.
resource "aws_vpc_security_group_egress_rule" "load_balancer_to_service" {
  count = local.load_balanced ? 1 : 0

  security_group_id            = var.load_balancer.security_group_id
  description                  = "To the container port of ECS service ${var.name}"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.this.id
  tags                         = var.tags
}

resource "aws_vpc_security_group_egress_rule" "https" {
  count = length(var.https_egress_cidr_blocks)

  security_group_id = aws_security_group.this.id
  description       = "HTTPS to AWS APIs and the image registry"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = var.https_egress_cidr_blocks[count.index]
  tags              = var.tags
}

resource "aws_vpc_security_group_egress_rule" "https_prefix_list" {
  count = length(var.https_egress_prefix_list_ids)

  security_group_id = aws_security_group.this.id
  description       = "HTTPS to a managed prefix list (VPC gateway endpoint)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = var.https_egress_prefix_list_ids[count.index]
  tags              = var.tags
}

resource "aws_vpc_security_group_egress_rule" "database" {
  count = length(var.db_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = "Database connections (pool of ${var.db_pool_size} per task)"
  ip_protocol                  = "tcp"
  from_port                    = var.db_port
  to_port                      = var.db_port
  referenced_security_group_id = var.db_security_group_ids[count.index]
  tags                         = var.tags
}

# --- Load balancing --------------------------------------------------------------------------

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS terminates at the load balancer; the hop to the task stays inside private subnets and is limited by security groups to the load balancer.
  count = local.load_balanced ? 1 : 0

  name                 = var.name
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = var.container_port
  vpc_id               = var.vpc_id
  deregistration_delay = tostring(var.load_balancer.deregistration_delay)
  slow_start           = var.load_balancer.slow_start
  tags                 = var.tags

  health_check {
    enabled             = true
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = var.load_balancer.health_check_path
    matcher             = var.load_balancer.health_check_matcher
    interval            = var.load_balancer.health_check_interval
    timeout             = 5
    healthy_threshold   = var.load_balancer.healthy_threshold
    unhealthy_threshold = var.load_balancer.unhealthy_threshold
  }
}

resource "aws_lb_listener_rule" "this" {
  count = local.load_balanced ? 1 : 0

  listener_arn = var.load_balancer.listener_arn
  priority     = var.load_balancer.priority
  tags         = var.tags

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[0].arn
  }

  dynamic "condition" {
    for_each = length(var.load_balancer.path_patterns) > 0 ? [1] : []

    content {
      path_pattern {
        values = var.load_balancer.path_patterns
      }
    }
  }

  dynamic "condition" {
    for_each = length(var.load_balancer.host_headers) > 0 ? [1] : []

    content {
      host_header {
        values = var.load_balancer.host_headers
      }
    }
  }
}

# --- Service ---------------------------------------------------------------------------------

resource "aws_ecs_service" "this" {
  name                    = var.name
  cluster                 = var.cluster_arn
  task_definition         = aws_ecs_task_definition.this.arn
  desired_count           = var.min_capacity
  platform_version        = var.platform_version
  scheduling_strategy     = "REPLICA"
  enable_ecs_managed_tags = true
  propagate_tags          = "SERVICE"
  enable_execute_command  = var.enable_execute_command
  wait_for_steady_state   = false
  tags                    = var.tags

  deployment_minimum_healthy_percent = var.deployment_minimum_healthy_percent
  deployment_maximum_percent         = var.deployment_maximum_percent
  health_check_grace_period_seconds  = local.load_balanced ? var.load_balancer.health_check_grace_period_seconds : null

  deployment_controller {
    type = "ECS"
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = var.deployment_rollback
  }

  # The circuit breaker only sees tasks that never become healthy; a release that is healthy but
  # answers 5xx or slowly passes it. ECS fails the deployment when one of these alarms goes to ALARM
  # and rolls back with `rollback`. Only the rolling-update controller (type ECS, above) supports it:
  # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html
  # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
  # https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/ecs_service#alarms
  dynamic "alarms" {
    for_each = length(var.deployment_alarm_names) > 0 ? [1] : []

    content {
      alarm_names = var.deployment_alarm_names
      enable      = true
      rollback    = var.deployment_rollback
    }
  }

  dynamic "capacity_provider_strategy" {
    for_each = local.capacity_provider_strategy

    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      base              = capacity_provider_strategy.value.base
      weight            = capacity_provider_strategy.value.weight
    }
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.this.id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = local.load_balanced ? [1] : []

    content {
      target_group_arn = aws_lb_target_group.this[0].arn
      container_name   = var.container_name
      container_port   = var.container_port
    }
  }

  lifecycle {
    # Application Auto Scaling owns the running task count once the service exists (between
    # min_capacity and max_capacity). Without this, every apply would reset a scaled-out service
    # to min_capacity in the middle of a load peak. This is a design choice for AWS, not a
    # workaround for the emulator.
    ignore_changes = [desired_count]
  }

  # The target group must be attached to the listener before a service can register into it, and
  # the execution role must be able to pull and log before the first task starts.
  depends_on = [aws_lb_listener_rule.this, aws_iam_role_policy.execution]
}

# --- Autoscaling -----------------------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${local.cluster_name}/${aws_ecs_service.this.name}"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
  tags               = var.tags
}

resource "aws_appautoscaling_policy" "cpu" {
  count = var.cpu_target_utilization == null ? 0 : 1

  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_utilization
    scale_in_cooldown  = var.scale_in_cooldown
    scale_out_cooldown = var.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "memory" {
  count = var.memory_target_utilization == null ? 0 : 1

  name               = "${var.name}-memory"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.memory_target_utilization
    scale_in_cooldown  = var.scale_in_cooldown
    scale_out_cooldown = var.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageMemoryUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  count = local.request_policy ? 1 : 0

  name               = "${var.name}-requests"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.load_balancer.requests_per_target
    scale_in_cooldown  = var.scale_in_cooldown
    scale_out_cooldown = var.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${local.lb_arn_suffix}/${aws_lb_target_group.this[0].arn_suffix}"
    }
  }
}

# Backlog per task = visible messages / running tasks, as metric math inside the policy. A worker
# that waits on a model API barely uses CPU while its queue grows; this metric rises with the lag.
resource "aws_appautoscaling_policy" "queue_backlog" {
  count = var.queue_scaling == null ? 0 : 1

  name               = "${var.name}-queue-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.queue_scaling.backlog_per_task_target
    scale_in_cooldown  = var.scale_in_cooldown
    scale_out_cooldown = var.scale_out_cooldown

    customized_metric_specification {
      metrics {
        id          = "visible"
        label       = "Messages visible in ${var.queue_scaling.queue_name}"
        return_data = false

        metric_stat {
          stat = "Sum"

          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"

            dimensions {
              name  = "QueueName"
              value = var.queue_scaling.queue_name
            }
          }
        }
      }

      metrics {
        id          = "running"
        label       = "Running tasks of ${var.name}"
        return_data = false

        metric_stat {
          stat = "Average"

          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"

            dimensions {
              name  = "ClusterName"
              value = local.cluster_name
            }

            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.this.name
            }
          }
        }
      }

      metrics {
        id          = "backlog_per_task"
        label       = "Backlog per task"
        expression  = "visible / running"
        return_data = true
      }
    }
  }
}

resource "aws_appautoscaling_scheduled_action" "this" {
  for_each = { for s in var.scheduled_scaling : s.name => s }

  name               = "${var.name}-${each.key}"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id
  schedule           = each.value.schedule
  timezone           = each.value.timezone

  scalable_target_action {
    min_capacity = tostring(each.value.min_capacity)
    max_capacity = tostring(each.value.max_capacity)
  }
}
