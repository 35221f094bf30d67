"""The resource types the platform creates: how each is found in AWS and what ``terraform import`` takes.

Tagged types come from the Resource Groups Tagging API (``GetResources`` with the platform's Service
and Environment tags, https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html)
and are classified by ARN. Types that carry no tags, or that the Tagging API does not list (IAM), are
found by the platform's name prefix ``<service>-<environment>``.

Import IDs are those of each resource's "Import" section in the AWS provider's documentation,
https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/<type without aws_>#import:
bucket name (s3_bucket), key id (kms_key), alias name (kms_alias), queue URL (sqs_queue), topic ARN
(sns_topic), subscription ARN (sns_topic_subscription), log group name (cloudwatch_log_group),
cluster name (ecs_cluster), ``cluster/service`` (ecs_service), task definition ARN
(ecs_task_definition), ARN (lb, lb_target_group, lb_listener, lb_listener_rule, secretsmanager_secret),
identifier (db_instance), name (db_subnet_group, db_parameter_group, db_proxy, ecr_repository,
ssm_parameter, cloudwatch_metric_alarm, cloudwatch_composite_alarm, cloudwatch_dashboard, iam_role),
``ID/Name/Scope`` (wafv2_web_acl), security group id (security_group), rule id ``sgr-...``
(vpc_security_group_ingress_rule / _egress_rule), ``role:policy`` (iam_role_policy),
``role/policy-arn`` (iam_role_policy_attachment), ``namespace/resource-id/dimension`` (appautoscaling_target)
and ``namespace/resource-id/dimension/name`` (appautoscaling_policy, appautoscaling_scheduled_action).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Clients = Callable[[str], Any]


@dataclass(frozen=True)
class LiveResource:
    """One resource in AWS: its Terraform type (None when the platform never creates that kind)."""

    rtype: str | None
    import_id: str
    arn: str
    name: str

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(i for i in (self.import_id, self.arn, self.name) if i)


def _arn_parts(arn: str) -> tuple[str, str, str, str]:
    """(service, region, account, resource) of an ARN."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "", "", "", arn
    return parts[2], parts[3], parts[4], parts[5]


def classify(arn: str, clients: Clients) -> LiveResource:
    """A tagged resource's Terraform type and import ID, from its ARN (and a lookup where the ID is not in it)."""
    service, _region, _account, resource = _arn_parts(arn)
    # The resource part is "type/id" or "type:id", whichever separator comes first (log-group:/a/b).
    cut = min((i for i in (resource.find("/"), resource.find(":")) if i >= 0), default=len(resource))
    kind, rest = resource[:cut], resource[cut + 1 :]
    tail = rest.rsplit("/", 1)[-1]
    simple: dict[tuple[str, str], str] = {
        ("kms", "key"): "aws_kms_key",
        ("ecs", "cluster"): "aws_ecs_cluster",
        ("ecr", "repository"): "aws_ecr_repository",
        ("ec2", "security-group"): "aws_security_group",
        ("rds", "db"): "aws_db_instance",
        ("rds", "subgrp"): "aws_db_subnet_group",
        ("rds", "pg"): "aws_db_parameter_group",
    }
    if service == "s3" and "/" not in resource:
        return LiveResource("aws_s3_bucket", resource, arn, resource)
    if (service, kind) in simple:
        return LiveResource(simple[(service, kind)], tail, arn, tail)
    if service == "sqs":
        url = clients("sqs").get_queue_url(QueueName=resource)["QueueUrl"]
        return LiveResource("aws_sqs_queue", url, arn, resource)
    if service == "sns":
        return LiveResource("aws_sns_topic", arn, arn, resource)
    if service == "logs" and kind == "log-group":
        name = rest.removesuffix(":*")
        return LiveResource("aws_cloudwatch_log_group", name, arn, name)
    if service == "ecs" and kind == "service":
        cluster, _, svc = rest.partition("/")
        return LiveResource("aws_ecs_service", f"{cluster}/{svc}", arn, svc)
    if service == "ecs" and kind == "task-definition":
        return LiveResource("aws_ecs_task_definition", arn, arn, rest.split(":")[0])
    if service == "elasticloadbalancing":
        rtype = {
            "loadbalancer": "aws_lb",
            "targetgroup": "aws_lb_target_group",
            "listener": "aws_lb_listener",
            "listener-rule": "aws_lb_listener_rule",
        }.get(kind)
        return LiveResource(rtype, arn, arn, rest.split("/")[1] if "/" in rest else rest)
    if service == "secretsmanager":
        return LiveResource("aws_secretsmanager_secret", arn, arn, re.sub(r"-[A-Za-z0-9]{6}$", "", rest))
    if service == "ssm" and kind == "parameter":
        # Hierarchical names (/a/b) appear as parameter/a/b; a flat name has no slash.
        name = f"/{rest}" if "/" in rest else rest
        return LiveResource("aws_ssm_parameter", name, arn, name)
    if service == "cloudwatch" and kind == "alarm":
        alarms = clients("cloudwatch").describe_alarms(AlarmNames=[rest], AlarmTypes=["CompositeAlarm", "MetricAlarm"])
        rtype = "aws_cloudwatch_composite_alarm" if alarms.get("CompositeAlarms") else "aws_cloudwatch_metric_alarm"
        return LiveResource(rtype, rest, arn, rest)
    if service == "rds" and kind == "db-proxy":
        for proxy in clients("rds").describe_db_proxies().get("DBProxies", []):
            if proxy["DBProxyArn"] == arn:
                return LiveResource("aws_db_proxy", proxy["DBProxyName"], arn, proxy["DBProxyName"])
    if service == "wafv2" and "/webacl/" in resource:
        scope_part, _, name_id = resource.partition("/webacl/")
        name, _, acl_id = name_id.partition("/")
        scope = "CLOUDFRONT" if scope_part == "global" else "REGIONAL"
        return LiveResource("aws_wafv2_web_acl", f"{acl_id}/{name}/{scope}", arn, name)
    if service == "ec2" and kind == "security-group-rule":
        return _security_group_rule(clients, tail, arn)
    if service == "application-autoscaling" and kind == "scalable-target":
        for target in _scalable_targets(clients):
            if target.get("ScalableTargetARN") == arn:
                return _target_resource(target)
    return LiveResource(None, "", arn, tail)


def _security_group_rule(clients: Clients, rule_id: str, arn: str = "") -> LiveResource:
    rules = clients("ec2").describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"]
    egress = bool(rules and rules[0].get("IsEgress"))
    rtype = "aws_vpc_security_group_egress_rule" if egress else "aws_vpc_security_group_ingress_rule"
    return LiveResource(rtype, rule_id, arn, rule_id)


def _scalable_targets(clients: Clients) -> list[dict[str, Any]]:
    pages = (
        clients("application-autoscaling").get_paginator("describe_scalable_targets").paginate(ServiceNamespace="ecs")
    )
    return [t for page in pages for t in page.get("ScalableTargets", [])]


def _target_resource(target: dict[str, Any]) -> LiveResource:
    import_id = f"{target['ServiceNamespace']}/{target['ResourceId']}/{target['ScalableDimension']}"
    return LiveResource(
        "aws_appautoscaling_target", import_id, target.get("ScalableTargetARN", ""), target["ResourceId"]
    )


# --- found by name prefix ------------------------------------------------------------------------------


def prefixed(name: str, prefix: str) -> bool:
    """``prefix`` starts the name or one of its path segments (alias/ecs/<prefix>-api/logs)."""
    return any(part.startswith(prefix) for part in name.split("/"))


def iam_resources(clients: Clients, prefix: str) -> Iterator[LiveResource]:
    """Roles (IAM is not in the Tagging API), their inline policies and attachments (never tagged)."""
    iam = clients("iam")
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            name = role["RoleName"]
            if not name.startswith(prefix):
                continue
            yield LiveResource("aws_iam_role", name, role["Arn"], name)
            for ppage in iam.get_paginator("list_role_policies").paginate(RoleName=name):
                for policy in ppage["PolicyNames"]:
                    yield LiveResource("aws_iam_role_policy", f"{name}:{policy}", "", policy)
            for apage in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
                for attached in apage["AttachedPolicies"]:
                    pid = f"{name}/{attached['PolicyArn']}"
                    yield LiveResource("aws_iam_role_policy_attachment", pid, "", pid)


def kms_aliases(clients: Clients, prefix: str) -> Iterator[LiveResource]:
    for page in clients("kms").get_paginator("list_aliases").paginate():
        for alias in page["Aliases"]:
            name = alias["AliasName"]
            if prefixed(name.removeprefix("alias/"), prefix):
                yield LiveResource("aws_kms_alias", name, alias.get("AliasArn", ""), name)


def dashboards(clients: Clients, prefix: str) -> Iterator[LiveResource]:
    for page in clients("cloudwatch").get_paginator("list_dashboards").paginate(DashboardNamePrefix=prefix):
        for board in page.get("DashboardEntries", []):
            yield LiveResource(
                "aws_cloudwatch_dashboard",
                board["DashboardName"],
                board.get("DashboardArn", ""),
                board["DashboardName"],
            )


def autoscaling(clients: Clients, prefix: str) -> Iterator[LiveResource]:
    """Scalable targets, scaling policies and scheduled actions of the platform's ECS services."""
    aas = clients("application-autoscaling")
    for target in _scalable_targets(clients):
        if prefixed(target["ResourceId"], prefix):
            yield _target_resource(target)
    for method, key, rtype, name_key in (
        ("describe_scaling_policies", "ScalingPolicies", "aws_appautoscaling_policy", "PolicyName"),
        (
            "describe_scheduled_actions",
            "ScheduledActions",
            "aws_appautoscaling_scheduled_action",
            "ScheduledActionName",
        ),
    ):
        for page in aas.get_paginator(method).paginate(ServiceNamespace="ecs"):
            for item in page.get(key, []):
                if not prefixed(item["ResourceId"], prefix):
                    continue
                import_id = f"ecs/{item['ResourceId']}/{item['ScalableDimension']}/{item[name_key]}"
                arn = item.get("PolicyARN") or item.get("ScheduledActionARN") or ""
                yield LiveResource(rtype, import_id, arn, item[name_key])


def security_group_rules(clients: Clients, group_ids: list[str]) -> Iterator[LiveResource]:
    """Rules of the platform's security groups (the Tagging API does not list rules everywhere)."""
    if not group_ids:
        return
    ec2 = clients("ec2")
    pages = ec2.get_paginator("describe_security_group_rules").paginate(
        Filters=[{"Name": "group-id", "Values": group_ids}]
    )
    for page in pages:
        for rule in page["SecurityGroupRules"]:
            rtype = (
                "aws_vpc_security_group_egress_rule" if rule.get("IsEgress") else "aws_vpc_security_group_ingress_rule"
            )
            yield LiveResource(
                rtype, rule["SecurityGroupRuleId"], rule.get("SecurityGroupRuleArn", ""), rule["SecurityGroupRuleId"]
            )


def topic_subscriptions(clients: Clients, topic_arns: list[str]) -> Iterator[LiveResource]:
    sns = clients("sns")
    for topic in topic_arns:
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic):
            for sub in page["Subscriptions"]:
                arn = sub["SubscriptionArn"]
                if arn.startswith("arn:"):  # "PendingConfirmation" is not a resource yet
                    yield LiveResource("aws_sns_topic_subscription", arn, arn, arn)
