"""Security checks: violating and passing plan fragments for each rule.

The project's own rules call ``security`` directly. The rules checkov makes (ADR 0020) keep their
broken plans here: each is scanned by checkov through the checkov family (one run for all of them,
``checkov_findings``) and must fail with the checkov id that replaced the project's check."""

from __future__ import annotations

import json

import pytest

from scripts.checks import checkov_plan, security
from scripts.checks.findings import CheckOptions
from scripts.terraform.inventory import PlanInventory
from tests.support.planbuilder import PlanBuilder


def inv(b: PlanBuilder) -> PlanInventory:
    return PlanInventory.from_json(b.build())


def ids(findings):
    return sorted(f.check_id for f in findings)


# --- the rules checkov makes: one checkov run over every broken and passing fragment -------------
# address -> the checkov id that must fail there (and the project check it replaced, for the reader).
CHECKOV_BROKEN: dict[str, str] = {}
CHECKOV_CLEAN: list[str] = []


def _policy(actions, resources, effect="Allow"):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "S", "Effect": effect, "Action": actions, "Resource": resources}],
        }
    )


def checkov_plan_fragments() -> PlanBuilder:
    b = PlanBuilder()
    # security.rds-public / security.rds-unencrypted (unset means unencrypted)
    b.add("aws_db_instance.ok", {"publicly_accessible": False, "storage_encrypted": True})
    b.add("aws_db_instance.public", {"publicly_accessible": True, "storage_encrypted": True})
    b.add("aws_db_instance.unencrypted", {"publicly_accessible": False, "storage_encrypted": False})
    b.add("aws_db_instance.unset", {"publicly_accessible": False})
    # security.s3-public-access / security.s3-ownership
    # checkov links a bucket to its public access block through the configuration's references
    # (CKV2_AWS_6 is a graph check), which a hand-built plan lacks: the bucket itself is not in
    # CHECKOV_CLEAN. The dev root plan, which has them, passes CKV2_AWS_6 (ADR 0020).
    b.add("module.ok.aws_s3_bucket.this", {"bucket": "ok"}, unknown=["arn", "id"])
    b.add("module.ok.aws_s3_bucket_public_access_block.this", {"bucket": "ok", **PAB_ON})
    b.add(
        "module.ok.aws_s3_bucket_ownership_controls.this",
        {"bucket": "ok", "rule": [{"object_ownership": "BucketOwnerEnforced"}]},
    )
    b.add("module.nopab.aws_s3_bucket.this", {"bucket": "nopab"}, unknown=["arn", "id"])
    for flag in PAB_ON:
        b.add(f"module.{flag}.aws_s3_bucket.this", {"bucket": flag}, unknown=["arn", "id"])
        b.add(f"module.{flag}.aws_s3_bucket_public_access_block.this", {**PAB_ON, flag: False}, unknown=["bucket"])
    for ownership in ("ObjectWriter", "BucketOwnerPreferred"):
        b.add(f"module.{ownership}.aws_s3_bucket.this", {"bucket": ownership}, unknown=["arn", "id"])
        b.add(
            f"module.{ownership}.aws_s3_bucket_ownership_controls.this",
            {"rule": [{"object_ownership": ownership}]},
            unknown=["bucket"],
        )
    # security.iam-wildcard
    b.add("aws_iam_policy.star", {"policy": _policy("*", "*")})
    b.add("aws_iam_role_policy.star", {"policy": _policy(["s3:GetObject", "*"], ["*"])})
    b.add("aws_iam_policy.scoped", {"policy": _policy("s3:GetObject", "arn:aws:s3:::data/*")})
    b.add("aws_iam_policy.deny", {"policy": _policy("*", "*", effect="Deny")})
    b.add(
        "module.x.data.aws_iam_policy_document.admin",
        {"statement": [{"effect": "Allow", "actions": ["*"], "resources": ["*"]}]},
        actions=["read"],
        unknown=["json"],
    )
    b.add(
        "aws_iam_role_policy_attachment.admin",
        {"role": "deploy", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
    )
    # security.task-rootfs
    for name, container in {
        "ro": {"readonlyRootFilesystem": True},
        "rw": {"readonlyRootFilesystem": False},
        "unset": {},
    }.items():
        b.add(
            f"aws_ecs_task_definition.{name}",
            {"family": name, "container_definitions": json.dumps([{"name": "app", **container}])},
        )
    return b


CHECKOV_BROKEN.update(
    {
        "aws_db_instance.public": "CKV_AWS_17",
        "aws_db_instance.unencrypted": "CKV_AWS_16",
        "aws_db_instance.unset": "CKV_AWS_16",
        "module.nopab.aws_s3_bucket.this": "CKV2_AWS_6",
        "module.block_public_acls.aws_s3_bucket_public_access_block.this": "CKV_AWS_53",
        "module.block_public_policy.aws_s3_bucket_public_access_block.this": "CKV_AWS_54",
        "module.ignore_public_acls.aws_s3_bucket_public_access_block.this": "CKV_AWS_55",
        "module.restrict_public_buckets.aws_s3_bucket_public_access_block.this": "CKV_AWS_56",
        "module.ObjectWriter.aws_s3_bucket_ownership_controls.this": "CKV2_AWS_65",
        "module.BucketOwnerPreferred.aws_s3_bucket_ownership_controls.this": "CKV2_AWS_65",
        "aws_iam_policy.star": "CKV_AWS_62",
        "aws_iam_role_policy.star": "CKV_AWS_63",
        "module.x.data.aws_iam_policy_document.admin": "CKV_AWS_1",
        "aws_iam_role_policy_attachment.admin": "CKV_AWS_274",
        "aws_ecs_task_definition.rw": "CKV_AWS_336",
        "aws_ecs_task_definition.unset": "CKV_AWS_336",
    }
)
CHECKOV_CLEAN += [
    "aws_db_instance.ok",
    "module.ok.aws_s3_bucket_public_access_block.this",
    "module.ok.aws_s3_bucket_ownership_controls.this",
    "aws_iam_policy.scoped",
    "aws_iam_policy.deny",
    "aws_ecs_task_definition.ro",
]


@pytest.fixture(scope="module")
def checkov_findings():
    return checkov_plan.check(inv(checkov_plan_fragments()), CheckOptions())


@pytest.mark.parametrize(("address", "check_id"), sorted(CHECKOV_BROKEN.items()))
def test_a_rule_checkov_makes_fails_the_broken_plan_as_an_error(checkov_findings, address, check_id):
    found = {(f.address, f.check_id): f for f in checkov_findings}
    finding = found.get((address, f"checkov.{check_id}"))
    assert finding is not None, sorted(f"{f.address} {f.check_id}" for f in checkov_findings if f.address == address)
    assert finding.severity == "error"
    assert check_id in checkov_plan.GATING
    assert f"#checkov:skip={check_id}:" in finding.fix


@pytest.mark.parametrize("address", CHECKOV_CLEAN)
def test_what_the_removed_checks_passed_checkov_passes_too(checkov_findings, address):
    gating = {f"checkov.{c}" for c in checkov_plan.GATING}
    assert [f.check_id for f in checkov_findings if f.address == address and f.check_id in gating] == []


# --- S3 ----------------------------------------------------------------------------------------

PAB_ON = {
    "block_public_acls": True,
    "block_public_policy": True,
    "ignore_public_acls": True,
    "restrict_public_buckets": True,
}
TLS_DENY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


def bucket(b, *, module="module.data", pab=PAB_ON, ownership="BucketOwnerEnforced", policy=TLS_DENY, deferred=False):
    """A bucket shaped like modules/private-s3 in a first plan: companions' `bucket` unknown."""
    b.add(f"{module}.aws_s3_bucket.this", {"bucket": "data"}, unknown=["arn", "id"])
    if pab is not None:
        b.add(f"{module}.aws_s3_bucket_public_access_block.this", pab, unknown=["bucket"])
    if ownership is not None:
        b.add(
            f"{module}.aws_s3_bucket_ownership_controls.this",
            {"rule": [{"object_ownership": ownership}]},
            unknown=["bucket"],
        )
    if policy is not None and not deferred:
        b.add(f"{module}.aws_s3_bucket_policy.this", {"bucket": "data", "policy": json.dumps(policy)})
    if deferred:
        b.add(f"{module}.aws_s3_bucket_policy.this", {}, unknown=["bucket", "policy"])
        statements = [
            {
                "sid": "DenyInsecureTransport",
                "effect": "Deny",
                "actions": ["s3:*"],
                "resources": [None, None],
                "principals": [{"type": "*", "identifiers": ["*"]}],
                "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
            }
        ]
        b.add(
            f"{module}.data.aws_iam_policy_document.this",
            {"statement": statements if policy else []},
            actions=["read"],
            unknown=["json"],
        )
    return b


def test_private_bucket_passes_with_known_policy():
    assert security.s3(inv(bucket(PlanBuilder()))) == []


def test_private_bucket_passes_when_policy_is_a_deferred_document():
    # What modules/private-s3 plans on first create: the policy JSON waits for the bucket ARN.
    assert security.s3(inv(bucket(PlanBuilder(), deferred=True))) == []


def test_bucket_without_policy_fails():
    findings = security.s3(inv(bucket(PlanBuilder(), policy=None)))
    assert ids(findings) == ["security.s3-tls"]
    assert findings[0].severity == "error"


def test_policy_without_tls_deny_fails():
    allow_only = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:GetObject", "Resource": "*"}
        ]
    }
    findings = security.s3(inv(bucket(PlanBuilder(), policy=allow_only)))
    assert ids(findings) == ["security.s3-tls"]
    assert findings[0].address == "module.data.aws_s3_bucket_policy.this"


def test_deferred_policy_without_tls_deny_warns():
    findings = security.s3(inv(bucket(PlanBuilder(), deferred=True, policy={})))
    assert ids(findings) == ["security.s3-tls"]
    assert findings[0].severity == "warning"


def test_two_buckets_in_one_module_link_by_name():
    b = PlanBuilder()
    b.add("aws_s3_bucket.uploads", {"bucket": "up"}, unknown=["id"])
    b.add("aws_s3_bucket.results", {"bucket": "res"}, unknown=["id"])
    for name in ("uploads", "results"):
        b.add(
            f"aws_s3_bucket_ownership_controls.{name}",
            {"rule": [{"object_ownership": "BucketOwnerEnforced"}]},
            unknown=["bucket"],
        )
        policy = TLS_DENY if name == "uploads" else {"Statement": []}
        b.add(f"aws_s3_bucket_policy.{name}", {"policy": json.dumps(policy)}, unknown=["bucket"])
    findings = security.s3(inv(b))
    assert [(f.check_id, f.address) for f in findings] == [("security.s3-tls", "aws_s3_bucket_policy.results")]


# --- security groups ---------------------------------------------------------------------------


def alb(b, port=443, cidr="0.0.0.0/0", field="cidr_ipv4"):
    b.add("module.alb.aws_security_group.this", {"name": "alb"}, unknown=["id"])
    b.add("module.alb.aws_lb.this", {"load_balancer_type": "application"}, unknown=["security_groups"])
    b.add("module.alb.aws_lb_listener.https", {"port": 443})
    b.add("module.alb.aws_lb_listener.http", {"port": 80})
    b.add(
        "module.alb.aws_vpc_security_group_ingress_rule.in",
        {field: cidr, "from_port": port, "to_port": port, "ip_protocol": "tcp"},
        unknown=["security_group_id"],
    )
    return b


@pytest.mark.parametrize("port", [443, 80])
def test_world_ingress_on_the_load_balancer_listener_ports_passes(port):
    assert security.security_groups(inv(alb(PlanBuilder(), port=port))) == []


def test_world_ingress_on_another_port_of_the_load_balancer_fails():
    findings = security.security_groups(inv(alb(PlanBuilder(), port=22)))
    assert ids(findings) == ["security.sg-open-ingress"]
    assert "port 22 is not a listener port" in findings[0].message


def test_ipv6_world_ingress_is_checked_too():
    assert security.security_groups(inv(alb(PlanBuilder(), port=8080, cidr="::/0", field="cidr_ipv6")))


def test_world_ingress_to_a_service_security_group_fails():
    b = alb(PlanBuilder())
    b.add("module.api.aws_security_group.this", {"name": "api"}, unknown=["id"])
    b.add(
        "module.api.aws_security_group_rule.in",
        {"type": "ingress", "cidr_blocks": ["0.0.0.0/0"], "from_port": 443, "to_port": 443, "protocol": "tcp"},
        unknown=["security_group_id"],
    )
    b.add(
        "aws_security_group.legacy",
        {
            "ingress": [
                {"cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [], "from_port": 0, "to_port": 0, "protocol": "-1"}
            ]
        },
    )
    findings = security.security_groups(inv(b))
    assert sorted(f.address for f in findings) == ["aws_security_group.legacy", "module.api.aws_security_group_rule.in"]
    assert all("not the load balancer's" in f.message for f in findings)
    assert "all ports" in next(f for f in findings if f.address == "aws_security_group.legacy").message


def test_ingress_from_a_security_group_or_private_cidr_passes():
    b = PlanBuilder()
    b.add("module.api.aws_security_group.this", {"name": "api"}, unknown=["id"])
    b.add(
        "module.api.aws_vpc_security_group_ingress_rule.from_alb",
        {"from_port": 8080, "to_port": 8080, "ip_protocol": "tcp"},
        unknown=["security_group_id", "referenced_security_group_id"],
    )
    b.add(
        "module.api.aws_vpc_security_group_ingress_rule.vpc",
        {"cidr_ipv4": "10.0.0.0/16", "from_port": 8080, "to_port": 8080, "ip_protocol": "tcp"},
        unknown=["security_group_id"],
    )
    assert security.security_groups(inv(b)) == []


# --- task definitions ---------------------------------------------------------------------------


def task(**container):
    return PlanBuilder().add(
        "module.api.aws_ecs_task_definition.this",
        {"container_definitions": json.dumps([{"name": "app", "readonlyRootFilesystem": True, **container}])},
    )


def test_hardened_task_definition_passes():
    assert security.task_definitions(inv(task(privileged=False))) == []


def test_privileged_container_fails():
    assert ids(security.task_definitions(inv(task(privileged=True)))) == ["security.task-privileged"]


def test_unknown_container_definitions_warn():
    b = PlanBuilder().add(
        "module.api.aws_ecs_task_definition.this", {"family": "api"}, unknown=["container_definitions"]
    )
    [finding] = security.task_definitions(inv(b))
    assert finding.severity == "warning"


# --- OIDC deploy role --------------------------------------------------------------------------


def trust(conditions):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
                    "Condition": conditions,
                }
            ],
        }
    )


AUD = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}


def role(conditions):
    return PlanBuilder().add("module.ci.aws_iam_role.apply", {"assume_role_policy": trust(conditions)})


@pytest.mark.parametrize(
    "conditions",
    [
        {"StringEquals": {**AUD, "token.actions.githubusercontent.com:sub": "repo:acme/platform:environment:prod"}},
        {"StringEquals": {**AUD, "token.actions.githubusercontent.com:sub": ["repo:acme@1/platform@2:pull_request"]}},
    ],
    ids=["environment", "immutable-subject"],
)
def test_pinned_sub_passes(conditions):
    assert security.oidc(inv(role(conditions))) == []


@pytest.mark.parametrize(
    ("conditions", "fragment"),
    [
        ({"StringEquals": AUD}, "no condition on the token's sub claim"),
        (
            {"StringEquals": AUD, "StringLike": {"token.actions.githubusercontent.com:sub": "*"}},
            "matches every repository",
        ),
        (
            {"StringEquals": AUD, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}},
            "wildcard in the owner/repository",
        ),
    ],
    ids=["no-sub", "star", "any-repo-of-owner"],
)
def test_unpinned_sub_fails(conditions, fragment):
    [finding] = security.oidc(inv(role(conditions)))
    assert (finding.check_id, finding.severity) == ("security.oidc-sub", "error")
    assert fragment in finding.message
    assert finding.address == "module.ci.aws_iam_role.apply"


def test_any_ref_of_the_repository_warns():
    conditions = {
        "StringEquals": AUD,
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/platform:*"},
    }
    [finding] = security.oidc(inv(role(conditions)))
    assert finding.severity == "warning"


def test_deferred_trust_document_without_sub_fails():
    b = PlanBuilder().add(
        "module.ci.data.aws_iam_policy_document.trust",
        {
            "statement": [
                {
                    "effect": "Allow",
                    "actions": ["sts:AssumeRoleWithWebIdentity"],
                    "principals": [{"type": "Federated", "identifiers": [None]}],
                    "condition": [
                        {
                            "test": "StringEquals",
                            "variable": "token.actions.githubusercontent.com:aud",
                            "values": ["sts.amazonaws.com"],
                        }
                    ],
                }
            ]
        },
        actions=["read"],
        unknown=["json"],
    )
    [finding] = security.oidc(inv(b))
    assert finding.address == "module.ci.data.aws_iam_policy_document.trust"


def test_service_trust_policies_are_not_web_identity():
    doc = json.dumps(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}
            ]
        }
    )
    assert security.oidc(inv(PlanBuilder().add("aws_iam_role.task", {"assume_role_policy": doc}))) == []
