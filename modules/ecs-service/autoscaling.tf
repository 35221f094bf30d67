locals {
  # Target tracking on a metric ECS or the load balancer publishes by itself, one policy each; the
  # queue backlog needs metric math and has a resource of its own below.
  request_policy = local.load_balanced ? var.load_balancer.requests_per_target != null : false
  target_tracking_policies = merge(
    var.cpu_target_utilization == null ? {} : {
      cpu = { target_value = var.cpu_target_utilization, metric_type = "ECSServiceAverageCPUUtilization", resource_label = null }
    },
    var.memory_target_utilization == null ? {} : {
      memory = { target_value = var.memory_target_utilization, metric_type = "ECSServiceAverageMemoryUtilization", resource_label = null }
    },
    { for k in local.request_policy ? ["requests"] : [] : k => {
      target_value   = var.load_balancer.requests_per_target
      metric_type    = "ALBRequestCountPerTarget"
      resource_label = "${local.lb_arn_suffix}/${aws_lb_target_group.this[0].arn_suffix}"
    } },
  )
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${local.cluster_name}/${aws_ecs_service.this.name}"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
  tags               = var.tags
}


resource "aws_appautoscaling_policy" "target_tracking" {
  for_each = local.target_tracking_policies

  name               = "${var.name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target_value
    scale_in_cooldown  = var.scale_in_cooldown
    scale_out_cooldown = var.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = each.value.metric_type
      resource_label         = each.value.resource_label
    }
  }
}

# Policies created while each had a resource of its own (count) keep their identity:
# https://developer.hashicorp.com/terraform/language/moved
moved {
  from = aws_appautoscaling_policy.cpu[0]
  to   = aws_appautoscaling_policy.target_tracking["cpu"]
}

moved {
  from = aws_appautoscaling_policy.memory[0]
  to   = aws_appautoscaling_policy.target_tracking["memory"]
}

moved {
  from = aws_appautoscaling_policy.requests[0]
  to   = aws_appautoscaling_policy.target_tracking["requests"]
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
