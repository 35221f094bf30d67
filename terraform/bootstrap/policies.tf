# Permissions of the deploy roles. The apply roles get what the platform's resources need, scoped
# by service, by the environment's resource-name prefix and, where AWS only offers tags, by the
# Service and Environment tags the root configuration's default_tags put on everything. Statements
# that must stay on "*" say why; docs/cicd.md ("Apply-role permissions") has the full reasoning.

locals {
  arn_regional = "arn:${local.partition}:%s:${local.region}:${local.account_id}"
  iam_arn      = "arn:${local.partition}:iam::${local.account_id}"

  # Names the root configuration gives to log groups it creates or RDS creates for it.
  log_group_patterns = {
    for env, cfg in local.environments : env => [
      for p in ["${cfg.resource_prefix}*", "/ecs/${cfg.resource_prefix}*", "/aws/ecs/${cfg.resource_prefix}*", "/aws/ecs/containerinsights/${cfg.resource_prefix}*", "aws-waf-logs-${cfg.resource_prefix}*", "/aws/rds/instance/${cfg.resource_prefix}*", "/aws/rds/proxy/${cfg.resource_prefix}*", "/${var.service_name}/${env}/*"] :
      "${format(local.arn_regional, "logs")}:log-group:${p}"
    ]
  }

  # Roles the platform's tasks, proxies and monitoring assume; the apply roles pass nothing else.
  passed_to_services = ["ecs-tasks.amazonaws.com", "rds.amazonaws.com", "monitoring.rds.amazonaws.com"]
  service_linked_roles = [
    "ecs.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "rds.amazonaws.com",
    "wafv2.amazonaws.com",
  ]
}

# --- Read policies (plan and apply roles) ----------------------------------------------------------
#
# What Terraform refreshes, the image gate and the orphan finder read: "read" (shared) holds Resource
# "*" only for actions the IAM service reference gives no resource type (Describe/List of a whole
# service) and for the list calls the provider makes without an identifier
# (ReadListsWithoutIdentifier); "read_names" (one per environment) names that environment's resources. The action list is what the IAM proof recorded the provider
# calling on a deploy, re-plan, update, pull-request plan and destroy (tests/platform), and a test
# holds Resource "*" to the reference (tests/modules/test_bootstrap_plan.py).
# https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html

locals {
  # Per environment, the names its roles read (the IAM limit of 6,144 characters per managed policy
  # leaves no room for every environment's names in the shared policy).
  read_scoped_arns = {
    for env, cfg in local.environments : env => [
      "${format(local.arn_regional, "cloudwatch")}:alarm:${cfg.resource_prefix}*",
      # Target tracking policies name their alarms after the scalable target (service/<cluster>/...).
      "${format(local.arn_regional, "cloudwatch")}:alarm:TargetTracking-service/${cfg.resource_prefix}*",
      "arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${cfg.resource_prefix}*",
      "${format(local.arn_regional, "ecr")}:repository/${cfg.resource_prefix}*",
      "${format(local.arn_regional, "ecs")}:cluster/${cfg.resource_prefix}*",
      "${format(local.arn_regional, "ecs")}:service/${cfg.resource_prefix}*",
      "${format(local.arn_regional, "ecs")}:task-definition/${cfg.resource_prefix}*",
      "${local.iam_arn}:role/${cfg.resource_prefix}*",
      "${format(local.arn_regional, "rds")}:db:${cfg.resource_prefix}*",
      "${format(local.arn_regional, "rds")}:pg:${cfg.resource_prefix}*",
      "${format(local.arn_regional, "rds")}:subgrp:${cfg.resource_prefix}*",
      "${format(local.arn_regional, "secretsmanager")}:secret:${cfg.resource_prefix}*",
      "${format(local.arn_regional, "sns")}:${cfg.resource_prefix}*",
      "${format(local.arn_regional, "sqs")}:${cfg.resource_prefix}*",
      "${format(local.arn_regional, "wafv2")}:regional/webacl/${cfg.resource_prefix}*",
      # wafv2:GetWebACLForResource is authorized on the load balancer too.
      "${format(local.arn_regional, "elasticloadbalancing")}:loadbalancer/app/${cfg.resource_prefix}*",
    ]
  }
}

data "aws_iam_policy_document" "read" {
  #checkov:skip=CKV_AWS_356:Resource "*" only in ReadWithoutResourceTypes (actions the IAM service reference gives no resource type) and ReadListsWithoutIdentifier (list calls without an identifier); a test holds both to the reference. None returns object, secret or parameter values.
  statement {
    sid    = "ReadWithoutResourceTypes"
    effect = "Allow"
    actions = [
      "application-autoscaling:DescribeScalableTargets",
      "application-autoscaling:DescribeScalingPolicies",
      "ec2:DescribeAccountAttributes",
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeManagedPrefixLists",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribePrefixLists",
      "ec2:DescribeRouteTables",
      "ec2:DescribeSecurityGroupRules",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeTags",
      "ec2:DescribeVpcs",
      "ecs:DescribeTaskDefinition",
      "elasticloadbalancing:Describe*",
      # The nightly orphan finder (docs/runbooks/orphaned-resources.md) lists the prefix's roles.
      "iam:ListRoles",
      "kms:ListAliases",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "ssm:DescribeParameters",
      "sts:GetCallerIdentity",
      # The orphan finder finds the platform's tagged resources (Resource Groups Tagging API).
      "tag:GetResources",
    ]
    resources = ["*"]
  }

  # The provider lists DB instances without an identifier (e.g. aws_db_proxy_target resolving its
  # instance), and such a request is authorized on "*".
  statement {
    sid       = "ReadListsWithoutIdentifier"
    effect    = "Allow"
    actions   = ["rds:DescribeDBInstances"]
    resources = ["*"]
  }

  # Key ids are generated: the keys of the service, by the tag every key of the platform carries.
  statement {
    sid    = "ReadKeysOfTheService"
    effect = "Allow"
    actions = [
      "kms:DescribeKey",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListResourceTags",
    ]
    resources = ["${format(local.arn_regional, "kms")}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Service"
      values   = [var.service_name]
    }
  }

  statement {
    sid       = "ReadParameterTagsOfTheService"
    effect    = "Allow"
    actions   = ["ssm:ListTagsForResource"]
    resources = ["${format(local.arn_regional, "ssm")}:parameter/${var.service_name}/*"]
  }

  statement {
    sid    = "BucketMetadataOfTheService"
    effect = "Allow"
    actions = [
      "s3:GetAccelerateConfiguration",
      "s3:GetBucket*",
      "s3:GetEncryptionConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:GetReplicationConfiguration",
      "s3:ListBucket",
    ]
    resources = ["arn:${local.partition}:s3:::${var.service_name}-*"]
  }

  statement {
    sid       = "ParametersOfTheService"
    effect    = "Allow"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = ["${format(local.arn_regional, "ssm")}:parameter/${var.service_name}/*"]
  }

  # The provider reads SecureString parameters decrypted; only through SSM and only keys of the service.
  statement {
    sid       = "DecryptParametersOfTheService"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["${format(local.arn_regional, "kms")}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "read_names" {
  for_each = local.environments

  statement {
    sid    = "ReadPlatformResources"
    effect = "Allow"
    actions = [
      "cloudwatch:DescribeAlarms",
      "cloudwatch:GetDashboard",
      "cloudwatch:ListTagsForResource",
      "ecr:DescribeImages",
      "ecr:DescribeRepositories",
      "ecr:GetLifecyclePolicy",
      "ecr:GetRepositoryPolicy",
      "ecr:ListTagsForResource",
      "ecs:DescribeClusters",
      "ecs:DescribeServices",
      "ecs:ListTagsForResource",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListRolePolicies",
      "iam:ListRoleTags",
      "rds:DescribeDBParameterGroups",
      "rds:DescribeDBParameters",
      "rds:DescribeDBSubnetGroups",
      "rds:ListTagsForResource",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetResourcePolicy",
      "sns:GetSubscriptionAttributes",
      "sns:GetTopicAttributes",
      "sns:ListSubscriptionsByTopic",
      "sns:ListTagsForResource",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:ListQueueTags",
      "wafv2:GetLoggingConfiguration",
      "wafv2:GetWebACL",
      "wafv2:GetWebACLForResource",
      "wafv2:ListTagsForResource",
    ]
    resources = local.read_scoped_arns[each.key]
  }

  # Ids AWS generates (proxies, their target groups, scalable targets) and the shared VPC, which the
  # platform looks up by tags and does not own: scoped to the account and region.
  statement {
    sid    = "ReadGeneratedIdsAndSharedNetwork"
    effect = "Allow"
    actions = [
      "application-autoscaling:ListTagsForResource",
      "ec2:DescribeVpcAttribute",
      "rds:DescribeDBProxies",
      "rds:DescribeDBProxyTargetGroups",
      "rds:DescribeDBProxyTargets",
      "rds:ListTagsForResource",
    ]
    resources = [
      "${format(local.arn_regional, "application-autoscaling")}:scalable-target/*",
      "${format(local.arn_regional, "ec2")}:vpc/*",
      "${format(local.arn_regional, "rds")}:db-proxy:*",
      "${format(local.arn_regional, "rds")}:target-group:*",
    ]
  }

  statement {
    sid       = "ReadLogGroupsOfThePlatform"
    effect    = "Allow"
    actions   = ["logs:ListTagsForResource"]
    resources = local.log_group_patterns[each.key]
  }
}

# --- State access ------------------------------------------------------------------------------------

data "aws_iam_policy_document" "plan_state" {
  for_each = local.environments

  statement {
    sid       = "ListStateBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid       = "ReadState"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.state_bucket_arn}/${each.value.state_key}"]
  }

  # No lock: pull-request and drift plans run with -lock=false (.github/workflows), so the plan role
  # writes nothing at all, and a plan can neither block nor be blocked by the apply holding the lock.
  statement {
    sid       = "StateKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [module.state_bucket.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "apply_state" {
  for_each = local.environments

  statement {
    sid       = "ListStateBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid       = "ReadWriteState"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${local.state_bucket_arn}/${each.value.state_key}"]
  }

  statement {
    sid       = "LockState"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_bucket_arn}/${each.value.state_key}.tflock"]
  }

  statement {
    sid       = "StateKey"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [module.state_bucket.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

# --- Apply: compute and network --------------------------------------------------------------------

data "aws_iam_policy_document" "apply_compute" {
  for_each = local.environments

  statement {
    sid    = "EcsClustersAndServices"
    effect = "Allow"
    actions = [
      "ecs:CreateCluster",
      "ecs:CreateService",
      "ecs:DeleteCluster",
      "ecs:DeleteService",
      "ecs:DeleteTaskDefinitions",
      "ecs:PutClusterCapacityProviders",
      "ecs:TagResource",
      "ecs:UntagResource",
      "ecs:UpdateCluster",
      "ecs:UpdateClusterSettings",
      "ecs:UpdateService",
    ]
    resources = [
      "${format(local.arn_regional, "ecs")}:cluster/${each.value.resource_prefix}*",
      "${format(local.arn_regional, "ecs")}:service/${each.value.resource_prefix}*/*",
      "${format(local.arn_regional, "ecs")}:task-definition/${each.value.resource_prefix}*:*",
    ]
  }

  # Task definitions are authorized on task-definition/<family>:<revision> (Service Authorization
  # Reference, Amazon ECS), and must carry the tags.
  statement {
    sid       = "EcsTaskDefinitions"
    effect    = "Allow"
    actions   = ["ecs:RegisterTaskDefinition"]
    resources = ["${format(local.arn_regional, "ecs")}:task-definition/${each.value.resource_prefix}*:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "EcsDeregisterTaskDefinitions"
    effect    = "Allow"
    actions   = ["ecs:DeregisterTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid    = "LoadBalancing"
    effect = "Allow"
    actions = [
      "elasticloadbalancing:AddListenerCertificates",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:CreateRule",
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:DeleteRule",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:ModifyListenerAttributes",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:ModifyRule",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:RemoveListenerCertificates",
      "elasticloadbalancing:RemoveTags",
      "elasticloadbalancing:SetRulePriorities",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets",
      "elasticloadbalancing:SetWebAcl",
    ]
    resources = [
      "${format(local.arn_regional, "elasticloadbalancing")}:loadbalancer/app/${each.value.resource_prefix}*/*",
      "${format(local.arn_regional, "elasticloadbalancing")}:listener/app/${each.value.resource_prefix}*/*",
      "${format(local.arn_regional, "elasticloadbalancing")}:listener-rule/app/${each.value.resource_prefix}*/*",
      "${format(local.arn_regional, "elasticloadbalancing")}:targetgroup/${each.value.resource_prefix}*/*",
    ]
  }

  statement {
    sid    = "Autoscaling"
    effect = "Allow"
    actions = [
      "application-autoscaling:DeleteScalingPolicy",
      "application-autoscaling:DeleteScheduledAction",
      "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy",
      "application-autoscaling:PutScheduledAction",
      "application-autoscaling:RegisterScalableTarget",
      "application-autoscaling:TagResource",
      "application-autoscaling:UntagResource",
    ]
    resources = ["${format(local.arn_regional, "application-autoscaling")}:scalable-target/*"]
  }

  statement {
    sid    = "WebAcl"
    effect = "Allow"
    actions = [
      "wafv2:AssociateWebACL",
      "wafv2:CreateWebACL",
      "wafv2:DeleteLoggingConfiguration",
      "wafv2:DeleteWebACL",
      "wafv2:DisassociateWebACL",
      "wafv2:PutLoggingConfiguration",
      "wafv2:TagResource",
      "wafv2:UntagResource",
      "wafv2:UpdateWebACL",
    ]
    resources = [
      "${format(local.arn_regional, "wafv2")}:regional/webacl/${each.value.resource_prefix}*/*",
      "${format(local.arn_regional, "wafv2")}:regional/ipset/${each.value.resource_prefix}*/*",
      "${format(local.arn_regional, "wafv2")}:regional/regexpatternset/${each.value.resource_prefix}*/*",
      "${format(local.arn_regional, "wafv2")}:regional/rulegroup/${each.value.resource_prefix}*/*",
      "${format(local.arn_regional, "wafv2")}:regional/managedruleset/*/*",
      "${format(local.arn_regional, "elasticloadbalancing")}:loadbalancer/app/${each.value.resource_prefix}*/*",
    ]
  }

  # Security groups carry no name in their ARN: creation needs the Service/Environment tags in the
  # request, every later change needs them on the group.
  statement {
    sid       = "CreateTaggedSecurityGroups"
    effect    = "Allow"
    actions   = ["ec2:CreateSecurityGroup"]
    resources = ["${format(local.arn_regional, "ec2")}:security-group/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "CreateSecurityGroupsInVpcs"
    effect    = "Allow"
    actions   = ["ec2:CreateSecurityGroup"]
    resources = ["${format(local.arn_regional, "ec2")}:vpc/*"]
  }

  statement {
    sid       = "TagOnCreate"
    effect    = "Allow"
    actions   = ["ec2:CreateTags"]
    resources = ["${format(local.arn_regional, "ec2")}:security-group/*", "${format(local.arn_regional, "ec2")}:security-group-rule/*"]

    condition {
      test     = "StringEquals"
      variable = "ec2:CreateAction"
      values   = ["CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"]
    }
  }

  statement {
    sid    = "ChangeOwnSecurityGroups"
    effect = "Allow"
    actions = [
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:CreateTags",
      "ec2:DeleteSecurityGroup",
      "ec2:DeleteTags",
      "ec2:ModifySecurityGroupRules",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
      "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ]
    resources = ["${format(local.arn_regional, "ec2")}:security-group/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  # Rules are authorised together with their group, which the statement above bounds by tag.
  statement {
    sid    = "RulesOfOwnSecurityGroups"
    effect = "Allow"
    actions = [
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:CreateTags",
      "ec2:DeleteTags",
      "ec2:ModifySecurityGroupRules",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
      "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
    ]
    resources = ["${format(local.arn_regional, "ec2")}:security-group-rule/*"]
  }
}

# --- Apply: data and keys ----------------------------------------------------------------------------

data "aws_iam_policy_document" "apply_data" {
  for_each = local.environments

  statement {
    sid    = "RdsByName"
    effect = "Allow"
    actions = [
      "rds:AddTagsToResource",
      "rds:CreateDBInstance",
      "rds:CreateDBParameterGroup",
      "rds:CreateDBSnapshot",
      "rds:CreateDBSubnetGroup",
      "rds:DeleteDBInstance",
      "rds:DeleteDBParameterGroup",
      "rds:DeleteDBSubnetGroup",
      "rds:DeregisterDBProxyTargets",
      "rds:ModifyDBInstance",
      "rds:ModifyDBParameterGroup",
      "rds:ModifyDBSubnetGroup",
      "rds:RebootDBInstance",
      "rds:RegisterDBProxyTargets",
      "rds:RemoveTagsFromResource",
      # Restore (modules/rds-postgres snapshot_identifier / restore_to_point_in_time,
      # docs/runbooks/database-restore.md): authorized on the new and the source instance, its
      # snapshot (automated ones are named rds:<instance>-<time>), subnet, parameter and option group.
      # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
      "rds:RestoreDBInstanceFromDBSnapshot",
      "rds:RestoreDBInstanceToPointInTime",
    ]
    resources = [
      "${format(local.arn_regional, "rds")}:db:${each.value.resource_prefix}*",
      "${format(local.arn_regional, "rds")}:pg:${each.value.resource_prefix}*",
      "${format(local.arn_regional, "rds")}:subgrp:${each.value.resource_prefix}*",
      "${format(local.arn_regional, "rds")}:snapshot:${each.value.resource_prefix}*",
      "${format(local.arn_regional, "rds")}:snapshot:rds:${each.value.resource_prefix}*",
      "${format(local.arn_regional, "rds")}:og:default:*",
    ]
  }

  # RDS Proxy ARNs carry generated ids (prx-..., prx-tg-...), not names: create with the tags,
  # change only what carries them.
  # rds:CreateDBProxy supports no resource-level permissions: the request's tags bound it.
  # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
  statement {
    sid       = "CreateTaggedProxies"
    effect    = "Allow"
    actions   = ["rds:CreateDBProxy"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid       = "TagProxiesOnCreate"
    effect    = "Allow"
    actions   = ["rds:AddTagsToResource"]
    resources = ["${format(local.arn_regional, "rds")}:db-proxy:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  # RDS creates a proxy's default target group itself (prx-tg-<id>), and RDS documents no tags on it.
  # Where a target group carries tags they must be ours; registering a target also needs the
  # database by name (RdsByName), which keeps this role to its own databases.
  statement {
    sid       = "ProxyTargetGroups"
    effect    = "Allow"
    actions   = ["rds:DeregisterDBProxyTargets", "rds:ModifyDBProxyTargetGroup", "rds:RegisterDBProxyTargets"]
    resources = ["${format(local.arn_regional, "rds")}:target-group:*"]

    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:ResourceTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "ChangeOwnProxies"
    effect = "Allow"
    actions = [
      "rds:AddTagsToResource",
      "rds:DeleteDBProxy",
      # Deregistering a target is authorized on the proxy as well as on its target group.
      "rds:DeregisterDBProxyTargets",
      "rds:ModifyDBProxy",
      "rds:RemoveTagsFromResource",
    ]
    resources = ["${format(local.arn_regional, "rds")}:db-proxy:*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  # RDS names the master-user secret it manages rds!db-<uuid>; nothing narrower exists.
  statement {
    sid    = "Secrets"
    effect = "Allow"
    actions = [
      "secretsmanager:CreateSecret",
      "secretsmanager:DeleteResourcePolicy",
      "secretsmanager:DeleteSecret",
      "secretsmanager:PutResourcePolicy",
      "secretsmanager:RotateSecret",
      "secretsmanager:TagResource",
      "secretsmanager:UntagResource",
      "secretsmanager:UpdateSecret",
    ]
    resources = [
      "${format(local.arn_regional, "secretsmanager")}:secret:${each.value.resource_prefix}*",
      "${format(local.arn_regional, "secretsmanager")}:secret:rds!*",
    ]
  }

  statement {
    sid    = "Parameters"
    effect = "Allow"
    actions = [
      "ssm:AddTagsToResource",
      "ssm:DeleteParameter",
      "ssm:DeleteParameters",
      "ssm:PutParameter",
      "ssm:RemoveTagsFromResource",
    ]
    resources = ["${format(local.arn_regional, "ssm")}:parameter/${var.service_name}/${each.key}/*"]
  }

  statement {
    sid       = "CreateTaggedKeys"
    effect    = "Allow"
    actions   = ["kms:CreateKey"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  # kms:CreateKey supports no resource-level permissions; tagging the new key is authorized on key/*.
  statement {
    sid       = "TagKeysOnCreate"
    effect    = "Allow"
    actions   = ["kms:TagResource"]
    resources = ["${format(local.arn_regional, "kms")}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Environment"
      values   = [each.key]
    }
  }

  statement {
    sid    = "UseAndManageOwnKeys"
    effect = "Allow"
    actions = [
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:Decrypt",
      "kms:DeleteAlias",
      "kms:DescribeKey",
      "kms:EnableKeyRotation",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListResourceTags",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateAlias",
      "kms:UpdateKeyDescription",
    ]
    resources = ["${format(local.arn_regional, "kms")}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  # RDS, ECR and CloudWatch Logs create grants on the caller's behalf; nothing else may.
  statement {
    sid       = "GrantsForAwsServices"
    effect    = "Allow"
    actions   = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]
    resources = ["${format(local.arn_regional, "kms")}:key/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Service"
      values   = [var.service_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }

    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }

  statement {
    sid     = "AliasesByName"
    effect  = "Allow"
    actions = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"]
    # The modules name aliases alias/<purpose>/<prefix>...: alias/ecs/imgclass-dev-api/logs, alias/rds/imgclass-dev.
    resources = ["${format(local.arn_regional, "kms")}:alias/${each.value.resource_prefix}*", "${format(local.arn_regional, "kms")}:alias/*/${each.value.resource_prefix}*"]
  }
}

# --- Apply: storage, messaging, registry, monitoring ----------------------------------------------

data "aws_iam_policy_document" "apply_services" {
  for_each = local.environments

  statement {
    sid    = "Buckets"
    effect = "Allow"
    actions = [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketCORS",
      "s3:PutBucketLogging",
      "s3:PutBucketNotification",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      "s3:PutBucketTagging",
      "s3:PutBucketVersioning",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
    ]
    resources = ["arn:${local.partition}:s3:::${each.value.resource_prefix}*"]
  }

  # A destroy of a bucket with force_destroy (deletion protection off) lists and deletes every
  # object version first. Only environments that run without deletion protection get this.
  dynamic "statement" {
    for_each = each.value.empty_buckets ? [each.value.resource_prefix] : []
    content {
      sid       = "EmptyBucketsOnDestroy"
      effect    = "Allow"
      actions   = ["s3:ListBucket", "s3:ListBucketVersions", "s3:DeleteObject", "s3:DeleteObjectVersion"]
      resources = ["arn:${local.partition}:s3:::${statement.value}*", "arn:${local.partition}:s3:::${statement.value}*/*"]
    }
  }

  statement {
    sid    = "Queues"
    effect = "Allow"
    actions = [
      "sqs:CreateQueue",
      "sqs:DeleteQueue",
      "sqs:SetQueueAttributes",
      "sqs:TagQueue",
      "sqs:UntagQueue",
    ]
    resources = ["${format(local.arn_regional, "sqs")}:${each.value.resource_prefix}*"]
  }

  statement {
    sid    = "Topics"
    effect = "Allow"
    actions = [
      "sns:CreateTopic",
      "sns:DeleteTopic",
      "sns:SetSubscriptionAttributes",
      "sns:SetTopicAttributes",
      "sns:Subscribe",
      "sns:TagResource",
      "sns:Unsubscribe",
      "sns:UntagResource",
    ]
    resources = ["${format(local.arn_regional, "sns")}:${each.value.resource_prefix}*"]
  }

  statement {
    sid    = "ImageRepositories"
    effect = "Allow"
    actions = [
      "ecr:CreateRepository",
      "ecr:DeleteLifecyclePolicy",
      "ecr:DeleteRepository",
      "ecr:DeleteRepositoryPolicy",
      "ecr:PutImageScanningConfiguration",
      "ecr:PutImageTagMutability",
      "ecr:PutLifecyclePolicy",
      "ecr:SetRepositoryPolicy",
      "ecr:TagResource",
      "ecr:UntagResource",
    ]
    resources = ["${format(local.arn_regional, "ecr")}:repository/${each.value.resource_prefix}*"]
  }

  statement {
    sid    = "LogGroups"
    effect = "Allow"
    actions = [
      "logs:AssociateKmsKey",
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:DeleteRetentionPolicy",
      "logs:DisassociateKmsKey",
      "logs:PutRetentionPolicy",
      "logs:TagLogGroup",
      "logs:TagResource",
      "logs:UntagLogGroup",
      "logs:UntagResource",
    ]
    resources = local.log_group_patterns[each.key]
  }

  statement {
    sid    = "LogDelivery"
    effect = "Allow"
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DeleteResourcePolicy",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]
    resources = ["*"]
  }

  statement {
    sid    = "AlarmsAndDashboards"
    effect = "Allow"
    actions = [
      "cloudwatch:DeleteAlarms",
      "cloudwatch:DeleteDashboards",
      "cloudwatch:DisableAlarmActions",
      "cloudwatch:EnableAlarmActions",
      "cloudwatch:PutCompositeAlarm",
      "cloudwatch:PutDashboard",
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:TagResource",
      "cloudwatch:UntagResource",
    ]
    resources = [
      "${format(local.arn_regional, "cloudwatch")}:alarm:${each.value.resource_prefix}*",
      # Target-tracking policies create their alarms under the caller's permissions.
      "${format(local.arn_regional, "cloudwatch")}:alarm:TargetTracking-service/${each.value.resource_prefix}*",
      "arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${each.value.resource_prefix}*",
    ]
  }

}

# --- Apply: IAM of the platform, and guard rails ------------------------------------------------

data "aws_iam_policy_document" "apply_iam" {
  for_each = local.environments

  statement {
    sid    = "PlatformRoles"
    effect = "Allow"
    actions = [
      "iam:DeleteRole",
      "iam:DeleteRolePolicy",
      "iam:DetachRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:UpdateAssumeRolePolicy",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
    ]
    resources = ["${local.iam_arn}:role/${each.value.resource_prefix}*"]
  }

  statement {
    sid       = "CreatePlatformRoles"
    effect    = "Allow"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy"]
    resources = ["${local.iam_arn}:role/${each.value.resource_prefix}*"]

    dynamic "condition" {
      for_each = var.permissions_boundary_arn == null ? [] : [var.permissions_boundary_arn]

      content {
        test     = "StringEquals"
        variable = "iam:PermissionsBoundary"
        values   = [condition.value]
      }
    }
  }

  statement {
    sid       = "AttachPrefixedAndServiceRolePolicies"
    effect    = "Allow"
    actions   = ["iam:AttachRolePolicy"]
    resources = ["${local.iam_arn}:role/${each.value.resource_prefix}*"]

    condition {
      test     = "ArnLike"
      variable = "iam:PolicyARN"
      values = [
        "${local.iam_arn}:policy/${each.value.resource_prefix}*",
        "arn:${local.partition}:iam::aws:policy/service-role/*",
      ]
    }

    dynamic "condition" {
      for_each = var.permissions_boundary_arn == null ? [] : [var.permissions_boundary_arn]

      content {
        test     = "StringEquals"
        variable = "iam:PermissionsBoundary"
        values   = [condition.value]
      }
    }
  }


  statement {
    sid       = "PassPlatformRoles"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = ["${local.iam_arn}:role/${each.value.resource_prefix}*"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = local.passed_to_services
    }
  }

  statement {
    sid       = "ServiceLinkedRoles"
    effect    = "Allow"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.iam_arn}:role/aws-service-role/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = local.service_linked_roles
    }
  }

  statement {
    sid     = "DenyChangesToDeliveryIdentity"
    effect  = "Deny"
    actions = ["iam:*"]
    resources = [
      "${local.iam_arn}:role${local.role_path}*",
      "${local.iam_arn}:policy${local.role_path}*",
      local.oidc_provider_arn,
    ]
  }

  statement {
    sid    = "DenyChangesToStateBucket"
    effect = "Deny"
    actions = [
      "s3:DeleteBucket*",
      "s3:DeleteObjectVersion",
      "s3:PutBucket*",
      "s3:PutEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
    ]
    resources = [local.state_bucket_arn, "${local.state_bucket_arn}/*"]
  }

  statement {
    sid    = "DenyChangesToStateKey"
    effect = "Deny"
    actions = [
      "kms:CreateGrant",
      "kms:DisableKey",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
    ]
    resources = [module.state_bucket.kms_key_arn]
  }

  # Tag-scoped key management must not be reachable by re-tagging a key of another service or environment.
  statement {
    sid       = "DenyRetaggingForeignKeys"
    effect    = "Deny"
    actions   = ["kms:TagResource", "kms:UntagResource"]
    resources = ["*"]

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/Service"
      values   = ["false"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "aws:ResourceTag/Service"
      values   = [var.service_name]
    }
  }

  statement {
    sid       = "DenyRetaggingOtherEnvironments"
    effect    = "Deny"
    actions   = ["kms:TagResource", "kms:UntagResource", "ec2:CreateTags", "ec2:DeleteTags", "rds:AddTagsToResource", "rds:RemoveTagsFromResource"]
    resources = ["*"]

    condition {
      test     = "Null"
      variable = "aws:ResourceTag/Environment"
      values   = ["false"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [each.key]
    }
  }

  dynamic "statement" {
    for_each = var.permissions_boundary_arn == null ? [] : [var.permissions_boundary_arn]

    content {
      sid       = "DenyRemovingTheBoundary"
      effect    = "Deny"
      actions   = ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"]
      resources = ["${local.iam_arn}:role/${each.value.resource_prefix}*"]
    }
  }
}
