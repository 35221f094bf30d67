"""A recorded call as the IAM requests AWS evaluates for it: actions, resource ARNs, condition context.

``intents_for(call, view)`` runs when the call is recorded (before moto serves it) and returns one
``Intent`` per IAM action the call needs: the call's own action plus the ones AWS authorizes
implicitly on the caller's behalf (``scripts.iam.implied``). An Intent lists every ARN the request
touches; ``scripts.iam.proof`` later matches them to the action's resource types from the IAM
service reference (iam-data), so a resource type this module did not resolve shows up as an
unresolved call, never as an allowed one.

Generated ids that do not exist before a create (a security group, a load balancer's id) are the
wildcard AWS documents for such requests: ``security-group/*``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from scripts.emulator.recorder import Call
from scripts.iam.view import PARTITION, MotoView

# botocore service name -> IAM service prefix, where they differ.
IAM_PREFIX = {"elbv2": "elasticloadbalancing", "monitoring": "cloudwatch"}

# S3's REST operations are authorized as IAM actions with other names.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
S3_ACTIONS = {
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "HeadObject": "GetObject",
    "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
    "GetBucketCors": "GetBucketCORS",
    "PutBucketCors": "PutBucketCORS",
    "DeleteBucketCors": "PutBucketCORS",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "DeleteBucketEncryption": "PutEncryptionConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "PutLifecycleConfiguration",
    "GetBucketReplication": "GetReplicationConfiguration",
    "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
    "DeleteBucketTagging": "PutBucketTagging",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "PutBucketNotificationConfiguration": "PutBucketNotification",
    "DeleteObjects": "DeleteObject",
}


@dataclass
class Intent:
    """One IAM action a call needs, with what AWS would know when it decides."""

    action: str
    arns: list[str]
    context: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # ARN -> tags before the call
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # ARN -> resource policy
    why: str = "the call itself"


def iam_action(call: Call) -> str:
    prefix = IAM_PREFIX.get(call.service, call.service)
    name = S3_ACTIONS.get(call.operation, call.operation) if call.service == "s3" else call.operation
    if call.service == "s3" and call.operation == "DeleteObject" and call.params.get("VersionId"):
        name = "DeleteObjectVersion"
    objects = _as_list((call.params.get("Delete") or {}).get("Objects")) if call.operation == "DeleteObjects" else []
    if any(o.get("VersionId") for o in objects):
        name = "DeleteObjectVersion"
    return f"{prefix}:{name}"


def _arn(view: MotoView, service: str, resource: str, region: bool = True) -> str:
    return f"arn:{PARTITION}:{service}:{view.region if region else ''}:{view.account_id}:{resource}"


def _first(params: dict[str, Any], *names: str) -> Any:
    lowered = {k.lower(): v for k, v in params.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, "", []):
            return value
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- tags in the request: every shape the APIs use ------------------------------------------------
def request_tags(call: Call) -> dict[str, str] | None:
    """Tags a create or tag call sets (None when it sets none)."""
    p = call.params
    raw = _first(p, "Tags", "TagList")
    if call.service == "ec2":
        raw = [t for spec in _as_list(p.get("TagSpecifications")) for t in _as_list(spec.get("Tags"))] or (
            p.get("Tags") if call.operation in ("CreateTags", "DeleteTags") else None
        )
    if raw is None:
        return None
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    tags: dict[str, str] = {}
    for item in raw:
        key = _first(item, "Key", "TagKey")
        if key is not None:
            tags[str(key)] = str(_first(item, "Value", "TagValue") or "")
    return tags


def tag_context(tags: dict[str, str] | None) -> dict[str, Any]:
    if not tags:
        return {}
    context: dict[str, Any] = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    context["aws:TagKeys"] = sorted(tags)
    return context


# --- the resources a call touches, per service ----------------------------------------------------
def resources(call: Call, view: MotoView) -> list[str]:
    resolver = globals().get(f"_res_{call.service.replace('-', '_')}")
    found = list(resolver(call, view)) if resolver else []
    # Any parameter that already is an ARN names a resource of the call (tagging APIs, elbv2, wafv2...).
    for value in _arn_params(call.params):
        if value not in found:
            found.append(value)
    return found


_ARN_PARAM = re.compile(r"(arn|arns|resourcename)$", re.IGNORECASE)


def _arn_params(params: dict[str, Any]) -> list[str]:
    found = []
    for key, value in params.items():
        if not _ARN_PARAM.search(key):
            continue
        for item in _as_list(value):
            if isinstance(item, str) and item.startswith("arn:"):
                found.append(item)
    return found


def _res_s3(call: Call, view: MotoView) -> list[str]:
    bucket = call.params.get("Bucket")
    if not bucket:
        return []
    found = [f"arn:{PARTITION}:s3:::{bucket}"]
    keys = [call.params["Key"]] if call.params.get("Key") else []
    keys += [o["Key"] for o in _as_list((call.params.get("Delete") or {}).get("Objects"))]
    found += [f"arn:{PARTITION}:s3:::{bucket}/{k}" for k in keys]
    return found


def _res_sqs(call: Call, view: MotoView) -> list[str]:
    url = call.params.get("QueueUrl")
    name = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1] if url else call.params.get("QueueName")
    return [_arn(view, "sqs", name)] if name else []


def _res_sns(call: Call, view: MotoView) -> list[str]:
    p = call.params
    if p.get("SubscriptionArn"):
        return [p["SubscriptionArn"].rsplit(":", 1)[0]]
    if call.operation == "CreateTopic":
        return [_arn(view, "sns", p["Name"])]
    return []


def _res_iam(call: Call, view: MotoView) -> list[str]:
    p = call.params
    found = []
    if p.get("RoleName"):
        found.append(view.role_arn(p["RoleName"], p.get("Path")))
    if call.operation == "CreatePolicy":
        found.append(f"arn:{PARTITION}:iam::{view.account_id}:policy{p.get('Path') or '/'}{p['PolicyName']}")
    if call.operation == "CreateOpenIDConnectProvider":
        host = urlparse(p["Url"]).netloc or p["Url"]
        found.append(f"arn:{PARTITION}:iam::{view.account_id}:oidc-provider/{host}")
    if call.operation == "CreateServiceLinkedRole":
        found.append(f"arn:{PARTITION}:iam::{view.account_id}:role/aws-service-role/{p['AWSServiceName']}/*")
    return found


def _res_kms(call: Call, view: MotoView) -> list[str]:
    p = call.params
    found = []
    for value in (p.get("KeyId"), p.get("TargetKeyId")):
        if value:
            arn = view.key_arn(value)
            found.append(arn or _arn(view, "kms", f"key/{value}"))
    if p.get("AliasName"):
        found.append(_arn(view, "kms", p["AliasName"]))
        # An alias operation is authorized on the alias and on the key it points to.
        # https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
        target = view.key_arn(p["AliasName"]) if call.operation != "CreateAlias" else None
        if target and target not in found:
            found.append(target)
    if call.operation == "CreateKey":
        found.append(_arn(view, "kms", "key/*"))
    return found


def _res_ec2(call: Call, view: MotoView) -> list[str]:
    p = call.params
    found = []
    by_prefix = {"sg-": "security-group", "sgr-": "security-group-rule", "vpc-": "vpc", "subnet-": "subnet"}
    ids = _as_list(p.get("GroupId")) + _as_list(p.get("Resources")) + _as_list(p.get("VpcId"))
    ids += [r.get("SecurityGroupRuleId") for r in _as_list(p.get("SecurityGroupRules")) if isinstance(r, dict)]
    ids += _as_list(p.get("SecurityGroupRuleIds"))
    for rid in ids:
        for prefix, kind in sorted(by_prefix.items(), key=lambda kv: -len(kv[0])):
            if isinstance(rid, str) and rid.startswith(prefix):
                found.append(_arn(view, "ec2", f"{kind}/{rid}"))
                break
    if call.operation == "CreateSecurityGroup":
        found.append(_arn(view, "ec2", "security-group/*"))
    if call.operation.startswith("AuthorizeSecurityGroup") and p.get("TagSpecifications"):
        found.append(_arn(view, "ec2", "security-group-rule/*"))
    return found


def _cluster_name(value: str | None) -> str | None:
    return value.rsplit("/", 1)[-1] if value else None


def _res_ecs(call: Call, view: MotoView) -> list[str]:
    p = call.params
    found = []
    cluster = _cluster_name(_first(p, "cluster", "clusterName")) or ("default" if "service" in p else None)
    if cluster:
        found.append(_arn(view, "ecs", f"cluster/{cluster}"))
    service = _first(p, "service", "serviceName")
    if service and not str(service).startswith("arn:"):
        found.append(_arn(view, "ecs", f"service/{cluster or 'default'}/{service}"))
    if call.operation == "RegisterTaskDefinition":
        found.append(_arn(view, "ecs", f"task-definition/{p['family']}:*"))
    task_definition = p.get("taskDefinition")
    if task_definition and not str(task_definition).startswith("arn:"):
        name = task_definition if ":" in task_definition else f"{task_definition}:*"
        found.append(_arn(view, "ecs", f"task-definition/{name}"))
    found += [t for t in _as_list(p.get("taskDefinitions")) if str(t).startswith("arn:")]
    for listed in _as_list(p.get("clusters")):
        found.append(listed if str(listed).startswith("arn:") else _arn(view, "ecs", f"cluster/{listed}"))
    for listed in _as_list(p.get("services")) + ([service] if str(service).startswith("arn:") else []):
        name = str(listed).rsplit("/", 1)[-1]
        found.append(_arn(view, "ecs", f"service/{cluster or 'default'}/{name}"))
    found += [_arn(view, "ecs", f"capacity-provider/{c}") for c in _as_list(p.get("capacityProviders"))]
    return found


def _res_elbv2(call: Call, view: MotoView) -> list[str]:
    p = call.params
    if call.operation == "CreateLoadBalancer":
        return [_arn(view, "elasticloadbalancing", f"loadbalancer/app/{p['Name']}/*")]
    if call.operation == "CreateTargetGroup":
        return [_arn(view, "elasticloadbalancing", f"targetgroup/{p['Name']}/*")]
    if call.operation == "CreateListener":
        lb = p["LoadBalancerArn"].split(":loadbalancer/", 1)[1]
        return [f"{p['LoadBalancerArn'].split(':loadbalancer/')[0]}:listener/{lb}/*"]
    if call.operation == "CreateRule":
        listener = p["ListenerArn"].split(":listener/", 1)[1]
        return [f"{p['ListenerArn'].split(':listener/')[0]}:listener-rule/{listener}/*"]
    if p.get("Names"):
        return [lb for n in p["Names"] if (lb := view.load_balancer_arn(n))]
    return []


def _res_application_autoscaling(call: Call, view: MotoView) -> list[str]:
    p = call.params
    if not p.get("ResourceId") or not p.get("ScalableDimension"):
        return []
    arn = view.scalable_target_arn(p.get("ServiceNamespace", ""), p["ResourceId"], p["ScalableDimension"])
    return [arn or _arn(view, "application-autoscaling", "scalable-target/*")]


def _res_wafv2(call: Call, view: MotoView) -> list[str]:
    p = call.params
    logging = (p.get("LoggingConfiguration") or {}).get("ResourceArn")
    if logging:
        return [logging]
    if call.operation == "GetWebACLForResource":
        # Authorized on the resource and on the web ACL that protects it.
        acl = view.web_acl_for(p["ResourceArn"])
        return [acl] if acl else []
    if call.operation == "CreateWebACL":
        return [_arn(view, "wafv2", f"regional/webacl/{p['Name']}/*")]
    if p.get("Name") and p.get("Id"):
        kind = "webacl" if "ACL" in call.operation else call.operation.removeprefix("Get").lower()
        return [_arn(view, "wafv2", f"{p.get('Scope', 'REGIONAL').lower()}/{kind}/{p['Name']}/{p['Id']}")]
    return []


def _res_rds(call: Call, view: MotoView) -> list[str]:
    p = call.params
    found = []
    for instance in _as_list(p.get("DBInstanceIdentifier")) + _as_list(p.get("DBInstanceIdentifiers")):
        found.append(_arn(view, "rds", f"db:{instance}"))
    if p.get("DBParameterGroupName"):
        found.append(_arn(view, "rds", f"pg:{p['DBParameterGroupName']}"))
    if p.get("DBSubnetGroupName"):
        found.append(_arn(view, "rds", f"subgrp:{p['DBSubnetGroupName']}"))
    if p.get("DBSnapshotIdentifier"):
        found.append(_arn(view, "rds", f"snapshot:{p['DBSnapshotIdentifier']}"))
    if call.operation == "CreateDBInstance":
        # An instance without an option group joins the engine's default one.
        # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
        version = str(p.get("EngineVersion") or "").split(".")[0]
        group = p.get("OptionGroupName") or f"default:{p.get('Engine')}-{version}"
        found.append(_arn(view, "rds", f"og:{group}"))
    proxy = p.get("DBProxyName")
    if proxy:
        if call.operation == "CreateDBProxy":
            found.append(_arn(view, "rds", "db-proxy:*"))
        else:
            found.append(view.proxy_arn(proxy) or _arn(view, "rds", "db-proxy:*"))
            if "TargetGroupName" in p or call.operation in ("RegisterDBProxyTargets", "DeregisterDBProxyTargets"):
                found.append(view.proxy_target_group_arn(proxy) or _arn(view, "rds", "target-group:*"))
    return found


def _res_secretsmanager(call: Call, view: MotoView) -> list[str]:
    p = call.params
    if call.operation == "CreateSecret":
        # Secrets Manager appends six random characters to the name in the ARN.
        return [_arn(view, "secretsmanager", f"secret:{p['Name']}-??????")]
    secret = p.get("SecretId")
    if secret:
        return [
            secret
            if secret.startswith("arn:")
            else view.secret_arn(secret) or _arn(view, "secretsmanager", f"secret:{secret}-??????")
        ]
    return []


def _res_ssm(call: Call, view: MotoView) -> list[str]:
    p = call.params
    names = _as_list(p.get("Name")) + _as_list(p.get("Names"))
    if p.get("ResourceType") == "Parameter" and p.get("ResourceId"):
        names.append(p["ResourceId"])
    return [_arn(view, "ssm", f"parameter/{n.lstrip('/')}") for n in names]


def _res_ecr(call: Call, view: MotoView) -> list[str]:
    names = _as_list(call.params.get("repositoryName")) + _as_list(call.params.get("repositoryNames"))
    return [_arn(view, "ecr", f"repository/{name}") for name in names]


def _res_logs(call: Call, view: MotoView) -> list[str]:
    p = call.params
    name = p.get("logGroupName")
    found = [_arn(view, "logs", f"log-group:{name}")] if name else []
    arn = p.get("resourceArn") or p.get("resourceIdentifier")
    if isinstance(arn, str) and arn.startswith("arn:"):
        found.append(arn.removesuffix(":*"))
    return found


def _res_cloudwatch(call: Call, view: MotoView) -> list[str]:
    p = call.params
    found = [
        _arn(view, "cloudwatch", f"alarm:{n}") for n in _as_list(p.get("AlarmName")) + _as_list(p.get("AlarmNames"))
    ]
    dashboards = _as_list(p.get("DashboardName")) + _as_list(p.get("DashboardNames"))
    found += [_arn(view, "cloudwatch", f"dashboard/{n}", region=False) for n in dashboards]
    return found


def _res_events(call: Call, view: MotoView) -> list[str]:
    p = call.params
    rule = _first(p, "Name", "Rule") if call.operation != "ListRuleNamesByTarget" else None
    return [_arn(view, "events", f"rule/{rule}")] if rule else []


def policies_of(arns: list[str], view: MotoView) -> dict[str, dict[str, Any]]:
    """Resource policies AWS evaluates together with the caller's: key policies, bucket policies."""
    found = {}
    for arn in arns:
        if ":kms:" in arn and ":key/" in arn:
            policy = view.key_policy(arn)
        elif arn.startswith(f"arn:{PARTITION}:s3:::"):
            policy = view.bucket_policy(arn.split(":::", 1)[1].split("/", 1)[0])
        else:
            policy = None
        if policy:
            found[arn] = policy
    return found


def base_context(call: Call, view: MotoView) -> dict[str, Any]:
    """Request context every call carries. The provider always calls AWS over TLS."""
    context: dict[str, Any] = {"aws:SecureTransport": "true", "aws:RequestedRegion": call.region}
    context.update(tag_context(request_tags(call)))
    p = call.params
    if call.service == "iam":
        if p.get("PermissionsBoundary"):
            context["iam:PermissionsBoundary"] = p["PermissionsBoundary"]
        elif p.get("RoleName") and call.operation != "CreateRole":
            role = view.role(p["RoleName"])
            if role is not None and role.permissions_boundary_arn:
                context["iam:PermissionsBoundary"] = role.permissions_boundary_arn
        if p.get("PolicyArn"):
            context["iam:PolicyARN"] = p["PolicyArn"]
        if p.get("AWSServiceName"):
            context["iam:AWSServiceName"] = p["AWSServiceName"]
    if call.service == "s3" and call.operation == "PutObject" and p.get("SSEKMSKeyId"):
        context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = p["SSEKMSKeyId"]
    return context


def intents_for(call: Call, view: MotoView) -> list[Intent]:
    from scripts.iam.implied import implied_intents

    arns = resources(call, view)
    own = Intent(
        action=iam_action(call),
        arns=arns,
        context=base_context(call, view),
        tags={a: t for a in arns if "*" not in a and (t := view.tags(a)) is not None},
        policies=policies_of(arns, view),
    )
    return [own, *implied_intents(call, view, own)]
