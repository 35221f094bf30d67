locals {
  # listener/app/<lb-name>/<lb-id>/<listener-id> -> app/<lb-name>/<lb-id>, the load balancer's ARN suffix.
  listener_path = local.load_balanced ? split("/", element(split(":", var.load_balancer.listener_arn), 5)) : []
  lb_arn_suffix = local.load_balanced ? join("/", slice(local.listener_path, 1, 4)) : null
}

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
