"""Actions AWS authorizes on the caller's behalf, beyond the one a call names.

moto never checks these, and they are what a first deploy trips over: tagging on create, passing a
role, KMS calls a service makes with the caller's credentials, service-linked roles created on first
use, and the extra checks some services run. Each rule cites the page that states it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from scripts.emulator.recorder import Call
from scripts.iam.requests import Intent, _as_list, request_tags, tag_context
from scripts.iam.view import MotoView

# --- tag on create ---------------------------------------------------------------------------------
# Creating a resource with tags is authorized twice: the create action and the tagging action.
# ELB: https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/tagging-resources-during-creation.html
# ECS: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
# EC2: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
# IAM: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html#access_iam-tags_create
# KMS: https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html
# Logs: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
# SQS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
# RDS: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/security_iam_id-based-policy-examples-create-and-tag.html
# Secrets Manager: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
# SSM: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
TAG_ON_CREATE: dict[tuple[str, str], str] = {
    ("elbv2", "CreateLoadBalancer"): "elasticloadbalancing:AddTags",
    ("elbv2", "CreateTargetGroup"): "elasticloadbalancing:AddTags",
    ("elbv2", "CreateListener"): "elasticloadbalancing:AddTags",
    ("elbv2", "CreateRule"): "elasticloadbalancing:AddTags",
    ("ecs", "CreateCluster"): "ecs:TagResource",
    ("ecs", "CreateService"): "ecs:TagResource",
    ("ecs", "RegisterTaskDefinition"): "ecs:TagResource",
    ("ecs", "CreateCapacityProvider"): "ecs:TagResource",
    ("ec2", "CreateSecurityGroup"): "ec2:CreateTags",
    ("ec2", "AuthorizeSecurityGroupIngress"): "ec2:CreateTags",
    ("ec2", "AuthorizeSecurityGroupEgress"): "ec2:CreateTags",
    ("iam", "CreateRole"): "iam:TagRole",
    ("iam", "CreatePolicy"): "iam:TagPolicy",
    ("iam", "CreateOpenIDConnectProvider"): "iam:TagOpenIDConnectProvider",
    ("kms", "CreateKey"): "kms:TagResource",
    ("logs", "CreateLogGroup"): "logs:TagResource",
    ("sqs", "CreateQueue"): "sqs:TagQueue",
    ("sns", "CreateTopic"): "sns:TagResource",
    ("secretsmanager", "CreateSecret"): "secretsmanager:TagResource",
    ("ssm", "PutParameter"): "ssm:AddTagsToResource",
    ("rds", "CreateDBInstance"): "rds:AddTagsToResource",
    ("rds", "CreateDBParameterGroup"): "rds:AddTagsToResource",
    ("rds", "CreateDBSubnetGroup"): "rds:AddTagsToResource",
    ("rds", "CreateDBProxy"): "rds:AddTagsToResource",
    ("ecr", "CreateRepository"): "ecr:TagResource",
    ("wafv2", "CreateWebACL"): "wafv2:TagResource",
    ("cloudwatch", "PutMetricAlarm"): "cloudwatch:TagResource",
    ("cloudwatch", "PutCompositeAlarm"): "cloudwatch:TagResource",
    ("events", "PutRule"): "events:TagResource",
    ("application-autoscaling", "RegisterScalableTarget"): "application-autoscaling:TagResource",
}


# The resource a create call makes: tagging on create is authorized on it alone, not on the VPC,
# cluster or listener it is created in.
CREATED = {
    "CreateSecurityGroup": ":security-group/",
    "AuthorizeSecurityGroupIngress": ":security-group-rule/",
    "AuthorizeSecurityGroupEgress": ":security-group-rule/",
    "CreateLoadBalancer": ":loadbalancer/",
    "CreateTargetGroup": ":targetgroup/",
    "CreateListener": ":listener/",
    "CreateRule": ":listener-rule/",
    "CreateService": ":service/",
    "RegisterTaskDefinition": ":task-definition/",
    "CreateDBInstance": ":db:",
    "CreateDBParameterGroup": ":pg:",
    "CreateDBSubnetGroup": ":subgrp:",
    "CreateDBProxy": ":db-proxy:",
    "CreateKey": ":key/",
}


def created(call: Call, arns: list[str]) -> list[str]:
    marker = CREATED.get(call.operation)
    return [a for a in arns if marker in a] if marker else arns


def _tag_on_create(call: Call, view: MotoView, own: Intent) -> list[Intent]:
    action = TAG_ON_CREATE.get((call.service, call.operation))
    tags = request_tags(call)
    if not action or not tags:
        return []
    context = dict(tag_context(tags))
    if call.service == "ec2":
        context["ec2:CreateAction"] = call.operation
    if call.service == "elbv2":
        context["elasticloadbalancing:CreateAction"] = call.operation
    if call.service == "ecs":
        context["ecs:CreateAction"] = call.operation
    arns = created(call, own.arns)
    policies = own.policies
    if call.operation == "CreateKey":
        # KMS decides on the key policy too; the new key's is the one in the request, or the default
        # that delegates to IAM. https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
        policies = {a: _new_key_policy(call, view) for a in arns}
    return [Intent(action, arns, {**own.context, **context}, own.tags, policies, "tag on create")]


def _new_key_policy(call: Call, view: MotoView) -> dict[str, Any]:
    if call.params.get("Policy"):
        return dict(json.loads(call.params["Policy"]))
    root = f"arn:aws:iam::{view.account_id}:root"
    statement = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": root}}
    return {"Version": "2012-10-17", "Statement": [{**statement, "Action": "kms:*", "Resource": "*"}]}


# --- iam:PassRole ------------------------------------------------------------------------------------
# Handing a role to a service is authorized as iam:PassRole with iam:PassedToService.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
PASSED_ROLES: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("ecs", "RegisterTaskDefinition"): (("taskRoleArn", "executionRoleArn"), "ecs-tasks.amazonaws.com"),
    ("rds", "CreateDBProxy"): (("RoleArn",), "rds.amazonaws.com"),
    ("rds", "ModifyDBProxy"): (("RoleArn",), "rds.amazonaws.com"),
    ("rds", "CreateDBInstance"): (("MonitoringRoleArn",), "monitoring.rds.amazonaws.com"),
    ("rds", "ModifyDBInstance"): (("MonitoringRoleArn",), "monitoring.rds.amazonaws.com"),
    ("events", "PutTargets"): (("RoleArn",), "events.amazonaws.com"),
}


def _pass_role(call: Call, view: MotoView, own: Intent) -> list[Intent]:
    rule = PASSED_ROLES.get((call.service, call.operation))
    if not rule:
        return []
    names, service = rule
    roles = [call.params.get(n) for n in names]
    if call.operation == "PutTargets":
        roles = [t.get("RoleArn") for t in _as_list(call.params.get("Targets"))]
    return [
        Intent(
            "iam:PassRole", [role], {**own.context, "iam:PassedToService": service}, why=f"passes {role} to {service}"
        )
        for role in roles
        if role
    ]


# --- KMS calls a service makes with the caller's credentials ------------------------------------------
def _kms(action: str, key: str | None, via: str, view: MotoView, own: Intent, why: str, **extra: str) -> Intent | None:
    if not key:
        return None
    arn = view.key_arn(key) if not key.startswith("arn:aws:kms:") or ":alias/" in key else key
    if arn is None:
        return None
    context = {
        "aws:SecureTransport": "true",
        "kms:ViaService": f"{via}.{view.region}.amazonaws.com",
        "kms:CallerAccount": view.account_id,
        **extra,
    }
    return Intent(
        action, [arn], context, {arn: view.tags(arn) or {}}, {arn: p} if (p := view.key_policy(arn)) else {}, why
    )


def _kms_via_services(call: Call, view: MotoView, own: Intent) -> list[Intent]:
    p, found = call.params, []
    op = (call.service, call.operation)
    if call.service == "s3" and call.operation in ("PutObject", "GetObject", "HeadObject"):
        # SSE-KMS objects: S3 asks KMS for a data key on write and to decrypt on read, as the caller.
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys
        key = p.get("SSEKMSKeyId") or view.bucket_kms_key(p.get("Bucket", ""))
        action = "kms:GenerateDataKey" if call.operation == "PutObject" else "kms:Decrypt"
        found.append(_kms(action, key, "s3", view, own, "S3 SSE-KMS"))
    elif op == ("ssm", "PutParameter") and p.get("Type") == "SecureString":
        # https://docs.aws.amazon.com/systems-manager/latest/userguide/secure-string-parameter-kms-encryption.html
        found.append(_kms("kms:Encrypt", p.get("KeyId") or "alias/aws/ssm", "ssm", view, own, "SecureString write"))
    elif op in (("ssm", "GetParameter"), ("ssm", "GetParameters")) and p.get("WithDecryption"):
        for name in _as_list(p.get("Name")) + _as_list(p.get("Names")):
            kind = view.parameter_key(name)
            if kind and kind[0] == "SecureString":
                found.append(_kms("kms:Decrypt", kind[1], "ssm", view, own, f"SecureString read of {name}"))
    elif op in (("secretsmanager", "CreateSecret"), ("secretsmanager", "PutSecretValue")):
        if p.get("SecretString") or p.get("SecretBinary"):
            # https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
            found.append(_kms("kms:GenerateDataKey", p.get("KmsKeyId"), "secretsmanager", view, own, "secret value"))
    elif op == ("rds", "CreateDBInstance") and p.get("StorageEncrypted") and p.get("KmsKeyId"):
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html
        for action, extra in (("kms:CreateGrant", {"kms:GrantIsForAWSResource": "true"}), ("kms:DescribeKey", {})):
            found.append(_kms(action, p["KmsKeyId"], "rds", view, own, "encrypted storage", **extra))
    if op in (("rds", "CreateDBInstance"), ("rds", "ModifyDBInstance")) and p.get("ManageMasterUserPassword"):
        # RDS creates and rotates the master secret with the caller's permissions.
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-permissions
        secret = f"arn:aws:secretsmanager:{view.region}:{view.account_id}:secret:rds!db-*"
        found.append(Intent("secretsmanager:CreateSecret", [secret], own.context, why="RDS-managed master secret"))
        found.append(Intent("secretsmanager:RotateSecret", [secret], own.context, why="RDS-managed master secret"))
        key = p.get("MasterUserSecretKmsKeyId")
        if key:
            found.append(_kms("kms:GenerateDataKey", key, "secretsmanager", view, own, "RDS-managed master secret"))
            found.append(_kms("kms:Decrypt", key, "secretsmanager", view, own, "RDS-managed master secret"))
    if op == ("ecr", "CreateRepository"):
        key = (p.get("encryptionConfiguration") or {}).get("kmsKey")
        # https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html#encryption-at-rest-iam
        for action, extra in (("kms:CreateGrant", {"kms:GrantIsForAWSResource": "true"}), ("kms:DescribeKey", {})):
            found.append(_kms(action, key, "ecr", view, own, "encrypted repository", **extra))
    return [i for i in found if i is not None]


# --- service-linked roles created on first use ----------------------------------------------------------
# https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html#service-linked-role-permissions
SERVICE_LINKED: dict[tuple[str, str], str] = {
    ("ecs", "CreateCluster"): "ecs.amazonaws.com",
    ("ecs", "CreateService"): "ecs.amazonaws.com",
    ("elbv2", "CreateLoadBalancer"): "elasticloadbalancing.amazonaws.com",
    ("rds", "CreateDBInstance"): "rds.amazonaws.com",
    ("rds", "CreateDBProxy"): "rds.amazonaws.com",
    ("application-autoscaling", "RegisterScalableTarget"): "ecs.application-autoscaling.amazonaws.com",
}


def _service_linked(call: Call, view: MotoView, own: Intent) -> list[Intent]:
    service = SERVICE_LINKED.get((call.service, call.operation))
    if not service or view.service_linked_role_exists(service):
        return []
    arn = f"arn:aws:iam::{view.account_id}:role/aws-service-role/{service}/*"
    return [
        Intent("iam:CreateServiceLinkedRole", [arn], {**own.context, "iam:AWSServiceName": service}, why="first use")
    ]


# --- checks a service runs against other services --------------------------------------------------------
def _cross_service(call: Call, view: MotoView, own: Intent) -> list[Intent]:
    p, found = call.params, []
    if call.service == "wafv2" and call.operation in ("AssociateWebACL", "DisassociateWebACL"):
        # Associating a web ACL with a load balancer changes the load balancer.
        # https://docs.aws.amazon.com/waf/latest/developerguide/security_iam_service-with-iam.html
        found.append(
            Intent("elasticloadbalancing:SetWebAcl", [p["ResourceArn"]], own.context, why="web ACL on the ALB")
        )
    scaling_ops = ("RegisterScalableTarget", "PutScalingPolicy", "DeleteScalingPolicy")
    if (
        call.service == "application-autoscaling"
        and p.get("ServiceNamespace") == "ecs"
        and call.operation in scaling_ops
    ):
        # Application Auto Scaling validates the caller's rights on the target and on CloudWatch.
        # https://docs.aws.amazon.com/autoscaling/application/userguide/security_iam_id-based-policy-examples.html#application-auto-scaling-additional-permissions
        _, cluster, service = p["ResourceId"].split("/", 2)
        svc = f"arn:aws:ecs:{view.region}:{view.account_id}:service/{cluster}/{service}"
        alarms = f"arn:aws:cloudwatch:{view.region}:{view.account_id}:alarm:TargetTracking-{p['ResourceId']}-*"
        if call.operation == "RegisterScalableTarget":
            found += [
                Intent(a, [svc], own.context, why="target validation")
                for a in ("ecs:DescribeServices", "ecs:UpdateService")
            ]
        if call.operation in ("PutScalingPolicy", "DeleteScalingPolicy"):
            actions = ["cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"]
            if call.operation == "PutScalingPolicy":
                actions.append("cloudwatch:PutMetricAlarm")
            found += [Intent(a, [alarms], own.context, why="target-tracking alarms") for a in actions]
    if (
        call.service == "rds"
        and call.operation == "DeleteDBInstance"
        and p.get("FinalDBSnapshotIdentifier")
        and not p.get("SkipFinalSnapshot")
    ):
        # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html
        snap = f"arn:aws:rds:{view.region}:{view.account_id}:snapshot:{p['FinalDBSnapshotIdentifier']}"
        found.append(Intent("rds:CreateDBSnapshot", [snap, *own.arns], own.context, why="final snapshot"))
    return found


RULES: tuple[Callable[[Call, MotoView, Intent], list[Intent]], ...] = (
    _tag_on_create,
    _pass_role,
    _kms_via_services,
    _service_linked,
    _cross_service,
)


def implied_intents(call: Call, view: MotoView, own: Intent) -> list[Intent]:
    found: list[Intent] = []
    for rule in RULES:
        found += rule(call, view, own)
    return found
