locals {
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

  # The variable names a task reads its database settings from, shared with the connection-budget
  # check (scripts/checks/budget.py): see the file's _comment.
  contract         = jsondecode(file("${path.module}/contract.json"))
  main_environment = merge(var.environment_variables, { (local.contract.pool_size_env) = tostring(var.db_pool_size) })
  scratch_paths    = { for v in var.scratch_volumes : v.name => v.container_path }

  # The main container first, then the sidecars, in the sidecars' shape; container_definitions below
  # builds every one of them the same way, so a hardening setting cannot reach one and miss the others.
  containers = concat(
    [{
      name            = var.container_name
      image           = var.image
      essential       = true
      cpu             = 0
      memory          = null
      command         = var.command
      port            = var.container_port
      environment     = local.main_environment
      secrets         = var.secrets
      scratch_volumes = [for v in var.scratch_volumes : v.name]
      health_check    = var.container_health_check
    }],
    [for s in var.sidecars : merge(s, { health_check = null })],
  )

  container_definitions = [
    for c in local.containers : merge(
      {
        name                   = c.name
        image                  = c.image
        essential              = c.essential
        cpu                    = c.cpu
        user                   = var.user
        readonlyRootFilesystem = true
        privileged             = false
        linuxParameters        = local.linux_parameters
        stopTimeout            = var.stop_timeout
        environment            = [for k in sort(keys(c.environment)) : { name = k, value = c.environment[k] }]
        secrets                = [for k in sort(keys(c.secrets)) : { name = k, valueFrom = c.secrets[k] }]
        mountPoints            = [for v in c.scratch_volumes : { sourceVolume = v, containerPath = local.scratch_paths[v], readOnly = false }]
        portMappings           = c.port == null ? [] : [{ containerPort = c.port, hostPort = c.port, protocol = "tcp" }]
        volumesFrom            = []
        logConfiguration       = local.log_configuration
      },
      c.memory == null ? {} : { memory = c.memory },
      c.command == null ? {} : { command = c.command },
      c.health_check == null ? {} : {
        healthCheck = {
          command     = c.health_check.command
          interval    = c.health_check.interval
          timeout     = c.health_check.timeout
          retries     = c.health_check.retries
          startPeriod = c.health_check.start_period
        }
      },
    )
  ]
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(local.container_definitions)
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
