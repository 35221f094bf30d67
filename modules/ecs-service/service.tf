locals {
  capacity_provider_strategy = [
    for s in [
      { capacity_provider = "FARGATE", base = var.fargate_on_demand_base, weight = 100 - var.fargate_spot_share },
      { capacity_provider = "FARGATE_SPOT", base = 0, weight = var.fargate_spot_share },
    ] : s if s.weight > 0 || s.base > 0
  ]
}

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
