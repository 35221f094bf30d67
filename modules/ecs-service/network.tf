resource "aws_security_group" "this" {
  name        = "${var.name}-service"
  description = "Tasks of ECS service ${var.name}"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-service" })

  # No inline rules: Terraform removes the default allow-all egress; the rules in this file are all there is.
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

# Every egress path of the tasks (and the load balancer's one path to them), one rule each. Keys carry
# the list position, not the value: security group and prefix list IDs usually come from resources
# created in the same apply, and for_each keys must be known at plan time.
locals {
  egress_rule_defaults = { security_group_id = aws_security_group.this.id, cidr_ipv4 = null, prefix_list_id = null, referenced_security_group_id = null }
  egress_rules = merge(
    # The load balancer's security group has no egress of its own; each service opens its own path.
    { for k in local.load_balanced ? ["load_balancer_to_service"] : [] : k => merge(local.egress_rule_defaults, {
      security_group_id            = var.load_balancer.security_group_id
      description                  = "To the container port of ECS service ${var.name}"
      port                         = var.container_port
      referenced_security_group_id = aws_security_group.this.id
    }) },
    { for i, cidr in var.https_egress_cidr_blocks : "https_${i}" => merge(local.egress_rule_defaults, {
      description = "HTTPS to AWS APIs and the image registry"
      port        = 443
      cidr_ipv4   = cidr
    }) },
    { for i, pl in var.https_egress_prefix_list_ids : "https_prefix_list_${i}" => merge(local.egress_rule_defaults, {
      description    = "HTTPS to a managed prefix list (VPC gateway endpoint)"
      port           = 443
      prefix_list_id = pl
    }) },
    { for i, sg in var.db_security_group_ids : "database_${i}" => merge(local.egress_rule_defaults, {
      description                  = "Database connections (pool of ${var.db_pool_size} per task)"
      port                         = var.db_port
      referenced_security_group_id = sg
    }) },
  )
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = local.egress_rules

  security_group_id            = each.value.security_group_id
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  cidr_ipv4                    = each.value.cidr_ipv4
  prefix_list_id               = each.value.prefix_list_id
  referenced_security_group_id = each.value.referenced_security_group_id
  tags                         = var.tags
}

# Rules created while each kind had a resource of its own (count) keep their identity: an existing
# service is updated in place instead of losing its egress between a destroy and a create. Terraform
# ignores a moved block whose `from` is not in state:
# https://developer.hashicorp.com/terraform/language/moved
# https://developer.hashicorp.com/terraform/language/modules/develop/refactoring
# Positions past the third of a list are not listed; such a rule would be replaced.
moved {
  from = aws_vpc_security_group_egress_rule.load_balancer_to_service[0]
  to   = aws_vpc_security_group_egress_rule.this["load_balancer_to_service"]
}

moved {
  from = aws_vpc_security_group_egress_rule.https[0]
  to   = aws_vpc_security_group_egress_rule.this["https_0"]
}

moved {
  from = aws_vpc_security_group_egress_rule.https[1]
  to   = aws_vpc_security_group_egress_rule.this["https_1"]
}

moved {
  from = aws_vpc_security_group_egress_rule.https[2]
  to   = aws_vpc_security_group_egress_rule.this["https_2"]
}

moved {
  from = aws_vpc_security_group_egress_rule.https_prefix_list[0]
  to   = aws_vpc_security_group_egress_rule.this["https_prefix_list_0"]
}

moved {
  from = aws_vpc_security_group_egress_rule.https_prefix_list[1]
  to   = aws_vpc_security_group_egress_rule.this["https_prefix_list_1"]
}

moved {
  from = aws_vpc_security_group_egress_rule.https_prefix_list[2]
  to   = aws_vpc_security_group_egress_rule.this["https_prefix_list_2"]
}

moved {
  from = aws_vpc_security_group_egress_rule.database[0]
  to   = aws_vpc_security_group_egress_rule.this["database_0"]
}

moved {
  from = aws_vpc_security_group_egress_rule.database[1]
  to   = aws_vpc_security_group_egress_rule.this["database_1"]
}

moved {
  from = aws_vpc_security_group_egress_rule.database[2]
  to   = aws_vpc_security_group_egress_rule.this["database_2"]
}
