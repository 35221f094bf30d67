# Permissions of the deploy roles, as data: one table per managed policy, a row per statement, and
# one aws_iam_policy_document (data.aws_iam_policy_document.this, at the end) that renders them all.
# The apply roles get what the platform's resources need, scoped by service, by the environment's
# resource-name prefix and, where AWS only offers tags, by the Service and Environment tags the root
# configuration's default_tags put on everything. Rows that must stay on "*" say why; docs/cicd.md
# ("Apply-role permissions") has the full reasoning.
#
# A row: sid; actions as { service = [action names] }; resources; optional
# - scope: "named" (default: the resources carry the name prefix), "tagged" (the resource carries the
#   Service and Environment tags), "created-tagged" (the create request carries them),
#   "tagged-if-tagged" (where the resource has the tags at all, they are ours), "service-tagged"
#   (the Service tag only, for the shared read policy);
# - conditions: further [test, variable, values];
# - effect: "Deny" for the guard rails (default "Allow");
# - when: false leaves the row out (a permission only some environments or inputs need).

locals {
  arn_regional = "arn:${local.partition}:%s:${local.region}:${local.account_id}"
  iam_arn      = "arn:${local.partition}:iam::${local.account_id}"
  s3_arn       = "arn:${local.partition}:s3:::"
  # Regional ARN prefix per service: local.arn.ecs = arn:aws:ecs:<region>:<account>.
  arn = { for s in ["application-autoscaling", "cloudwatch", "ec2", "ecr", "ecs", "elasticloadbalancing", "kms", "logs", "rds", "secretsmanager", "sns", "sqs", "ssm", "wafv2"] : s => format(local.arn_regional, s) }

  prefixes = { for env, cfg in local.environments : env => cfg.resource_prefix }

  # Names the root configuration gives to log groups it creates or RDS creates for it.
  log_group_patterns = {
    for env, p in local.prefixes : env => [
      for name in ["${p}*", "/ecs/${p}*", "/aws/ecs/${p}*", "/aws/ecs/containerinsights/${p}*", "aws-waf-logs-${p}*", "/aws/rds/instance/${p}*", "/aws/rds/proxy/${p}*", "/${var.service_name}/${env}/*"] :
      "${local.arn.logs}:log-group:${name}"
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

  # ARNs AWS assigns only when the bootstrap creates the object (the state key; the OIDC provider
  # unless oidc_provider_arn is given) stand in the tables as placeholders of the same length, so
  # every document is rendered and checked at plan (a reference to an object not yet created would
  # defer the whole data source below to apply); the aws_iam_policy resources get the real ARNs.
  stand_in = {
    state_key     = "${local.arn.kms}:key/00000000-0000-0000-0000-000000000000"
    oidc_provider = coalesce(var.oidc_provider_arn, "${local.iam_arn}:oidc-provider/${local.oidc_host}")
  }

  # Where the organisation has a permissions boundary, every role the apply roles create carries it.
  boundary_condition = var.permissions_boundary_arn == null ? [] : [["StringEquals", "iam:PermissionsBoundary", [var.permissions_boundary_arn]]]
}

# --- Read policies (plan and apply roles) ----------------------------------------------------------
#
# What Terraform refreshes, the image gate and the orphan finder read: "read" (shared) holds Resource
# "*" only for actions the IAM service reference gives no resource type (Describe/List of a whole
# service) and for the list calls the provider makes without an identifier
# (ReadListsWithoutIdentifier); "read/<env>" names that environment's resources. The action list is
# what the IAM proof recorded the provider calling on a deploy, re-plan, update, pull-request plan and
# destroy (tests/platform), and a test holds Resource "*" to the reference
# (tests/modules/test_bootstrap_plan.py).
# https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html

locals {
  read_statements = [
    {
      sid = "ReadWithoutResourceTypes"
      actions = {
        application-autoscaling = ["DescribeScalableTargets", "DescribeScalingPolicies"]
        ec2                     = ["DescribeAccountAttributes", "DescribeAvailabilityZones", "DescribeManagedPrefixLists", "DescribeNetworkInterfaces", "DescribePrefixLists", "DescribeRouteTables", "DescribeSecurityGroupRules", "DescribeSecurityGroups", "DescribeSubnets", "DescribeTags", "DescribeVpcs"]
        ecs                     = ["DescribeTaskDefinition"]
        elasticloadbalancing    = ["Describe*"]
        # The nightly orphan finder (docs/runbooks/orphaned-resources.md) lists the prefix's roles.
        iam  = ["ListRoles"]
        kms  = ["ListAliases"]
        logs = ["DescribeLogGroups", "DescribeResourcePolicies"]
        ssm  = ["DescribeParameters"]
        sts  = ["GetCallerIdentity"]
        # The orphan finder finds the platform's tagged resources (Resource Groups Tagging API).
        tag = ["GetResources"]
      }
      resources = ["*"]
    },
    # The provider lists DB instances without an identifier (e.g. aws_db_proxy_target resolving its
    # instance), and such a request is authorized on "*".
    { sid = "ReadListsWithoutIdentifier", actions = { rds = ["DescribeDBInstances"] }, resources = ["*"] },
    # Key ids are generated: the keys of the service, by the tag every key of the platform carries.
    {
      sid       = "ReadKeysOfTheService"
      actions   = { kms = ["DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus", "ListResourceTags"] }
      resources = ["${local.arn.kms}:key/*"]
      scope     = "service-tagged"
    },
    { sid = "ReadParameterTagsOfTheService", actions = { ssm = ["ListTagsForResource"] }, resources = ["${local.arn.ssm}:parameter/${var.service_name}/*"] },
    {
      sid       = "BucketMetadataOfTheService"
      actions   = { s3 = ["GetAccelerateConfiguration", "GetBucket*", "GetEncryptionConfiguration", "GetLifecycleConfiguration", "GetReplicationConfiguration", "ListBucket"] }
      resources = ["${local.s3_arn}${var.service_name}-*"]
    },
    { sid = "ParametersOfTheService", actions = { ssm = ["GetParameter", "GetParameters"] }, resources = ["${local.arn.ssm}:parameter/${var.service_name}/*"] },
    # The provider reads SecureString parameters decrypted; only through SSM and only keys of the service.
    {
      sid        = "DecryptParametersOfTheService"
      actions    = { kms = ["Decrypt"] }
      resources  = ["${local.arn.kms}:key/*"]
      scope      = "service-tagged"
      conditions = [["StringEquals", "kms:ViaService", ["ssm.${local.region}.amazonaws.com"]]]
    },
  ]

  # Per environment, the names its roles read (the IAM limit of 6,144 characters per managed policy
  # leaves no room for every environment's names in the shared policy).
  read_names_statements = {
    for env, p in local.prefixes : env => [
      {
        sid = "ReadPlatformResources"
        actions = {
          cloudwatch     = ["DescribeAlarms", "GetDashboard", "ListTagsForResource"]
          ecr            = ["DescribeImages", "DescribeRepositories", "GetLifecyclePolicy", "GetRepositoryPolicy", "ListTagsForResource"]
          ecs            = ["DescribeClusters", "DescribeServices", "ListTagsForResource"]
          iam            = ["GetRole", "GetRolePolicy", "ListAttachedRolePolicies", "ListInstanceProfilesForRole", "ListRolePolicies", "ListRoleTags"]
          rds            = ["DescribeDBParameterGroups", "DescribeDBParameters", "DescribeDBSubnetGroups", "ListTagsForResource"]
          secretsmanager = ["DescribeSecret", "GetResourcePolicy"]
          sns            = ["GetSubscriptionAttributes", "GetTopicAttributes", "ListSubscriptionsByTopic", "ListTagsForResource"]
          sqs            = ["GetQueueAttributes", "GetQueueUrl", "ListQueueTags"]
          wafv2          = ["GetLoggingConfiguration", "GetWebACL", "GetWebACLForResource", "ListTagsForResource"]
        }
        resources = [
          "${local.arn.cloudwatch}:alarm:${p}*",
          # Target tracking policies name their alarms after the scalable target (service/<cluster>/...).
          "${local.arn.cloudwatch}:alarm:TargetTracking-service/${p}*",
          "arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${p}*",
          "${local.arn.ecr}:repository/${p}*",
          "${local.arn.ecs}:cluster/${p}*",
          "${local.arn.ecs}:service/${p}*",
          "${local.arn.ecs}:task-definition/${p}*",
          "${local.iam_arn}:role/${p}*",
          "${local.arn.rds}:db:${p}*",
          "${local.arn.rds}:pg:${p}*",
          "${local.arn.rds}:subgrp:${p}*",
          "${local.arn.secretsmanager}:secret:${p}*",
          "${local.arn.sns}:${p}*",
          "${local.arn.sqs}:${p}*",
          "${local.arn.wafv2}:regional/webacl/${p}*",
          # wafv2:GetWebACLForResource is authorized on the load balancer too.
          "${local.arn.elasticloadbalancing}:loadbalancer/app/${p}*",
        ]
      },
      # Ids AWS generates (proxies, their target groups, scalable targets) and the shared VPC, which
      # the platform looks up by tags and does not own: scoped to the account and region.
      {
        sid = "ReadGeneratedIdsAndSharedNetwork"
        actions = {
          application-autoscaling = ["ListTagsForResource"]
          ec2                     = ["DescribeVpcAttribute"]
          rds                     = ["DescribeDBProxies", "DescribeDBProxyTargetGroups", "DescribeDBProxyTargets", "ListTagsForResource"]
        }
        resources = ["${local.arn.application-autoscaling}:scalable-target/*", "${local.arn.ec2}:vpc/*", "${local.arn.rds}:db-proxy:*", "${local.arn.rds}:target-group:*"]
      },
      { sid = "ReadLogGroupsOfThePlatform", actions = { logs = ["ListTagsForResource"] }, resources = local.log_group_patterns[env] },
    ]
  }
}

# --- State access ------------------------------------------------------------------------------------

locals {
  state_key_arns = { for env, cfg in local.environments : env => "${local.state_bucket_arn}/${cfg.state_key}" }
  # The state key is used only through S3.
  via_s3 = [["StringEquals", "kms:ViaService", ["s3.${local.region}.amazonaws.com"]]]

  # No lock: pull-request and drift plans run with -lock=false (.github/workflows), so the plan role
  # writes nothing at all, and a plan can neither block nor be blocked by the apply holding the lock.
  plan_state_statements = {
    for env, key in local.state_key_arns : env => [
      { sid = "ListStateBucket", actions = { s3 = ["ListBucket"] }, resources = [local.state_bucket_arn] },
      { sid = "ReadState", actions = { s3 = ["GetObject"] }, resources = [key] },
      { sid = "StateKey", actions = { kms = ["Decrypt"] }, resources = [local.stand_in.state_key], conditions = local.via_s3 },
    ]
  }

  apply_state_statements = {
    for env, key in local.state_key_arns : env => [
      { sid = "ListStateBucket", actions = { s3 = ["ListBucket"] }, resources = [local.state_bucket_arn] },
      { sid = "ReadWriteState", actions = { s3 = ["GetObject", "PutObject"] }, resources = [key] },
      { sid = "LockState", actions = { s3 = ["GetObject", "PutObject", "DeleteObject"] }, resources = ["${key}.tflock"] },
      { sid = "StateKey", actions = { kms = ["Decrypt", "Encrypt", "GenerateDataKey"] }, resources = [local.stand_in.state_key], conditions = local.via_s3 },
    ]
  }
}

# --- Apply: compute and network --------------------------------------------------------------------

locals {
  apply_compute_statements = {
    for env, p in local.prefixes : env => [
      {
        sid       = "EcsClustersAndServices"
        actions   = { ecs = ["CreateCluster", "CreateService", "DeleteCluster", "DeleteService", "DeleteTaskDefinitions", "PutClusterCapacityProviders", "TagResource", "UntagResource", "UpdateCluster", "UpdateClusterSettings", "UpdateService"] }
        resources = ["${local.arn.ecs}:cluster/${p}*", "${local.arn.ecs}:service/${p}*/*", "${local.arn.ecs}:task-definition/${p}*:*"]
      },
      # Task definitions are authorized on task-definition/<family>:<revision> (Service Authorization
      # Reference, Amazon ECS), and must carry the tags.
      { sid = "EcsTaskDefinitions", actions = { ecs = ["RegisterTaskDefinition"] }, resources = ["${local.arn.ecs}:task-definition/${p}*:*"], scope = "created-tagged" },
      { sid = "EcsDeregisterTaskDefinitions", actions = { ecs = ["DeregisterTaskDefinition"] }, resources = ["*"] },
      {
        sid = "LoadBalancing"
        actions = { elasticloadbalancing = [
          "AddListenerCertificates", "AddTags", "CreateListener", "CreateLoadBalancer", "CreateRule", "CreateTargetGroup",
          "DeleteListener", "DeleteLoadBalancer", "DeleteRule", "DeleteTargetGroup",
          "ModifyListener", "ModifyListenerAttributes", "ModifyLoadBalancerAttributes", "ModifyRule", "ModifyTargetGroup", "ModifyTargetGroupAttributes",
          "RemoveListenerCertificates", "RemoveTags", "SetRulePriorities", "SetSecurityGroups", "SetSubnets", "SetWebAcl",
        ] }
        resources = [for type in ["loadbalancer/app", "listener/app", "listener-rule/app", "targetgroup"] : "${local.arn.elasticloadbalancing}:${type}/${p}*/*"]
      },
      {
        sid       = "Autoscaling"
        actions   = { application-autoscaling = ["DeleteScalingPolicy", "DeleteScheduledAction", "DeregisterScalableTarget", "PutScalingPolicy", "PutScheduledAction", "RegisterScalableTarget", "TagResource", "UntagResource"] }
        resources = ["${local.arn.application-autoscaling}:scalable-target/*"]
      },
      {
        sid     = "WebAcl"
        actions = { wafv2 = ["AssociateWebACL", "CreateWebACL", "DeleteLoggingConfiguration", "DeleteWebACL", "DisassociateWebACL", "PutLoggingConfiguration", "TagResource", "UntagResource", "UpdateWebACL"] }
        resources = concat(
          [for type in ["webacl", "ipset", "regexpatternset", "rulegroup"] : "${local.arn.wafv2}:regional/${type}/${p}*/*"],
          ["${local.arn.wafv2}:regional/managedruleset/*/*", "${local.arn.elasticloadbalancing}:loadbalancer/app/${p}*/*"],
        )
      },
      # Security groups carry no name in their ARN: creation needs the Service/Environment tags in
      # the request, every later change needs them on the group.
      { sid = "CreateTaggedSecurityGroups", actions = { ec2 = ["CreateSecurityGroup"] }, resources = ["${local.arn.ec2}:security-group/*"], scope = "created-tagged" },
      { sid = "CreateSecurityGroupsInVpcs", actions = { ec2 = ["CreateSecurityGroup"] }, resources = ["${local.arn.ec2}:vpc/*"] },
      {
        sid        = "TagOnCreate"
        actions    = { ec2 = ["CreateTags"] }
        resources  = ["${local.arn.ec2}:security-group/*", "${local.arn.ec2}:security-group-rule/*"]
        conditions = [["StringEquals", "ec2:CreateAction", ["CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"]]]
      },
      {
        sid       = "ChangeOwnSecurityGroups"
        actions   = { ec2 = concat(local.security_group_rule_actions, ["DeleteSecurityGroup"]) }
        resources = ["${local.arn.ec2}:security-group/*"]
        scope     = "tagged"
      },
      # Rules are authorised together with their group, which the row above bounds by tag.
      { sid = "RulesOfOwnSecurityGroups", actions = { ec2 = local.security_group_rule_actions }, resources = ["${local.arn.ec2}:security-group-rule/*"] },
    ]
  }

  security_group_rule_actions = [
    "AuthorizeSecurityGroupEgress", "AuthorizeSecurityGroupIngress", "CreateTags", "DeleteTags", "ModifySecurityGroupRules",
    "RevokeSecurityGroupEgress", "RevokeSecurityGroupIngress", "UpdateSecurityGroupRuleDescriptionsEgress", "UpdateSecurityGroupRuleDescriptionsIngress",
  ]
}

# --- Apply: data and keys ----------------------------------------------------------------------------

locals {
  apply_data_statements = {
    for env, p in local.prefixes : env => [
      {
        sid = "RdsByName"
        actions = { rds = [
          "AddTagsToResource", "CreateDBInstance", "CreateDBParameterGroup", "CreateDBSnapshot", "CreateDBSubnetGroup",
          "DeleteDBInstance", "DeleteDBParameterGroup", "DeleteDBSubnetGroup", "DeregisterDBProxyTargets",
          "ModifyDBInstance", "ModifyDBParameterGroup", "ModifyDBSubnetGroup", "RebootDBInstance", "RegisterDBProxyTargets", "RemoveTagsFromResource",
          # Restore (modules/rds-postgres snapshot_identifier / restore_to_point_in_time,
          # docs/runbooks/database-restore.md): authorized on the new and the source instance, its
          # snapshot (automated ones are named rds:<instance>-<time>), subnet, parameter and option group.
          # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
          "RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceToPointInTime",
        ] }
        resources = concat(
          [for type in ["db", "pg", "subgrp", "snapshot", "snapshot:rds"] : "${local.arn.rds}:${type}:${p}*"],
          ["${local.arn.rds}:og:default:*"],
        )
      },
      # RDS Proxy ARNs carry generated ids (prx-..., prx-tg-...), not names: create with the tags,
      # change only what carries them.
      # rds:CreateDBProxy supports no resource-level permissions: the request's tags bound it.
      # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
      { sid = "CreateTaggedProxies", actions = { rds = ["CreateDBProxy"] }, resources = ["*"], scope = "created-tagged" },
      { sid = "TagProxiesOnCreate", actions = { rds = ["AddTagsToResource"] }, resources = ["${local.arn.rds}:db-proxy:*"], scope = "created-tagged" },
      # RDS creates a proxy's default target group itself (prx-tg-<id>), and RDS documents no tags on
      # it. Where a target group carries tags they must be ours; registering a target also needs the
      # database by name (RdsByName), which keeps this role to its own databases.
      {
        sid       = "ProxyTargetGroups"
        actions   = { rds = ["DeregisterDBProxyTargets", "ModifyDBProxyTargetGroup", "RegisterDBProxyTargets"] }
        resources = ["${local.arn.rds}:target-group:*"]
        scope     = "tagged-if-tagged"
      },
      {
        sid = "ChangeOwnProxies"
        actions = { rds = [
          "AddTagsToResource", "DeleteDBProxy",
          # Deregistering a target is authorized on the proxy as well as on its target group.
          "DeregisterDBProxyTargets",
          "ModifyDBProxy", "RemoveTagsFromResource",
        ] }
        resources = ["${local.arn.rds}:db-proxy:*"]
        scope     = "tagged"
      },
      # RDS names the master-user secret it manages rds!db-<uuid>; nothing narrower exists.
      {
        sid       = "Secrets"
        actions   = { secretsmanager = ["CreateSecret", "DeleteResourcePolicy", "DeleteSecret", "PutResourcePolicy", "RotateSecret", "TagResource", "UntagResource", "UpdateSecret"] }
        resources = ["${local.arn.secretsmanager}:secret:${p}*", "${local.arn.secretsmanager}:secret:rds!*"]
      },
      {
        sid       = "Parameters"
        actions   = { ssm = ["AddTagsToResource", "DeleteParameter", "DeleteParameters", "PutParameter", "RemoveTagsFromResource"] }
        resources = ["${local.arn.ssm}:parameter/${var.service_name}/${env}/*"]
      },
      # kms:CreateKey supports no resource-level permissions: the request's tags bound it; tagging the
      # new key is authorized on key/*.
      { sid = "CreateTaggedKeys", actions = { kms = ["CreateKey"] }, resources = ["*"], scope = "created-tagged" },
      { sid = "TagKeysOnCreate", actions = { kms = ["TagResource"] }, resources = ["${local.arn.kms}:key/*"], scope = "created-tagged" },
      {
        sid = "UseAndManageOwnKeys"
        actions = { kms = [
          "CancelKeyDeletion", "CreateAlias", "Decrypt", "DeleteAlias", "DescribeKey", "EnableKeyRotation", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
          "GetKeyPolicy", "GetKeyRotationStatus", "ListResourceTags", "PutKeyPolicy", "ScheduleKeyDeletion", "TagResource", "UntagResource", "UpdateAlias", "UpdateKeyDescription",
        ] }
        resources = ["${local.arn.kms}:key/*"]
        scope     = "tagged"
      },
      # RDS, ECR and CloudWatch Logs create grants on the caller's behalf; nothing else may.
      {
        sid        = "GrantsForAwsServices"
        actions    = { kms = ["CreateGrant", "ListGrants", "RevokeGrant"] }
        resources  = ["${local.arn.kms}:key/*"]
        scope      = "tagged"
        conditions = [["Bool", "kms:GrantIsForAWSResource", ["true"]]]
      },
      # The modules name aliases alias/<purpose>/<prefix>...: alias/ecs/imgclass-dev-api/logs, alias/rds/imgclass-dev.
      { sid = "AliasesByName", actions = { kms = ["CreateAlias", "DeleteAlias", "UpdateAlias"] }, resources = ["${local.arn.kms}:alias/${p}*", "${local.arn.kms}:alias/*/${p}*"] },
    ]
  }
}

# --- Apply: storage, messaging, registry, monitoring ----------------------------------------------

locals {
  apply_services_statements = {
    for env, p in local.prefixes : env => [
      {
        sid = "Buckets"
        actions = { s3 = [
          "CreateBucket", "DeleteBucket", "DeleteBucketPolicy", "PutBucketCORS", "PutBucketLogging", "PutBucketNotification", "PutBucketOwnershipControls",
          "PutBucketPolicy", "PutBucketPublicAccessBlock", "PutBucketTagging", "PutBucketVersioning", "PutEncryptionConfiguration", "PutLifecycleConfiguration",
        ] }
        resources = ["${local.s3_arn}${p}*"]
      },
      # A destroy of a bucket with force_destroy (deletion protection off) lists and deletes every
      # object version first. Only environments that run without deletion protection get this.
      {
        sid       = "EmptyBucketsOnDestroy"
        actions   = { s3 = ["ListBucket", "ListBucketVersions", "DeleteObject", "DeleteObjectVersion"] }
        resources = ["${local.s3_arn}${p}*", "${local.s3_arn}${p}*/*"]
        when      = local.environments[env].empty_buckets
      },
      { sid = "Queues", actions = { sqs = ["CreateQueue", "DeleteQueue", "SetQueueAttributes", "TagQueue", "UntagQueue"] }, resources = ["${local.arn.sqs}:${p}*"] },
      {
        sid       = "Topics"
        actions   = { sns = ["CreateTopic", "DeleteTopic", "SetSubscriptionAttributes", "SetTopicAttributes", "Subscribe", "TagResource", "Unsubscribe", "UntagResource"] }
        resources = ["${local.arn.sns}:${p}*"]
      },
      {
        sid = "ImageRepositories"
        actions = { ecr = [
          "CreateRepository", "DeleteLifecyclePolicy", "DeleteRepository", "DeleteRepositoryPolicy", "PutImageScanningConfiguration",
          "PutImageTagMutability", "PutLifecyclePolicy", "SetRepositoryPolicy", "TagResource", "UntagResource",
        ] }
        resources = ["${local.arn.ecr}:repository/${p}*"]
      },
      {
        sid = "LogGroups"
        actions = { logs = [
          "AssociateKmsKey", "CreateLogGroup", "DeleteLogGroup", "DeleteRetentionPolicy", "DisassociateKmsKey",
          "PutRetentionPolicy", "TagLogGroup", "TagResource", "UntagLogGroup", "UntagResource",
        ] }
        resources = local.log_group_patterns[env]
      },
      {
        sid       = "LogDelivery"
        actions   = { logs = ["CreateLogDelivery", "DeleteLogDelivery", "DeleteResourcePolicy", "GetLogDelivery", "ListLogDeliveries", "PutResourcePolicy", "UpdateLogDelivery"] }
        resources = ["*"]
      },
      {
        sid = "AlarmsAndDashboards"
        actions = { cloudwatch = [
          "DeleteAlarms", "DeleteDashboards", "DisableAlarmActions", "EnableAlarmActions", "PutCompositeAlarm",
          "PutDashboard", "PutMetricAlarm", "TagResource", "UntagResource",
        ] }
        resources = [
          "${local.arn.cloudwatch}:alarm:${p}*",
          # Target-tracking policies create their alarms under the caller's permissions.
          "${local.arn.cloudwatch}:alarm:TargetTracking-service/${p}*",
          "arn:${local.partition}:cloudwatch::${local.account_id}:dashboard/${p}*",
        ]
      },
    ]
  }
}

# --- Apply: IAM of the platform, and guard rails ------------------------------------------------

locals {
  apply_iam_statements = {
    for env, p in local.prefixes : env => [
      {
        sid       = "PlatformRoles"
        actions   = { iam = ["DeleteRole", "DeleteRolePolicy", "DetachRolePolicy", "TagRole", "UntagRole", "UpdateAssumeRolePolicy", "UpdateRole", "UpdateRoleDescription"] }
        resources = ["${local.iam_arn}:role/${p}*"]
      },
      { sid = "CreatePlatformRoles", actions = { iam = ["CreateRole", "PutRolePolicy"] }, resources = ["${local.iam_arn}:role/${p}*"], conditions = local.boundary_condition },
      {
        sid       = "AttachPrefixedAndServiceRolePolicies"
        actions   = { iam = ["AttachRolePolicy"] }
        resources = ["${local.iam_arn}:role/${p}*"]
        conditions = concat(
          [["ArnLike", "iam:PolicyARN", ["${local.iam_arn}:policy/${p}*", "arn:${local.partition}:iam::aws:policy/service-role/*"]]],
          local.boundary_condition,
        )
      },
      {
        sid        = "PassPlatformRoles"
        actions    = { iam = ["PassRole"] }
        resources  = ["${local.iam_arn}:role/${p}*"]
        conditions = [["StringEquals", "iam:PassedToService", local.passed_to_services]]
      },
      {
        sid        = "ServiceLinkedRoles"
        actions    = { iam = ["CreateServiceLinkedRole"] }
        resources  = ["${local.iam_arn}:role/aws-service-role/*"]
        conditions = [["StringEquals", "iam:AWSServiceName", local.service_linked_roles]]
      },
      {
        sid       = "DenyChangesToDeliveryIdentity"
        effect    = "Deny"
        actions   = { iam = ["*"] }
        resources = ["${local.iam_arn}:role${local.role_path}*", "${local.iam_arn}:policy${local.role_path}*", local.stand_in.oidc_provider]
      },
      {
        sid       = "DenyChangesToStateBucket"
        effect    = "Deny"
        actions   = { s3 = ["DeleteBucket*", "DeleteObjectVersion", "PutBucket*", "PutEncryptionConfiguration", "PutLifecycleConfiguration"] }
        resources = [local.state_bucket_arn, "${local.state_bucket_arn}/*"]
      },
      {
        sid       = "DenyChangesToStateKey"
        effect    = "Deny"
        actions   = { kms = ["CreateGrant", "DisableKey", "PutKeyPolicy", "ScheduleKeyDeletion", "TagResource", "UntagResource"] }
        resources = [local.stand_in.state_key]
      },
      # Tag-scoped key management must not be reachable by re-tagging a key of another service or environment.
      {
        sid        = "DenyRetaggingForeignKeys"
        effect     = "Deny"
        actions    = { kms = ["TagResource", "UntagResource"] }
        resources  = ["*"]
        conditions = [["Null", "aws:ResourceTag/Service", ["false"]], ["StringNotEquals", "aws:ResourceTag/Service", [var.service_name]]]
      },
      {
        sid        = "DenyRetaggingOtherEnvironments"
        effect     = "Deny"
        actions    = { kms = ["TagResource", "UntagResource"], ec2 = ["CreateTags", "DeleteTags"], rds = ["AddTagsToResource", "RemoveTagsFromResource"] }
        resources  = ["*"]
        conditions = [["Null", "aws:ResourceTag/Environment", ["false"]], ["StringNotEquals", "aws:ResourceTag/Environment", [env]]]
      },
      {
        sid       = "DenyRemovingTheBoundary"
        effect    = "Deny"
        actions   = { iam = ["DeleteRolePermissionsBoundary", "PutRolePermissionsBoundary"] }
        resources = ["${local.iam_arn}:role/${p}*"]
        when      = var.permissions_boundary_arn != null
      },
    ]
  }
}

# --- Every document, rendered ------------------------------------------------------------------------

locals {
  # Document key => its environment ("" for the shared read policy) and its rows.
  policy_tables = merge(
    { read = { env = "", rows = local.read_statements } },
    [
      for env in keys(local.environments) : {
        "read/${env}"        = { env = env, rows = local.read_names_statements[env] }
        "plan-state/${env}"  = { env = env, rows = local.plan_state_statements[env] }
        "apply-state/${env}" = { env = env, rows = local.apply_state_statements[env] }
        "compute/${env}"     = { env = env, rows = local.apply_compute_statements[env] }
        "data/${env}"        = { env = env, rows = local.apply_data_statements[env] }
        "services/${env}"    = { env = env, rows = local.apply_services_statements[env] }
        "iam/${env}"         = { env = env, rows = local.apply_iam_statements[env] }
      }
    ]...
  )

  # Tag conditions per scope: test, condition key, and the tags (Service = the service name,
  # Environment = the document's environment) the root's default_tags put on everything.
  scopes = {
    named            = { test = "StringEquals", key = "", tags = [] }
    tagged           = { test = "StringEquals", key = "aws:ResourceTag", tags = ["Service", "Environment"] }
    created-tagged   = { test = "StringEquals", key = "aws:RequestTag", tags = ["Service", "Environment"] }
    tagged-if-tagged = { test = "StringEqualsIfExists", key = "aws:ResourceTag", tags = ["Service", "Environment"] }
    service-tagged   = { test = "StringEquals", key = "aws:ResourceTag", tags = ["Service"] }
  }
  row_fields = ["sid", "effect", "actions", "resources", "scope", "conditions", "when"]

  policy_documents = {
    for key, doc in local.policy_tables : key => [
      for row in doc.rows : {
        sid       = row.sid
        effect    = try(row.effect, "Allow")
        actions   = flatten([for service, names in row.actions : [for name in names : "${service}:${name}"]])
        resources = row.resources
        conditions = concat(
          [
            for tag in local.scopes[try(row.scope, "named")].tags : {
              test     = local.scopes[row.scope].test
              variable = "${local.scopes[row.scope].key}/${tag}"
              values   = [tag == "Service" ? var.service_name : doc.env]
            }
          ],
          [for c in try(row.conditions, []) : { test = c[0], variable = c[1], values = c[2] }],
        )
      } if try(row.when, true)
    ]
  }
}

# Every document as its aws_iam_policy gets it: the late ARNs in place of their stand-ins.
locals {
  policy_json = {
    for key, doc in data.aws_iam_policy_document.this : key => (
      anytrue([for s in values(local.stand_in) : strcontains(doc.json, s)])
      ? replace(replace(doc.json, local.stand_in.state_key, module.state_bucket.kms_key_arn), local.stand_in.oidc_provider, local.oidc_provider_arn)
      : doc.json
    )
  }
}

data "aws_iam_policy_document" "this" {
  #checkov:skip=CKV_AWS_356:Resource "*" only for actions the IAM service reference gives no resource type (ReadWithoutResourceTypes, EcsDeregisterTaskDefinitions, LogDelivery; CreateTaggedProxies and CreateTaggedKeys bounded by the request's tags), the list calls without an identifier (ReadListsWithoutIdentifier) and the tag-conditioned denies; tests/modules/test_bootstrap_plan.py holds every Allow on "*" to the reference. None of them returns object, secret or parameter values.
  for_each = local.policy_documents

  dynamic "statement" {
    for_each = each.value

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

  lifecycle {
    # A misspelt field (say "scop") would silently drop a condition: refuse it.
    precondition {
      condition     = alltrue([for row in local.policy_tables[each.key].rows : length(setsubtract(keys(row), local.row_fields)) == 0])
      error_message = "A row of the policy table ${each.key} has a field other than ${join(", ", local.row_fields)}."
    }

    # IAM counts a managed policy's characters without white space, at most 6,144.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    postcondition {
      condition     = length(replace(self.json, "/\\s/", "")) <= 6144
      error_message = "The policy document ${each.key} exceeds IAM's 6,144-character limit for managed policies; split it."
    }
  }
}
