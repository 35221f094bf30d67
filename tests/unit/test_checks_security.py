"""Security checks: violating and passing plan fragments for each rule."""

from __future__ import annotations

import json

import pytest

from scripts.checks import security
from scripts.terraform.inventory import PlanInventory
from tests.support.planbuilder import PlanBuilder


def inv(b: PlanBuilder) -> PlanInventory:
    return PlanInventory.from_json(b.build())


def ids(findings):
    return sorted(f.check_id for f in findings)


# --- RDS ---------------------------------------------------------------------------------------


def test_private_encrypted_database_passes():
    b = PlanBuilder().add("aws_db_instance.db", {"publicly_accessible": False, "storage_encrypted": True})
    assert security.rds(inv(b)) == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"publicly_accessible": True, "storage_encrypted": True}, ["security.rds-public"]),
        ({"publicly_accessible": False, "storage_encrypted": False}, ["security.rds-unencrypted"]),
        ({"publicly_accessible": False}, ["security.rds-unencrypted"]),  # unset means unencrypted
    ],
    ids=["public", "unencrypted", "encryption-unset"],
)
def test_public_or_unencrypted_database_fails(values, expected):
    findings = security.rds(inv(PlanBuilder().add("aws_db_instance.db", values)))
    assert ids(findings) == expected
    assert findings[0].address == "aws_db_instance.db"
    assert findings[0].severity == "error"


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


def test_bucket_without_public_access_block_fails():
    findings = security.s3(inv(bucket(PlanBuilder(), pab=None)))
    assert ids(findings) == ["security.s3-public-access"]
    assert findings[0].address == "module.data.aws_s3_bucket.this"


def test_public_access_block_with_a_setting_off_fails():
    findings = security.s3(inv(bucket(PlanBuilder(), pab={**PAB_ON, "restrict_public_buckets": False})))
    assert ids(findings) == ["security.s3-public-access"]
    assert "restrict_public_buckets" in findings[0].message
    assert findings[0].address == "module.data.aws_s3_bucket_public_access_block.this"


@pytest.mark.parametrize("ownership", [None, "ObjectWriter", "BucketOwnerPreferred"])
def test_bucket_without_owner_enforced_fails(ownership):
    findings = security.s3(inv(bucket(PlanBuilder(), ownership=ownership)))
    assert ids(findings) == ["security.s3-ownership"]
    assert "BucketOwnerEnforced" in findings[0].fix


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
        b.add(f"aws_s3_bucket_policy.{name}", {"policy": json.dumps(TLS_DENY)}, unknown=["bucket"])
    b.add("aws_s3_bucket_public_access_block.uploads", PAB_ON, unknown=["bucket"])
    findings = security.s3(inv(b))
    assert [(f.check_id, f.address) for f in findings] == [("security.s3-public-access", "aws_s3_bucket.results")]


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


# --- IAM ---------------------------------------------------------------------------------------


def policy(actions, resources, effect="Allow"):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "S", "Effect": effect, "Action": actions, "Resource": resources}],
        }
    )


@pytest.mark.parametrize(
    ("rtype", "doc"),
    [
        ("aws_iam_policy", policy("*", "*")),
        ("aws_iam_role_policy", policy(["s3:GetObject", "*"], ["*"])),
    ],
)
def test_star_on_star_fails(rtype, doc):
    findings = security.iam(inv(PlanBuilder().add(f"{rtype}.p", {"policy": doc})))
    assert ids(findings) == ["security.iam-wildcard"]
    assert findings[0].address == f"{rtype}.p"
    assert "every action (*) on every resource (*)" in findings[0].message


@pytest.mark.parametrize(
    "doc",
    [policy("s3:GetObject", "arn:aws:s3:::data/*"), policy("*", "*", effect="Deny"), policy("sqs:*", "*")],
    ids=["scoped", "deny", "service-wildcard"],
)
def test_scoped_policies_pass(doc):
    assert security.iam(inv(PlanBuilder().add("aws_iam_policy.p", {"policy": doc}))) == []


def test_star_on_star_in_a_deferred_policy_document_fails():
    b = PlanBuilder().add(
        "module.x.data.aws_iam_policy_document.admin",
        {"statement": [{"effect": "Allow", "actions": ["*"], "resources": ["*"]}]},
        actions=["read"],
        unknown=["json"],
    )
    findings = security.iam(inv(b))
    assert [f.address for f in findings] == ["module.x.data.aws_iam_policy_document.admin"]


def test_administrator_access_attachment_fails():
    b = PlanBuilder().add(
        "aws_iam_role_policy_attachment.admin",
        {"role": "deploy", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
    )
    assert ids(security.iam(inv(b))) == ["security.iam-wildcard"]


def test_unreadable_policy_warns_unless_its_module_documents_it():
    b = PlanBuilder().add("module.a.aws_iam_role_policy.p", {}, unknown=["policy"])
    [finding] = security.iam(inv(b))
    assert finding.severity == "warning"
    b.add(
        "module.a.data.aws_iam_policy_document.p",
        {"statement": [{"actions": ["s3:GetObject"], "resources": [None]}]},
        actions=["read"],
        unknown=["json"],
    )
    assert security.iam(inv(b)) == []


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


@pytest.mark.parametrize("value", [False, None])
def test_writable_root_filesystem_fails(value):
    findings = security.task_definitions(inv(task(readonlyRootFilesystem=value)))
    assert ids(findings) == ["security.task-rootfs"]
    assert "'app'" in findings[0].message


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
